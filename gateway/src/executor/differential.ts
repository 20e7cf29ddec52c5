import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from './graphql-runtime.js';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import type { PlanRunner } from './gateway.js';
import type { SupergraphBundle } from './supergraph.js';
import type { SubgraphRequest, SubgraphResponse, SubgraphTransport } from './transport.js';

/**
 * Differential mode: every operation runs through Apollo's `executeQueryPlan` and through Plaza's
 * executor, on the same plan, and the two answers are compared (data, errors with their messages,
 * paths and extensions, and `extensions`).
 *
 * Side effects are not doubled: Apollo's run talks to the subgraphs and every subgraph answer is
 * recorded; Plaza's run is answered from that recording (a mutation is never sent twice). Entity
 * fetches are replayed per representation, since Plaza sends each distinct representation once
 * where Apollo sends every copy. A query fetch the recording cannot answer goes to the subgraph; a
 * mutation fetch it cannot answer is a difference.
 *
 * Error order is not compared (both follow the subgraphs' order, which may differ when one
 * representation stands for several entities); everything else must be equal.
 */

export interface RecordedFetch {
  service: string;
  query: string;
  variables: Record<string, unknown> | undefined;
  response?: SubgraphResponse;
  error?: unknown;
}

/**
 * Runs one fetch of an Apollo data source (`run`: its `process`) and records it for the replay,
 * answer or failure. Variables and answer are copied: Apollo merges the answer's objects into its
 * result and mutates them later.
 */
export async function recordFetch<R extends { http?: unknown }>(
  service: string,
  request: { query?: string; variables?: Record<string, unknown> },
  run: () => Promise<R>,
  record: (fetch: RecordedFetch) => void,
): Promise<R> {
  const { query = '', variables } = request;
  const snapshot = variables ? (JSON.parse(JSON.stringify(variables)) as Record<string, unknown>) : undefined;
  try {
    const response = await run();
    const { http: _http, ...body } = response;
    record({ service, query, variables: snapshot, response: JSON.parse(JSON.stringify(body)) as RecordedFetch['response'] });
    return response;
  } catch (error) {
    record({ service, query, variables: snapshot, error });
    throw error;
  }
}

export interface Mismatch {
  operationName: string | null;
  query: string | undefined;
  variables: Record<string, unknown> | undefined;
  apollo: unknown;
  plaza: unknown;
}

export interface DifferentialOptions {
  /** A data source for Apollo's run that reports every answer it gets to `record`. */
  createDataSource: (name: string, url: string, record: (fetch: RecordedFetch) => void) => GraphQLDataSource;
  onMismatch: (mismatch: Mismatch) => void;
  /** Which answer the client gets. Default `plaza`. */
  answer?: 'plaza' | 'apollo';
}

function stable(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(obj[k])}`)
    .join(',')}}`;
}

/** What a data source threw (always an Error in practice). */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** An answer as a client would see it, with errors as a sorted multiset. */
export function normalizeResult(result: ExecutionResult | GatewayExecutionResult): unknown {
  const errorShape = (e: unknown): unknown => {
    if (e instanceof GraphQLError) {
      const { message, path, extensions } = e.toJSON();
      return { message, path, extensions: clone(extensions) };
    }
    if (e instanceof Error) return { message: e.message, nonGraphQL: true };
    return e;
  };
  const errors = result.errors?.map(errorShape).map(stable).sort();
  const extensions = result.extensions
    ? Object.fromEntries(
        Object.entries(result.extensions).map(([k, v]) => [k, Array.isArray(v) ? v.map(errorShape).map(stable).sort() : clone(v)]),
      )
    : undefined;
  return JSON.parse(stable({ data: result.data, errors, extensions })) as unknown;
}

/** Replays recorded answers to Plaza's run; see the module comment. */
export function createReplayTransport(recorded: RecordedFetch[], live: SubgraphTransport, unanswerable: (why: string) => void): SubgraphTransport {
  const used = new Set<RecordedFetch>();
  return {
    stats: () => live.stats(),
    close: async () => {},
    async send(request: SubgraphRequest): Promise<SubgraphResponse> {
      const body = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
      const { representations, ...others } = body.variables ?? {};
      const othersKey = stable(others);
      const candidates = recorded.filter(
        (r) => r.service === request.service && r.query === body.query && stable(omitRepresentations(r.variables)) === othersKey,
      );
      if (!Array.isArray(representations)) {
        const match = candidates.find((r) => !used.has(r)) ?? candidates[0];
        if (match) {
          used.add(match);
          if (match.error !== undefined) throw asError(match.error);
          return clone(match.response!);
        }
      } else {
        const answer = replayEntities(candidates, representations);
        if (answer) return answer;
      }
      if (request.kind !== 'query') {
        unanswerable(`Plaza sent a ${request.kind} to ${request.service} that Apollo did not: ${body.query}`);
        throw new Error('differential: unrecorded non-query fetch');
      }
      return live.send(request);
    },
  };
}

