import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { createDifferentialRunner, normalizeResult, recordFetch, type Mismatch, type RecordedFetch } from '../../src/executor/differential.js';
import { createPlazaGateway, type PlazaGateway } from '../../src/executor/gateway.js';

/** One subgraph of a fixture graph, as Apollo's own fixtures are written. */
export interface FixtureSubgraph {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<unknown>;
}

export interface FixtureGraph {
  supergraphSdl: string;
  urls: Map<string, string>;
  close(): Promise<void>;
}

/**
 * Composes the subgraphs with @apollo/composition and serves each with @apollo/subgraph on a free
 * port. Throws with composition's messages when they do not compose.
 */
export async function startFixtureGraph(subgraphs: FixtureSubgraph[]): Promise<FixtureGraph> {
  const servers: ApolloServer[] = [];
  const listeners: Server[] = [];
  const urls = new Map<string, string>();
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(listeners.map((l) => new Promise((resolve) => l.close(resolve))));
  };
  for (const s of subgraphs) {
    const server = new ApolloServer({
      schema: buildSubgraphSchema({ typeDefs: s.typeDefs, resolvers: s.resolvers }),
      plugins: [ApolloServerPluginInlineTraceDisabled()],
      stopOnTerminationSignals: false,
    });
    await server.start();
    const app = express();
    app.use(express.json(), expressMiddleware(server));
    const listener = createServer(app);
    // Idle keep-alive sockets stay open longer than any test: on a loaded machine a gateway could
    // otherwise reuse a socket the subgraph is closing at that moment (ECONNRESET).
    listener.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    listeners.push(listener);
    urls.set(s.name, `http://127.0.0.1:${(listener.address() as AddressInfo).port}/`);
  }
  const composed = composeServices(subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: urls.get(s.name)! })));
  if (composed.errors) {
    await stopAll();
    throw new Error(`fixture does not compose: ${composed.errors.map((e) => e.message).join('; ')}`);
  }
  return {
    supergraphSdl: composed.supergraphSdl,
    urls,
    close: async () => {
      for (const l of listeners) l.closeAllConnections();
      await stopAll();
    },
  };
}

export interface OperationResult {
  data?: unknown;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

interface TestContext {
  authorization?: string;
  clientIp?: string;
}

class ForwardingDataSource extends RemoteGraphQLDataSource<TestContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<TestContext>['willSendRequest']>>[0]): void {
    const authorization = (context as TestContext).authorization;
    if (authorization) request.http?.headers.set('authorization', authorization);
  }
}

class RecordingForwardingDataSource extends ForwardingDataSource {
  constructor(
    readonly subgraphName: string,
    url: string,
    private readonly record: (fetch: RecordedFetch) => void,
  ) {
    super({ url });
  }

  override process(options: Parameters<RemoteGraphQLDataSource['process']>[0]) {
    return recordFetch(this.subgraphName, options.request, () => super.process(options), this.record);
  }
}

async function serverFor(gateway: GatewayInterface): Promise<ApolloServer<TestContext>> {
  const server = new ApolloServer<TestContext>({ gateway, stopOnTerminationSignals: false, includeStacktraceInErrorResponses: false });
  await server.start();
  return server;
}

async function run(server: ApolloServer<TestContext>, query: string, variables?: Record<string, unknown>, context: TestContext = {}): Promise<OperationResult> {
  const response = await server.executeOperation({ query, variables }, { contextValue: context });
  if (response.body.kind !== 'single') throw new Error('incremental delivery is not expected');
  const { data, errors, extensions } = response.body.singleResult;
  return { data, errors, extensions };
}

/**
 * Three gateways over one fixture graph: stock Apollo, Plaza, and Plaza in differential mode
 * (Apollo and Plaza on every operation, answers compared; differences collected).
 */
export interface ExecutorTrio {
  apollo(query: string, variables?: Record<string, unknown>, context?: TestContext): Promise<OperationResult>;
  plaza(query: string, variables?: Record<string, unknown>, context?: TestContext): Promise<OperationResult>;
  differential(query: string, variables?: Record<string, unknown>, context?: TestContext): Promise<OperationResult>;
  mismatches: Mismatch[];
  plazaGateway: PlazaGateway;
  close(): Promise<void>;
}

export async function startExecutors(graph: FixtureGraph, options: { dedupe?: boolean; typeConditionedFetching?: boolean } = {}): Promise<ExecutorTrio> {
  const apolloGateway = new ApolloGateway({
    supergraphSdl: graph.supergraphSdl,
    buildService: ({ url }) => new ForwardingDataSource({ url }),
  });
  const common = {
    supergraphSdl: graph.supergraphSdl,
    subgraphUrl: (name: string) => graph.urls.get(name)!,
    subgraphTimeoutMs: 10_000,
    forwardedHeaders: (context: Record<string, unknown>) => ({
      authorization: (context as TestContext).authorization,
      clientIp: (context as TestContext).clientIp,
    }),
  };
  const plazaGateway = createPlazaGateway({ ...common, dedupeSubgraphFetches: options.dedupe ?? true, typeConditionedFetching: options.typeConditionedFetching });
  const mismatches: Mismatch[] = [];
  const differentialGateway = createPlazaGateway({
    ...common,
    dedupeSubgraphFetches: false,
    runner: (defaults) =>
      createDifferentialRunner(defaults, graph.urls, {
        createDataSource: (name, url, record) => new RecordingForwardingDataSource(name, url, record),
        onMismatch: (m) => mismatches.push(m),
      }),
  });
  const servers = await Promise.all([serverFor(apolloGateway), serverFor(plazaGateway), serverFor(differentialGateway)]);
  const [a, p, d] = servers;
  return {
    apollo: (q, v, c) => run(a, q, v, c),
    plaza: (q, v, c) => run(p, q, v, c),
    differential: (q, v, c) => run(d, q, v, c),
    mismatches,
    plazaGateway,
    close: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/** The answer as compared: data, errors as a multiset (message, path, extensions), extensions. */
export function comparable(result: OperationResult): unknown {
  return normalizeResult(result as Parameters<typeof normalizeResult>[0]);
}
