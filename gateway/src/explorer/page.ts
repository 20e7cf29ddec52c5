import { EXPLORER_CONFIG_ELEMENT_ID, type ExplorerPageConfig } from './config.js';
import type { ExplorerBundle } from './bundle.js';

/**
 * The explorer page's Content-Security-Policy: the browser itself refuses any request that
 * does not go to the gateway's own origin (scripts, styles, fonts, workers, fetches and
 * graphql-ws; CSP3 `'self'` covers ws:/wss: to the same host). Monaco injects `<style>`
 * elements, hence `'unsafe-inline'` for styles only; no inline script runs.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/** JSON safe inside a `<script>` element: no `</script>`, no HTML comment openers. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function renderExplorerPage(bundle: ExplorerBundle, opts: { assetsPath: string; graphqlPath: string }): string {
  const asset = (name: string) => `${opts.assetsPath}/${name}`;
  const config: ExplorerPageConfig = {
    graphqlPath: opts.graphqlPath,
    workers: {
      editor: asset(bundle.entry.workers.editor),
      json: asset(bundle.entry.workers.json),
      graphql: asset(bundle.entry.workers.graphql),
    },
  };
  // `data:,` as the icon keeps the browser from asking for /favicon.ico.
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>Plaza explorer</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${attr(asset(bundle.entry.style))}" />
    <style>
      html, body, #root { height: 100%; margin: 0; }
      .plaza-explorer-logo { color: inherit; text-decoration: none; }
    </style>
    <script type="application/json" id="${EXPLORER_CONFIG_ELEMENT_ID}">${scriptJson(config)}</script>
    <script type="module" src="${attr(asset(bundle.entry.script))}"></script>
  </head>
  <body>
    <div id="root"><noscript>The explorer needs JavaScript.</noscript></div>
  </body>
</html>
`;
}

/** Shown instead of the explorer when its bundle cannot be built (the reason is in the log). */
export function renderUnavailablePage(message: string): string {
  const text = attr(message);
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Plaza explorer unavailable</title><link rel="icon" href="data:," /></head>
  <body>
    <h1>The offline explorer could not be built</h1>
    <p>${text}</p>
    <p>See the gateway's log; <code>npm install</code> restores missing packages. It is retried on reload.</p>
  </body>
</html>
`;
}
