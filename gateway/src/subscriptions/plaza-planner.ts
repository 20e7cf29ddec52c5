import type { GraphQLFormattedError } from 'graphql';
import { executePrepared, prepareOperation, type PlazaGateway, type SubgraphTransport } from '../executor/index.js';
import { GraphQLError } from './graphql-runtime.js';
import type { SubscriptionPlanner } from './planner.js';

/**
 * The primary's own errors in the client's answer, as @apollo/gateway reports any fetch's: the
 * subgraph's message, path and extensions, plus `serviceName` (DOWNSTREAM_SERVICE_ERROR without a
 * code of its own). Paths need no rewriting: the primary is a root fetch.
 */
export function primaryErrors(errors: readonly GraphQLFormattedError[], service: string): GraphQLError[] {
  return errors.map(
    (e) =>
      new GraphQLError(e.message || `Error while fetching subquery from service "${service}"`, {
        path: e.path,
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', ...e.extensions, serviceName: service },
      }),
  );
}

/**
 * Subscriptions on Plaza's executor (GATEWAY_EXECUTOR=plaza, the default): planned and compiled by
 * `prepareOperation`, each event completed by `executePrepared` from the event's data, over the
 * gateway's own subgraph transport (keep-alive pools, in-flight de-duplication, coalescing), as
 * the executor's README describes.
 */
export function createPlazaSubscriptionPlanner(planExecutor: PlazaGateway, opts: { coalesce: boolean }): SubscriptionPlanner {
  let fetches = 0;
  /** The gateway's transport, counting what subscription events send. */
  const transport: SubgraphTransport = {
    send(request) {
      fetches++;
      return planExecutor.transport().send(request);
    },
    // The gateway closes its own transport.
    close: () => Promise.resolve(),
    stats: () => planExecutor.transport().stats(),
  };
  return {
    executor: 'plaza',
    fetches: () => fetches,
    prepare(document, operationName) {
      const bundle = planExecutor.bundle();
      const prepared = prepareOperation(bundle, document, operationName);
      const primary = prepared.subscriptionPrimary;
      if (prepared.kind !== 'subscription' || !primary) throw new GraphQLError('Not a subscription operation.');
      return {
        service: primary.service,
        query: primary.node.operation,
        operationName: primary.node.operationName,
        variableUsages: primary.variableUsages,
        async resolve(event, variables, headers) {
          const result = await executePrepared(prepared, {
            transport,
            coalesce: opts.coalesce,
            apiSchema: bundle.apiGraphQLSchema,
            variables,
            headers,
            rootValue: event.data ?? {},
          });
          if (!event.errors?.length) return result;
          return { ...result, errors: [...primaryErrors(event.errors, primary.service), ...(result.errors ?? [])] };
        },
      };
    },
  };
}
