import type { GraphQLSchema } from 'graphql';
import { getVariableValues } from './graphql-runtime.js';
import type {
  GatewayExecutionResult,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import { executePrepared } from './execute.js';
import { createLru } from './operation-cache.js';
import { prepareOperation, type PrepareOptions, type PreparedOperation } from './prepare.js';
import { createSupergraphBundle, type SupergraphBundle } from './supergraph.js';
import { createHttpTransport, type ForwardedHeaders, type SubgraphTransport } from './transport.js';

/** How one request's plan gets run: by default Plaza's executor over HTTP. */
export type PlanRunner = (args: {
  prepared: PreparedOperation;
  requestContext: GatewayGraphQLRequestContext;
  variables: Record<string, unknown> | undefined;
  headers: ForwardedHeaders;
  /** Overrides the gateway's HTTP transport for this request (the differential mode replays). */
  transport?: SubgraphTransport;
}) => Promise<GatewayExecutionResult>;

export interface PlazaGatewayOptions {
  supergraphSdl: string;
  /** The URL to use for a subgraph (overrides applied), given its name and supergraph URL. */
  subgraphUrl: (name: string, url: string | undefined) => string;
  /** Per subgraph fetch, ms. */
  subgraphTimeoutMs: number;
  /** Share identical in-flight query fetches between requests. Default true. */
  dedupeSubgraphFetches?: boolean;
  /** Combine entity fetches to one subgraph that are ready together into one request. Default true. */
  coalesceFetches?: boolean;
  /**
   * Share the answer of identical in-flight client queries (same document, operation, variables
   * and Authorization). Default false.
   */
  dedupeInbound?: boolean;
  /**
   * Plan with the planner's `typeConditionedFetching`: entity fetches below an abstract type carry
   * the types they are for, and Plaza's executor sends representations only for entities of those
   * types (stock @apollo/gateway cannot run such plans; not with the differential runner). Fewer
   * fetches, and no errors from subgraphs asked about entities of a branch that did not occur.
   * Default false.
   */
  typeConditionedFetching?: boolean;
  /** Prepared operations kept (LRU). Default 1,000. */
  operationCacheSize?: number;
  /** Reads the forwarded headers from Apollo Server's per-request context. */
  forwardedHeaders: (context: Record<string, unknown>) => ForwardedHeaders;
  /** Replaces how plans run (the differential mode wraps the default). */
  runner?: (defaults: { run: PlanRunner; bundle: SupergraphBundle; transport: SubgraphTransport }) => PlanRunner;
}

export interface PlazaGateway extends GatewayInterface {
  /** Subgraph name → URL, once loaded. */
  readonly subgraphs: ReadonlyMap<string, string>;
  bundle(): SupergraphBundle;
  transport(): SubgraphTransport;
  /** Prepared operations currently cached. */
  cachedOperations(): number;
}

/**
 * An Apollo Server gateway (GatewayInterface) that plans with Apollo's QueryPlanner and runs plans
 * with Plaza's executor. Everything that does not depend on variables is prepared once per
 * (document hash, operation name) and cached.
 */
export function createPlazaGateway(options: PlazaGatewayOptions): PlazaGateway {
  const listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  const subgraphs = new Map<string, string>();
  const cache = createLru<PreparedOperation>(options.operationCacheSize ?? 1_000);
  const prepareOptions: PrepareOptions = {
    recursiveSelectionsLimitDisabled: process.env.APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK === 'true',
    nonLocalSelectionsLimitDisabled: process.env.APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK === 'true',
  };
  let bundle: SupergraphBundle | undefined;
  let transport: SubgraphTransport | undefined;
  let runner: PlanRunner | undefined;
  const inbound = new Map<string, Promise<GatewayExecutionResult>>();

  const executor = async (requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> => {
    if (!bundle || !runner) throw new Error('gateway not loaded');
    const { request, document, queryHash } = requestContext;
    const key = request.operationName ? `${queryHash}\0${request.operationName}` : queryHash;
    let prepared = cache.get(key);
    if (!prepared) {
      prepared = prepareOperation(bundle, document, request.operationName, prepareOptions);
      cache.set(key, prepared);
    }
    // Variables are coerced and checked per request, as @apollo/gateway does before planning.
    const definitions = prepared.definition.variableDefinitions;
    if (definitions && definitions.length > 0) {
      const { errors } = getVariableValues(bundle.apiGraphQLSchema, definitions, request.variables ?? {});
      if (errors) return { errors };
    }
    const headers = options.forwardedHeaders(requestContext.context);
    const go = runner;
    const execute = () => go({ prepared, requestContext, variables: request.variables, headers });
    if (!options.dedupeInbound || prepared.kind !== 'query') return execute();
    // The shared answer is read-only from here on: Apollo Server formats errors into new objects
    // and serializes data without changing it.
    const inboundKey = `${key}\0${headers.authorization ?? ''}\0${request.variables ? JSON.stringify(request.variables) : ''}`;
    let pending = inbound.get(inboundKey);
    if (!pending) {
      pending = execute();
      inbound.set(inboundKey, pending);
      const forget = () => {
        inbound.delete(inboundKey);
      };
      pending.then(forget, forget);
    }
    return pending;
  };

  return {
    subgraphs,
    bundle: () => {
      if (!bundle) throw new Error('gateway not loaded');
      return bundle;
    },
    transport: () => {
      if (!transport) throw new Error('gateway not loaded');
      return transport;
    },
    cachedOperations: () => cache.size,
    onSchemaLoadOrUpdate(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    load(): Promise<GatewayLoadResult> {
      if (options.typeConditionedFetching && options.runner) throw new Error('typeConditionedFetching: plans Apollo\'s executor cannot run (no differential runner)');
      bundle = createSupergraphBundle(options.supergraphSdl, { plannerConfig: { typeConditionedFetching: options.typeConditionedFetching ?? false } });
      for (const { name, url } of bundle.subgraphs) subgraphs.set(name, options.subgraphUrl(name, url));
      transport = createHttpTransport({
        urls: subgraphs,
        timeoutMs: options.subgraphTimeoutMs,
        dedupe: options.dedupeSubgraphFetches ?? true,
      });
      const apiSchema: GraphQLSchema = bundle.apiGraphQLSchema;
      const t = transport;
      const run: PlanRunner = ({ prepared, variables, headers, transport: override }) =>
        // A replaying transport (differential mode) answers fetch by fetch: no coalescing there.
        executePrepared(prepared, { transport: override ?? t, apiSchema, variables, headers, coalesce: !override && options.coalesceFetches !== false });
      runner = options.runner ? options.runner({ run, bundle, transport }) : run;
      for (const listener of listeners) listener({ apiSchema, coreSupergraphSdl: options.supergraphSdl });
      return Promise.resolve({ executor });
    },
    async stop() {
      cache.clear();
      await transport?.close();
    },
  };
}
