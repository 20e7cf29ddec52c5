import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { maskError } from './errors.js';
import type { Logger } from './logger.js';


export interface SubgraphServerOptions<TContext> {
  /** The subgraph's name in the supergraph. */
  name: string;
  typeDefs: DocumentNode;
  /** Resolvers typed by the subgraph (its generated `Resolvers`); checked against the SDL there. */
  resolvers: object;
  /** Builds the per-request context (viewer, loaders); may throw UNAUTHENTICATED. */
  context: (req: IncomingMessage) => Promise<TContext>;
  logger: Logger;
  /** Dependency checks for /readyz; every value must be true to be ready. */
  readiness: () => Promise<Record<string, boolean>>;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Largest accepted request body. Default 1 MB. */
  bodyLimit?: string;
  /** Schema introspection (development only; the gateway never needs it, it has the supergraph). */
  introspection: boolean;
  /**
   * Serves more on the same port and path before listening (messaging's graphql-ws for its
   * subscriptions), with the subgraph's executable schema. Its closer runs first at close.
   */
  attach?: SubgraphAttachment;
}

/** Extra protocols on a subgraph's HTTP server: attached before it listens, closed before it drains. */
export type SubgraphAttachment = (target: { httpServer: Server; schema: GraphQLSchema; path: string }) => () => Promise<void>;

export interface RunningServer {
  url: string;
  port: number;
  close: () => Promise<void>;
}

/** Serves one subgraph over HTTP at /graphql with /healthz and /readyz. */
export async function startSubgraphServer<TContext extends object>(
  opts: SubgraphServerOptions<TContext>,
): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  // buildSubgraphSchema types resolvers loosely; ours are typed from the SDL by codegen.
  const schema = buildSubgraphSchema({ typeDefs: opts.typeDefs, resolvers: opts.resolvers as GraphQLResolverMap<unknown> });
  const apollo = new ApolloServer<TContext>({
    schema,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Federated tracing costs every request; Plaza exports metrics and traces its own way.
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints anywhere in Plaza's schemas, and the gateway does not read a subgraph's
      // Cache-Control: the default cache-control plugin would only wrap every resolver of every
      // request (Apollo instruments resolvers when a plugin has willResolveField).
      ApolloServerPluginCacheControlDisabled(),
    ],
    includeStacktraceInErrorResponses: false,
    // Set from the subgraph's configuration, not from Apollo's own reading of NODE_ENV.
    introspection: opts.introspection,
    // runMain owns shutdown (drain, stop consumers, close pools); Apollo's own signal handlers
    // would race it and leave the process hanging.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) =>
      maskError(formatted, unwrapResolverError(error), (err) =>
        opts.logger.error({ err, path: formatted.path }, 'unexpected error in resolver'),
      ),
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await opts.readiness();
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.use(
    '/graphql',
    express.json({ limit: opts.bodyLimit ?? '1mb' }),
    expressMiddleware(apollo, { context: ({ req }) => opts.context(req) }),
  );

  const detach = opts.attach?.({ httpServer, schema, path: '/graphql' });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}/graphql`;
  opts.logger.info({ url }, `${opts.name} subgraph listening`);
  return {
    url,
    port,
    close: async () => {
      await detach?.();
      await apollo.stop();
    },
  };
}
