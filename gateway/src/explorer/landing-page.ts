import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  type ApolloServerPluginLandingPageLocalDefaultOptions,
} from '@apollo/server/plugin/landingPage/default';

export interface SandboxFallbackOptions {
  /** URL of the fallback script, served by the gateway. */
  scriptUrl: string;
  /** Where the page switches to when Sandbox cannot be loaded. */
  explorerPath: string;
  /** How long Sandbox's script may take to arrive before switching, milliseconds. */
  timeoutMs: number;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * Adds the fallback script to Apollo's landing page as the first element of `<head>`: before
 * Apollo's Google Fonts stylesheet (a pending stylesheet holds back every script after it, so
 * on a network that hangs the fallback would never run) and before Sandbox's synchronous script
 * in `<body>`, so its error listener and timer are in place before either is fetched. Being
 * ahead of Apollo's CSP meta tag, it is not subject to it; it is the gateway's own script.
 */
export function injectSandboxFallback(html: string, opts: SandboxFallbackOptions): string {
  const head = /<head[^>]*>/i.exec(html);
  if (!head) throw new Error("Apollo's landing page has no <head>: cannot add the offline explorer fallback");
  const at = head.index + head[0].length;
  const tag =
    `\n<script src="${attr(opts.scriptUrl)}" data-explorer="${attr(opts.explorerPath)}"` +
    ` data-timeout-ms="${opts.timeoutMs}"></script>`;
  return `${html.slice(0, at)}${tag}${html.slice(at)}`;
}

/**
 * Apollo Sandbox as before (ApolloServerPluginLandingPageLocalDefault), plus the switch to the
 * gateway's own explorer when Sandbox's CDN cannot be reached. `onRender` runs for each page
 * served, so the explorer's bundle can start building while Sandbox is still trying to load.
 */
export function sandboxWithFallbackPlugin(
  sandbox: ApolloServerPluginLandingPageLocalDefaultOptions,
  fallback: SandboxFallbackOptions,
  onRender: () => void,
): ApolloServerPlugin {
  const inner = ApolloServerPluginLandingPageLocalDefault(sandbox);
  return {
    async serverWillStart(service) {
      const listener = await inner.serverWillStart?.(service);
      if (!listener?.renderLandingPage) throw new Error("Apollo's Sandbox plugin rendered no landing page");
      const render = listener.renderLandingPage.bind(listener);
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render();
          const html = page.html;
          return {
            html: async () => {
              onRender();
              return injectSandboxFallback(typeof html === 'string' ? html : await html(), fallback);
            },
          };
        },
      };
    },
  };
}