function omitRepresentations(variables: Record<string, unknown> | undefined): Record<string, unknown> {
  const { representations: _ignored, ...others } = variables ?? {};
  return others;
}

/** Builds the answer to an entity fetch from Apollo's answers for the same representations. */
function replayEntities(candidates: RecordedFetch[], representations: unknown[]): SubgraphResponse | undefined {
  const byRep = new Map<string, { entity: unknown; errors: GraphQLFormattedError[]; fetch: RecordedFetch }>();
  for (const r of candidates) {
    if (r.error !== undefined) continue;
    const reps = r.variables?.representations;
    const entities = r.response?.data?._entities;
    if (!Array.isArray(reps) || !Array.isArray(entities)) continue;
    reps.forEach((rep, i) => {
      const key = stable(rep);
      if (byRep.has(key)) return;
      const errors = (r.response?.errors ?? []).filter((e) => e.path?.[1] === i);
      byRep.set(key, { entity: entities[i], errors, fetch: r });
    });
  }
  // A failed fetch (thrown, or without data) replays as it failed.
  const failed = candidates.find((r) => r.error !== undefined || !r.response?.data);
  const found = representations.map((rep) => byRep.get(stable(rep)));
  if (found.some((f) => !f)) {
    if (!failed) return undefined;
    if (failed.error !== undefined) throw asError(failed.error);
    return clone(failed.response!);
  }
  const sources = new Set(found.map((f) => f!.fetch));
  const errors: GraphQLFormattedError[] = [];
  // Errors of the fetch as a whole (no entity index) come once per recorded fetch.
  for (const source of sources) {
    for (const e of source.response?.errors ?? []) if (typeof e.path?.[1] !== 'number') errors.push(clone(e));
  }
  found.forEach((f, j) => {
    for (const e of f!.errors) errors.push({ ...clone(e), path: [e.path![0]!, j, ...e.path!.slice(2)] });
  });
  const response: SubgraphResponse = { data: { _entities: found.map((f) => clone(f!.entity)) } };
  if (errors.length > 0 || [...sources].some((s) => s.response?.errors)) response.errors = errors;
  return response;
}

/** Wraps Plaza's default runner: Apollo first (recorded), then Plaza (replayed), compared. */
export function createDifferentialRunner(
  defaults: { run: PlanRunner; bundle: SupergraphBundle; transport: SubgraphTransport },
  subgraphs: ReadonlyMap<string, string>,
  options: DifferentialOptions,
): PlanRunner {
  const { bundle } = defaults;
  return async (args) => {
    const { prepared, requestContext } = args;
    const recorded: RecordedFetch[] = [];
    const record = (fetch: RecordedFetch) => recorded.push(fetch);
    const serviceMap: ServiceMap = Object.create(null) as ServiceMap;
    for (const [name, url] of subgraphs) serviceMap[name] = options.createDataSource(name, url, record);
    const apollo = await executeQueryPlan(
      prepared.plan,
      serviceMap,
      requestContext,
      {
        schema: bundle.apiGraphQLSchema,
        operation: prepared.definition,
        fragments: prepared.fragments,
      },
      bundle.supergraphGraphQLSchema,
      bundle.apiSchema,
    );
    const problems: string[] = [];
    const plaza = await defaults.run({
      ...args,
      transport: createReplayTransport(recorded, defaults.transport, (why) => problems.push(why)),
    });
    const a = normalizeResult(apollo);
    const p = normalizeResult(plaza);
    if (problems.length > 0 || stable(a) !== stable(p)) {
      options.onMismatch({
        operationName: requestContext.operationName,
        query: requestContext.request.query,
        variables: requestContext.request.variables,
        apollo: problems.length > 0 ? { result: a, problems } : a,
        plaza: p,
      });
      const flagged = new GraphQLError("Plaza's executor and Apollo's disagree on this operation (differential mode).", {
        extensions: { code: 'DIFFERENTIAL_MISMATCH' },
      });
      const chosen = options.answer === 'apollo' ? apollo : plaza;
      return { ...chosen, errors: [...(chosen.errors ?? []), flagged] };
    }
    return options.answer === 'apollo' ? apollo : plaza;
  };
}

