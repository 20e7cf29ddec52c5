import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from '@plaza/common/core';
import { createBundleBuilder, type BundleBuilder } from './bundle.js';
import { sandboxWithFallbackPlugin } from './landing-page.js';
import { EXPLORER_CSP, renderExplorerPage, renderUnavailablePage } from './page.js';

export interface ExplorerOptions {
  /** Serve Sandbox and the explorer; off in production (LANDING_PAGE). */
  enabled: boolean;
  /** Path of the GraphQL endpoint (HTTP and graphql-ws), e.g. `/graphql`. */
  graphqlPath: string;
  /** PLAZA_HOME: the built bundle is cached under `<home>/explorer`. */
  home: string;
  logger: Logger;
  /** Where the explorer is served. @default '/explorer' */
  path?: string;
  /** How long the landing page waits for Sandbox's script before switching, milliseconds. @default 4000 */
  fallbackTimeoutMs?: number;
}

export interface Explorer {
  /** `/explorer` */
  path: string;
  /** The landing page for `ApolloServer({ plugins })`: Sandbox with the fallback, or none when disabled. */
  landingPagePlugin: ApolloServerPlugin;
  /**
   * Answers a request for the explorer (true), or leaves it alone (false): any framework, or
   * plain `node:http`.
   */
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The same as Connect/Express middleware. */
  middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  /** Starts building (or loading) the bundle in the background. */
  warm: () => void;
  close: () => Promise<void>;
}

const ASSETS = '/assets/';
const FALLBACK_SCRIPT = '/sandbox-fallback.js';
/** Four seconds: a failed DNS lookup or refused connection reports within one; a black hole never. */
const DEFAULT_FALLBACK_TIMEOUT_MS = 4_000;
/** Hashed file names never change content: a year, the longest that caches honour. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'x-content-type-options': 'nosniff', ...headers, 'content-length': String(bytes.length) });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function acceptsGzip(req: IncomingMessage): boolean {
  const accept = req.headers['accept-encoding'];
  return typeof accept === 'string' && /\bgzip\b/.test(accept);
}

/**
 * GraphiQL served by the gateway itself, for machines without internet, where Apollo Sandbox
 * (loaded from Apollo's CDN) cannot start: `GET <path>` is the explorer, and the landing page
 * switches to it when Sandbox's script fails or times out. Development only, like Sandbox.
 */
export function createExplorer(opts: ExplorerOptions): Explorer {
  const base = (opts.path ?? '/explorer').replace(/\/+$/, '');
  const assetsPath = `${base}${ASSETS.slice(0, -1)}`;
  const builder: BundleBuilder | undefined = opts.enabled
    ? createBundleBuilder({ cacheDir: join(opts.home, 'explorer'), logger: opts.logger })
    : undefined;

  function warm(): void {
    builder?.get().catch(() => {
      // Logged by the builder; the explorer page reports it too.
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (!builder || !req.url) return false;
    const pathname = req.url.split('?', 1)[0] ?? '';
    if (pathname !== base && !pathname.startsWith(`${base}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'Method not allowed\n');
      return true;
    }
    const rest = pathname.slice(base.length);

    if (rest === '' || rest === '/') {
      try {
        const bundle = await builder.get();
        send(
          req,
          res,
          200,
          {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-cache',
            'content-security-policy': EXPLORER_CSP,
            'referrer-policy': 'no-referrer',
          },
          renderExplorerPage(bundle, { assetsPath, graphqlPath: opts.graphqlPath }),
        );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        send(req, res, 503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, renderUnavailablePage(message));
      }
      return true;
    }

    if (rest === FALLBACK_SCRIPT) {
      try {
        const script = await builder.fallbackScript();
        send(req, res, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }, script);
      } catch (err) {
        opts.logger.error({ err }, 'offline explorer: the Sandbox fallback script failed to build');
        send(req, res, 503, { 'content-type': 'text/plain; charset=utf-8' }, 'Fallback script unavailable\n');
      }
      return true;
    }

    const asset = rest.startsWith(ASSETS) ? rest.slice(ASSETS.length) : undefined;
    if (asset) {
      let bundle;
      try {
        bundle = await builder.get();
      } catch {
        send(req, res, 503, { 'content-type': 'text/plain; charset=utf-8' }, 'Explorer bundle unavailable\n');
        return true;
      }
      const file = bundle.assets.get(asset);
      if (file) {
        const gzip = acceptsGzip(req);
        send(
          req,
          res,
          200,
          {
            'content-type': file.contentType,
            'cache-control': IMMUTABLE,
            vary: 'accept-encoding',
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          },
          gzip ? file.gzip : file.body,
        );
        return true;
      }
    }
    send(req, res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found\n');
    return true;
  }

  return {
    path: base,
    landingPagePlugin: opts.enabled
      ? sandboxWithFallbackPlugin(
          { embed: true, includeCookies: false },
          {
            scriptUrl: `${base}${FALLBACK_SCRIPT}`,
            explorerPath: base,
            timeoutMs: opts.fallbackTimeoutMs ?? DEFAULT_FALLBACK_TIMEOUT_MS,
          },
          warm,
        )
      : ApolloServerPluginLandingPageDisabled(),
    handle,
    middleware: (req, res, next) => {
      handle(req, res).then(
        (handled) => {
          if (!handled) next();
        },
        (err: unknown) => next(err),
      );
    },
    warm,
    close: async () => {
      await builder?.close();
    },
  };
}
