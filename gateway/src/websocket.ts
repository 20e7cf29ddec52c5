import type { Server } from 'node:http';
import type { DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { ApolloServer } from '@apollo/server';
import { errors, type Logger, type TokenVerifier } from '@plaza/common/core';
import type { GatewayContext } from './context.js';
import { parse, print, validate } from './subscriptions/graphql-runtime.js';
import type { SubscriptionService } from './subscriptions/index.js';

/** Distinct operation texts whose parsed document is kept (clients send a handful). */
const DOCUMENTS_MAX = 1_000;

/**
 * graphql-ws parses and validates every `subscribe` message anew, and each subscription holds its
 * own document: a thousand clients of one subscription held a thousand copies of one tree. One
 * parse per operation text (the same text gets the same document object), and one validation
 * per schema and document.
 */
function createDocumentCache() {
  const documents = new Map<string, DocumentNode>();
  const validations = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();
  return {
    parse(source: Parameters<typeof parse>[0]): DocumentNode {
      if (typeof source !== 'string') return parse(source);
      let document = documents.get(source);
      if (document === undefined) {
        document = parse(source);
        // Oldest first out: Map iteration follows insertion order.
        if (documents.size >= DOCUMENTS_MAX) documents.delete(documents.keys().next().value!);
        documents.set(source, document);
      }
      return document;
    },
    validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
      let bySchema = validations.get(schema);
      if (bySchema === undefined) {
        bySchema = new WeakMap();
        validations.set(schema, bySchema);
      }
      let found = bySchema.get(document);
      if (found === undefined) {
        found = validate(schema, document);
        bySchema.set(document, found);
      }
      return found;
    },
  };
}

interface ConnectionState {
  context?: GatewayContext;
  expiryTimer?: NodeJS.Timeout;
}

/**
 * graphql-ws on the same port and path as HTTP. `connection_init` must carry
 * `{ authorization: "Bearer <access token>" }`; a missing, invalid, expired or revoked token
 * closes the socket with 4401 (CloseCode.Unauthorized), and so does the token expiring while
 * connected, so clients reconnect with a refreshed one. Operations run
 * through the same Apollo Server (and so the same gateway execution) as HTTP.
 */
export function attachWebSocketServer(opts: {
  httpServer: Server;
  path: string;
  apollo: ApolloServer<GatewayContext>;
  schema: () => GraphQLSchema;
  verifier: TokenVerifier;
  clientIp: (req: import('node:http').IncomingMessage) => string;
  logger: Logger;
  /** Federated subscriptions (subscriptions/): graphql-ws's `subscribe`. */
  subscriptions: SubscriptionService;
}): { close(): Promise<void>; connections(): number } {
  const wss = new WebSocketServer({ server: opts.httpServer, path: opts.path });
  const states = new WeakMap<object, ConnectionState>();
  const documents = createDocumentCache();

  const disposable = useServer<Record<string, unknown> | undefined, { state?: ConnectionState }>(
    {
      schema: () => opts.schema(),
      parse: (source) => documents.parse(source),
      validate: (schema, document) => documents.validate(schema, document),
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof raw === 'string' ? raw : undefined;
        try {
          // Subscriptions are per user: a connection must be signed in.
          const viewer = await opts.verifier.fromAuthorization(authorization);
          if (!viewer) throw errors.unauthenticated();
          const context: GatewayContext = { viewer, authorization, clientIp: opts.clientIp(ctx.extra.request) };
          const state: ConnectionState = { context };
          const ms = Math.min(viewer.expiresAt.getTime() - Date.now(), 2 ** 31 - 1);
          state.expiryTimer = setTimeout(() => ctx.extra.socket.close(CloseCode.Unauthorized, 'Access token expired'), ms);
          state.expiryTimer.unref();
          states.set(ctx.extra.socket, state);
          // Watched (revocation, lost subscription sources) until the socket closes, however it closes.
          const unwatch = opts.subscriptions.watchConnection(context, (code, reason) => ctx.extra.socket.close(code, reason));
          ctx.extra.socket.once('close', unwatch);
          return true;
        } catch (err) {
          opts.logger.debug({ err }, 'websocket connection refused');
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
      },
      onDisconnect: (ctx) => {
        const state = states.get(ctx.extra.socket);
        if (state?.expiryTimer) clearTimeout(state.expiryTimer);
      },
      context: (ctx) => states.get(ctx.extra.socket)?.context ?? { viewer: null, authorization: undefined, clientIp: '' },
      // Subscription operations: planned and run by the gateway's subscription service.
      subscribe: (args) => opts.subscriptions.subscribe(args),
      // Queries and mutations over the socket take the HTTP path's pipeline (limits, gateway).
      execute: async (args) => {
        // After the subscriptions this socket started before are live: a catch-up query sent
        // right after resubscribing misses nothing (subscriptions/service.ts, `settled`).
        await opts.subscriptions.settled(args.contextValue as GatewayContext);
        const response = await opts.apollo.executeOperation(
          {
            query: print(args.document),
            variables: args.variableValues ?? undefined,
            operationName: args.operationName ?? undefined,
          },
          { contextValue: args.contextValue as GatewayContext },
        );
        if (response.body.kind !== 'single') {
          return { errors: [errors.badInput('operation', 'incremental delivery is not supported over WebSocket')] };
        }
        return response.body.singleResult as ExecutionResult;
      },
    },
    wss,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
