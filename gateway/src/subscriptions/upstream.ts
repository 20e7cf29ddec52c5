import type { GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Logger } from '@plaza/common/core';
import type { UpstreamEvent } from './planner.js';

/** What the gateway sends a subgraph per subscription: the primary and the subscriber's credentials. */
export interface UpstreamRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  /** Verified by the subgraph per operation (one connection carries many users' operations). */
  authorization: string | undefined;
  clientIp: string | undefined;
}

export interface UpstreamSink {
  /** The subgraph will deliver every event from now on (it announced it; see below). */
  live(): void;
  /** A result of the subscription. */
  next(event: UpstreamEvent): void;
  /** The subgraph refused the operation (graphql-ws `error` message: validation, say). */
  refused(errors: readonly GraphQLFormattedError[]): void;
  /** The stream ended as the subgraph ended it (after a result with errors, say). */
  complete(): void;
  /** The connection to the subgraph failed or dropped: results may have been missed. */
  lost(reason: string): void;
}

export interface Upstreams {
  /** Starts a subscription on the subgraph's shared connection; the result stops it. */
  subscribe(service: string, request: UpstreamRequest, sink: UpstreamSink): () => void;
  /** Subscriptions open upstream, per subgraph. */
  active(): Record<string, number>;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** The subgraph's HTTP URL (overrides applied); its graphql-ws endpoint is the same URL as ws://. */
  urlOf: (service: string) => string;
  logger: Logger;
  /** Protocol pings on an idle connection, ms. */
  keepAliveMs?: number;
  /** A ping unanswered this long means the connection is dead, ms. */
  pongTimeoutMs?: number;
}

function isGraphQLErrors(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.every((e) => typeof e === 'object' && e !== null && 'message' in e);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  const e = err as { code?: unknown; reason?: unknown; type?: unknown };
  if (typeof e.code === 'number') return `closed (${e.code}${typeof e.reason === 'string' && e.reason ? `: ${e.reason}` : ''})`;
  return typeof e.type === 'string' ? e.type : 'connection failed';
}

/**
 * The gateway's upstream graphql-ws connections: one per subgraph that owns subscription fields,
 * opened on the first subscription and closed a few seconds after the last, carrying every
 * subscriber's operation (each with its own authorization in `extensions`, and `announceLive`: the
 * subgraph's first result says when the subscription is live, which graphql-ws has no message
 * for). No silent
 * reconnection: a dropped connection may have lost results, so every subscription on it is
 * reported `lost` and its subscribers are told to reconnect and catch up.
 */
export function createUpstreams(opts: UpstreamOptions): Upstreams {
  const clients = new Map<string, Client>();
  const counts = new Map<string, number>();
  const keepAliveMs = opts.keepAliveMs ?? 10_000;
  const pongTimeoutMs = opts.pongTimeoutMs ?? 5_000;

  function clientFor(service: string): Client {
    let client = clients.get(service);
    if (client) return client;
    const url = opts.urlOf(service).replace(/^http/, 'ws');
    let socket: WebSocket | undefined;
    let pongTimer: NodeJS.Timeout | undefined;
    client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: true,
      // Kept open briefly after the last subscription, for the next one.
      lazyCloseTimeout: 5_000,
      retryAttempts: 0,
      keepAlive: keepAliveMs,
      on: {
        connected: (s) => {
          socket = s as WebSocket;
          opts.logger.debug({ service, url }, 'subscriptions: upstream connected');
        },
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'Pong timeout');
          }, pongTimeoutMs);
          pongTimer.unref();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: (event) => {
          clearTimeout(pongTimer);
          socket = undefined;
          opts.logger.debug({ service, reason: describe(event) }, 'subscriptions: upstream closed');
        },
      },
    });
    // Failures reach each subscription's sink; this only keeps them off the console.
    client.on('error', () => {});
    clients.set(service, client);
    return client;
  }

  return {
    subscribe(service, request, sink) {
      const client = clientFor(service);
      counts.set(service, (counts.get(service) ?? 0) + 1);
      let open = true;
      const release = () => {
        if (!open) return;
        open = false;
        counts.set(service, (counts.get(service) ?? 1) - 1);
      };
      // The subgraph's first result is then `{ extensions: { live: true } }`, kept here.
      const extensions: Record<string, unknown> = { announceLive: true };
      if (request.authorization) extensions.authorization = request.authorization;
      if (request.clientIp) extensions.clientIp = request.clientIp;
      const dispose = client.subscribe<Record<string, unknown>>(
        {
          query: request.query,
          ...(request.operationName ? { operationName: request.operationName } : {}),
          ...(request.variables ? { variables: request.variables } : {}),
          extensions,
        },
        {
          next: (result) => {
            if (!open) return;
            if (result.data === undefined && result.errors === undefined && (result.extensions as { live?: unknown } | undefined)?.live === true) sink.live();
            else sink.next(result);
          },
          error: (err: unknown) => {
            if (!open) return;
            release();
            if (isGraphQLErrors(err)) sink.refused(err);
            else sink.lost(describe(err));
          },
          complete: () => {
            if (!open) return;
            release();
            sink.complete();
          },
        },
      );
      return () => {
        release();
        dispose();
      };
    },
    active: () => Object.fromEntries(counts),
    async close() {
      await Promise.all(
        [...clients.values()].map(async (c) => {
          await c.dispose();
        }),
      );
      clients.clear();
    },
  };
}
