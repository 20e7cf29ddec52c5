import type { DocumentNode } from 'graphql';
import {
  buildOperationContext,
  executeQueryPlan,
  type GraphQLDataSource,
  type ServiceMap,
} from '@apollo/gateway';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewaySchemaHash } from '@apollo/server-gateway-interface';
import type { Logger } from '@plaza/common/core';
import type { GatewayContext } from '../context.js';
import { PlazaDataSource } from '../data-source.js';
import { createSubgraphFetcher } from '../subgraph-fetch.js';
import { GraphQLError, getOperationAST, print } from './graphql-runtime.js';
import type { PreparedSubscription, SubscriptionPlanner, UpstreamEvent } from './planner.js';

export interface ApolloSubscriptionPlannerOptions {
  supergraphSdl: string;
  subgraphUrl: (name: string, url: string | undefined) => string;
  subgraphTimeoutMs: number;
  logger: Logger;
}

/** Apollo Server's cache interface, unused by executeQueryPlan: nothing is kept. */
const NO_CACHE = {
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(true),
};

/**
 * Subscriptions on stock @apollo/gateway's executor (GATEWAY_EXECUTOR=apollo): the same planner,
 * and `executeQueryPlan` for each event. `executeQueryPlan` refuses a `SubscriptionNode` and
 * always starts from empty data, so each event runs the plan `Sequence[primary, rest]` in which
 * the primary fetch is answered by the event itself (a data source for the owning subgraph that
 * returns the event for the primary's operation and passes every other fetch on). Everything
 * else (rest fetches with Plaza's data sources, error paths, result shaping) is Apollo's.
 */
export function createApolloSubscriptionPlanner(opts: ApolloSubscriptionPlannerOptions): SubscriptionPlanner {
  const supergraph = Supergraph.build(opts.supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const apiGraphQLSchema = apiSchema.toGraphQLJSSchema();
  const supergraphGraphQLSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const fetcher = createSubgraphFetcher(opts.subgraphTimeoutMs);
  let fetches = 0;
  const services: ServiceMap = {};
  for (const { name, url } of supergraph.subgraphsMetadata()) {
    const source = new PlazaDataSource(name, { url: opts.subgraphUrl(name, url), fetcher });
    services[name] = {
      process: (options) => {
        fetches++;
        return source.process(options as Parameters<PlazaDataSource['process']>[0]);
      },
    };
  }

  function prepare(document: DocumentNode, operationName: string | undefined): PreparedSubscription {
    const operation = operationFromDocument(apiSchema, document, { operationName });
    const plan = planner.buildQueryPlan(operation);
    const node = plan.node;
    if (node?.kind !== 'Subscription') throw new GraphQLError('Not a subscription operation.');
    const primary: FetchNode = node.primary;
    const owner = services[primary.serviceName];
    if (!owner) throw new Error(`no data source for subgraph ${primary.serviceName}`);
    const runnable: QueryPlan = {
      kind: 'QueryPlan',
      node: { kind: 'Sequence', nodes: node.rest ? [primary, node.rest] : [primary] },
    };
    const operationContext = buildOperationContext({ schema: apiGraphQLSchema, operationDocument: document, operationName });
    const definition = getOperationAST(document, operationName);
    if (!definition) throw new GraphQLError('Unable to identify operation.');
    const source = print(document);

    return {
      service: primary.serviceName,
      query: primary.operation,
      operationName: primary.operationName,
      variableUsages: primary.variableUsages ?? [],
      resolve(event: UpstreamEvent, variables, headers) {
        /** The owning subgraph, answering the primary fetch with this event. */
        const eventSource: GraphQLDataSource = {
          process: (options) =>
            options.request.query === primary.operation
              ? Promise.resolve({ data: event.data ?? null, ...(event.errors ? { errors: event.errors } : {}) })
              : owner.process(options),
        };
        const context: GatewayContext = { viewer: null, authorization: headers.authorization, clientIp: headers.clientIp ?? '' };
        const requestContext: GatewayGraphQLRequestContext<GatewayContext> = {
          request: { query: source, variables, ...(operationName ? { operationName } : {}) },
          logger: opts.logger,
          schema: apiGraphQLSchema,
          schemaHash: '' as GatewaySchemaHash,
          context,
          cache: NO_CACHE,
          queryHash: '',
          document,
          source,
          operationName: operationName ?? null,
          operation: definition,
          metrics: { captureTraces: false },
          overallCachePolicy: {},
        };
        return executeQueryPlan(
          runnable,
          { ...services, [primary.serviceName]: eventSource },
          requestContext,
          operationContext,
          supergraphGraphQLSchema,
          apiSchema,
        );
      },
    };
  }

  return { executor: 'apollo', prepare, fetches: () => fetches };
}
