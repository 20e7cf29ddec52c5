import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, ExecutionResult, FormattedExecutionResult, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { CLIENT_IP_HEADER, clientIp, maskError, type Logger, type RequestIdentity, type TokenVerifier } from '@plaza/common';
import { createSourceEventStream, execute, GraphQLError, parse, validate } from './graphql-runtime.js';

/**
 * Close code when the live feed was interrupted (the Redis subscriber connection dropped, so
 * messages may have been missed): 1012 "Service Restart", which graphql-ws clients retry. The
 * gateway passes it on to its subscribers, whose clients reconnect and catch up.
 */
export const FEED_INTERRUPTED = 1012;

export interface MessagingWebSocketOptions<TContext> {
  httpServer: Server;
  schema: GraphQLSchema;
  path: string;
  verifier: TokenVerifier;
  /** The context of one operation, from its viewer and client address. */
  context: (identity: RequestIdentity) => TContext;
  /** The context one event of a subscription runs with (fresh loaders, primed from the event). */
  contextForEvent: (context: TContext, payload: unknown) => TContext;
  /** Registers a handler for an interrupted live feed. */
  onFeedLost: (handler: () => void) => void;
  logger: Logger;
}

/** What the gateway (or a direct client) sends along with each operation. */
interface OperationExtensions {
  authorization?: unknown;
  clientIp?: unknown;
  /** Asks for a first result `{ extensions: { live: true } }` once the subscription is live. */
  announceLive?: unknown;
}

/**
 * The first result of a subscription whose subscriber asked for it (`announceLive`): no data, only
 * `extensions.live`, sent once the feed will deliver every message stored from then on. The
 * gateway keeps it to itself; it is what lets it order a client's catch-up after the subscription.
 */
export const LIVE_RESULT: ExecutionResult = { extensions: { live: true } };

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * graphql-ws on the subgraph's own port and path, for `Subscription.messageAdded`. Built for the
 * gateway, which multiplexes many subscribers onto one connection: authorization is per
 * operation (`extensions.authorization` of each subscribe message; `connectionParams` for a direct
 * client), so one connection carries operations of many users, each verified on its own. A bad
 * token fails only its operation (UNAUTHENTICATED), never the connection.
 */
export function attachMessagingWebSocket<TContext extends object>(opts: MessagingWebSocketOptions<TContext>): () => Promise<void> {
  const wss = new WebSocketServer({ server: opts.httpServer, path: opts.path });
  const log = opts.logger.child({ component: 'websocket' });
  /** Operations whose subscriber asked for LIVE_RESULT. */
  const announceLive = new WeakSet<ExecutionArgs>();

  async function identityOf(extensions: OperationExtensions, connectionParams: Record<string, unknown> | undefined, request: IncomingMessage): Promise<RequestIdentity> {
    const raw = extensions.authorization ?? connectionParams?.authorization ?? connectionParams?.Authorization;
    const viewer = await opts.verifier.fromAuthorization(typeof raw === 'string' ? raw : undefined);
    const ip = typeof extensions.clientIp === 'string' ? extensions.clientIp : clientIp(request, { trustProxy: true, header: CLIENT_IP_HEADER });
    return { viewer, clientIp: ip };
  }

  const server = useServer<Record<string, unknown> | undefined, { request: IncomingMessage }>(
    {
      schema: opts.schema,
      onSubscribe: async (ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError('Syntax error')];
        }
        const invalid = validate(opts.schema, document);
        if (invalid.length > 0) return invalid;
        let identity: RequestIdentity;
        try {
          identity = await identityOf((payload.extensions ?? {}), ctx.connectionParams, ctx.extra.request);
        } catch (err) {
          // @plaza/common's errors may come from another graphql-js instance: rebuild as ours.
          const e = err as { message?: string; extensions?: Record<string, unknown> };
          return [new GraphQLError(e.message ?? 'Unauthenticated', { extensions: e.extensions ?? { code: 'UNAUTHENTICATED' } })];
        }
        const args: ExecutionArgs = {
          schema: opts.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: opts.context(identity),
        };
        if (payload.extensions?.announceLive === true) announceLive.add(args);
        return args;
      },
      // graphql-js's subscribe runs every event with the context of the subscribe call; here each
      // event gets its own (fresh loaders, primed from the event: no query for what it carries).
      subscribe: async (args) => {
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        const source = stream[Symbol.asyncIterator]();
        const context = args.contextValue as TContext;
        let announce = announceLive.has(args);
        const events: AsyncGenerator<ExecutionResult> = {
          async next() {
            if (announce) {
              announce = false;
              return { value: LIVE_RESULT, done: false };
            }
            const item = await source.next();
            if (item.done) return { value: undefined, done: true };
            const result = await execute({ ...args, rootValue: item.value, contextValue: opts.contextForEvent(context, item.value) });
            return { value: result, done: false };
          },
          async return() {
            await source.return?.();
            return { value: undefined, done: true };
          },
          async throw(err: unknown) {
            await source.return?.();
            throw err;
          },
          [Symbol.asyncIterator]() {
            return events;
          },
        };
        return events;
      },
      onNext: (_ctx, _id, _payload, _args, result): FormattedExecutionResult | void => {
        if (!result.errors?.length) return;
        return {
          ...result,
          errors: result.errors.map((e) => maskError(e.toJSON(), e.originalError ?? e, (err) => log.error({ err }, 'unexpected error in subscription'))),
        };
      },
    },
    wss,
  );

  opts.onFeedLost(() => {
    for (const socket of wss.clients) socket.close(FEED_INTERRUPTED, 'Live message feed interrupted; reconnect and catch up');
  });

  // Open sockets close with 1001 (going away): the gateway reports it to its subscribers.
  return async () => {
    await server.dispose();
  };
}
