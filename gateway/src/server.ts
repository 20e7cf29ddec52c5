import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import express, { type ErrorRequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  clientIp,
  closeAll,
  createLogger,
  createRedis,
  createTokenVerifier,
  maskError,
  resolvePublicKey,
} from '@plaza/common/core';
import { contextFromHttp, type GatewayContext } from './context.js';
import { createGatewayFor, isPlazaGateway } from './executor-choice.js';
import type { PlazaGateway } from './executor/gateway.js';
import type { GatewayConfig } from './environment.js';
import { createExplorer } from './explorer/index.js';
import { csrfPrevention, legacyJsonStatusPlugin } from './http-spec.js';
import { queryLimitRules } from './limits.js';
import { inboundDedup, type InboundDedupStats, type RawBodyRequest } from './inbound-dedup.js';
import { createGatewaySubscriptions, type SubscriptionService } from './subscriptions/index.js';
import { attachWebSocketServer } from './websocket.js';

export interface RunningGateway {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  /**
   * Plaza's executor (plan cache, supergraph bundle, subgraph transport) when GATEWAY_EXECUTOR is
   * `plaza` or `differential`: what federated subscriptions run their `rest` plans with.
   */
  planExecutor: PlazaGateway | undefined;
  /** Federated subscriptions over graphql-ws (subscriptions/): their figures in `stats()`. */
  subscriptions: SubscriptionService;
  /** Inbound de-duplication's figures, when GATEWAY_INBOUND_DEDUP is on. */
  inboundDedup: (() => InboundDedupStats) | undefined;
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

/**
 * Reads the supergraph and applies per-subgraph URL overrides (by subgraph name). The gateway
 * serves whatever supergraph it is given; nothing here is specific to Plaza's subgraphs.
 */
function subgraphUrlFor(config: GatewayConfig, name: string, url: string | undefined): string {
  const override = config.subgraphUrls[name.toLowerCase()];
  const resolved = override ?? url;
  if (!resolved) throw new Error(`subgraph ${name} has no URL; set SUBGRAPH_URL_${name.toUpperCase()}`);
  return resolved;
}

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const logger = createLogger('gateway', config.logLevel);
  const supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  const redis = createRedis(config.redis.url, 'plaza-gateway', logger);
  const verifier = await createTokenVerifier({
    publicKeyPem: resolvePublicKey({ production: config.production, home: config.home, publicKeyPem: config.auth.publicKeyPem }),
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    redis,
  });
  const subgraphs = new Map<string, string>();

  const gateway = createGatewayFor(config, supergraphSdl, logger, subgraphs, (name, url) => {
    const resolved = subgraphUrlFor(config, name, url);
    subgraphs.set(name, resolved);
    return resolved;
  });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    apiSchema = schema;
  });

  const app = express();
  app.disable('x-powered-by');
  // No ETag: Express would hash every answer (87 KB for the benchmark's deep query) for a header
  // that POST responses never use; the explorer's assets carry their own caching headers.
  app.set('etag', false);
  app.set('trust proxy', config.server.trustProxy);
  const httpServer = createServer(app);
  const ipOf = (req: IncomingMessage) => clientIp(req, { trustProxy: config.server.trustProxy });

  // Apollo Sandbox, falling back to the gateway's own GraphiQL at /explorer when offline.
  const explorer = createExplorer({ enabled: config.landingPage, graphqlPath: GRAPHQL_PATH, home: config.home, logger });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    // Plaza's own rule (http-spec.ts), which lets non-browser GET requests through.
    csrfPrevention: false,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // runMain owns shutdown (drain, stop consumers, close pools); Apollo's own signal handlers
    // would race it and leave the process hanging.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.limits.tokens },
    validationRules: queryLimitRules(config.limits),
    plugins: [
      legacyJsonStatusPlugin<GatewayContext>(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      explorer.landingPagePlugin,
    ],
    formatError: (formatted, error) =>
      maskError(formatted, unwrapResolverError(error), (err) => logger.error({ err }, 'unexpected gateway error')),
  });
  await apollo.start();
  // Subscriptions run their `rest` plans on the executor that runs queries.
  const subscriptions = createGatewaySubscriptions({
    supergraphSdl,
    planExecutor: isPlazaGateway(gateway) ? gateway : undefined,
    coalesceFetches: config.executor.coalesceFetches,
    subgraphUrl: (name, url) => subgraphUrlFor(config, name, url),
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    redis,
    validationRules: queryLimitRules(config.limits),
    logger,
  });
  const ws = attachWebSocketServer({
    httpServer,
    path: GRAPHQL_PATH,
    apollo,
    schema: () => {
      if (!apiSchema) throw new Error('supergraph not loaded');
      return apiSchema;
    },
    verifier,
    clientIp: ipOf,
    logger,
    subscriptions,
  });

  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, boolean> = {};
    await Promise.all(
      [...subgraphs].map(async ([name, url]) => {
        try {
          const r = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ __typename }' }),
            signal: AbortSignal.timeout(2_000),
          });
          checks[name] = r.ok;
        } catch {
          checks[name] = false;
        }
      }),
    );
    const ready = subgraphs.size > 0 && Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', subgraphs: checks });
  });
  app.use(explorer.middleware);
  // Identical in-flight queries share one answer (off by default; inbound-dedup.ts).
  const dedup = config.executor.inboundDedup ? inboundDedup() : undefined;
  app.use(
    GRAPHQL_PATH,
    cors(config.server.corsOrigins === '*' ? { origin: true } : { origin: config.server.corsOrigins }),
    csrfPrevention(),
    express.json({
      limit: config.server.bodyLimitBytes,
      verify: dedup
        ? (req, _res, raw) => {
            (req as RawBodyRequest).rawBody = raw;
          }
        : undefined,
    }),
    ...(dedup ? [dedup.middleware] : []),
    expressMiddleware(apollo, { context: ({ req }) => contextFromHttp(req, verifier, config.server.trustProxy) }),
  );
  // Body parser failures (too large, malformed JSON) as GraphQL-shaped JSON, not an HTML page.
  const onError: ErrorRequestHandler = (err: { status?: number; type?: string; message?: string }, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'request failed');
    const message =
      err.type === 'entity.too.large'
        ? `Request body exceeds ${config.server.bodyLimitBytes} bytes.`
        : status === 500
          ? 'Internal server error'
          : (err.message ?? 'Bad request');
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  };
  app.use(onError);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    if (config.server.host) httpServer.listen(config.server.port, config.server.host, () => resolve());
    else httpServer.listen(config.server.port, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = !config.server.host || config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host;
  const url = `http://${host}:${port}${GRAPHQL_PATH}`;
  logger.info({ url, subgraphs: Object.fromEntries(subgraphs) }, 'gateway listening');
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    port,
    planExecutor: isPlazaGateway(gateway) ? gateway : undefined,
    subscriptions,
    inboundDedup: dedup ? () => dedup.stats() : undefined,
    close: () =>
      closeAll([
        () => ws.close(),
        () => subscriptions.close(),
        () => apollo.stop(),
        () => explorer.close(),
        () => {
          redis.disconnect();
          return Promise.resolve();
        },
      ]),
  };
}
