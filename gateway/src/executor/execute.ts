import type {
  ExecutionResult,
  FieldNode,
  GraphQLErrorOptions,
  GraphQLFormattedError,
  GraphQLSchema,
  VariableDefinitionNode,
} from 'graphql';
import { executeSync, GraphQLError, Kind, OperationTypeNode, visit } from './graphql-runtime.js';
import { ERRORS, errorCodeDef, type FieldSelection } from '@apollo/federation-internals';
import type { ResponsePath } from '@apollo/query-planner';
import { createCoalescer, entityBody, type Coalescer } from './coalesce.js';
import { deepMerge } from './merge.js';
import { flattenAtPath, flattenConditioned, hydratedConditionedPaths, hydratedPaths, isConditionedPath, withoutConditions } from './paths.js';
import type { CompiledFetch, CompiledNode, PreparedOperation } from './prepare.js';
import type { ForwardedHeaders, SubgraphResponse, SubgraphTransport } from './transport.js';

/** Per request: what a plan runs with. */
export interface PlanContext {
  transport: SubgraphTransport;
  /** The request's variables as sent by the client (validated before). */
  variables: Record<string, unknown> | undefined;
  headers: ForwardedHeaders;
  /** Errors met while running the plan, in the order they happened. */
  errors: (GraphQLError | Error)[];
  /** Combines entity fetches to one subgraph that are ready together; unset sends each alone. */
  coalescer?: Coalescer;
}

/**
 * Runs one plan node against `data` (the response gathered so far; the root object for a whole
 * plan, or a subscription event's data for a subscription's `rest`): fetches, and merges what they
 * return into `data` in place. Never throws for a subgraph failure: those become errors in
 * `context.errors`, and the fields they own stay missing (the shaper turns them into nulls).
 */
export async function executePlanNode(node: CompiledNode, data: Record<string, unknown>, context: PlanContext): Promise<void> {
  await run(context, node, [], data, data);
}

async function run(
  ctx: PlanContext,
  node: CompiledNode,
  path: ResponsePath,
  cursor: unknown,
  full: Record<string, unknown>,
): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await run(ctx, child, path, cursor, full);
      return;
    case 'Parallel': {
      const pending: Promise<void>[] = [];
      for (const child of node.nodes) pending.push(run(ctx, child, path, cursor, full));
      await Promise.all(pending);
      return;
    }
    case 'Flatten': {
      const inner = node.conditioned ? flattenConditioned(cursor, node.path) : flattenAtPath(cursor, node.path);
      // Nothing at the path (a null parent): nothing to fetch, as Apollo.
      if (inner === undefined || inner === null) return;
      await run(ctx, node.node, path.concat(node.path), inner, full);
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(ctx, node.fetch, path, cursor, full);
      } catch (err) {
        ctx.errors.push(err instanceof Error ? err : new Error(String(err)));
      }
      return;
    case 'Condition': {
      let value = ctx.variables && Object.hasOwn(ctx.variables, node.variable) ? ctx.variables[node.variable] : undefined;
      if (value === undefined) value = node.defaultValue;
      if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${node.variable}`);
      const branch = value ? node.ifClause : node.elseClause;
      if (branch) await run(ctx, branch, path, cursor, full);
      return;
    }
    case 'Defer':
      throw new Error('@defer support is not available in the gateway');
  }
}

function requestVariables(ctx: PlanContext, fetch: CompiledFetch): Record<string, unknown> | undefined {
  const usages = fetch.variableUsages;
  if (usages.length === 0) return undefined;
  const provided = ctx.variables;
  if (!provided) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const name of usages) {
    if (Object.hasOwn(provided, name) && provided[name] !== undefined) {
      out ??= {};
      out[name] = provided[name];
    }
  }
  return out;
}

async function executeFetch(
  ctx: PlanContext,
  fetch: CompiledFetch,
  path: ResponsePath,
  cursor: unknown,
  full: Record<string, unknown>,
): Promise<void> {
  const entities: Record<string, unknown>[] = [];
  if (Array.isArray(cursor)) {
    for (const e of cursor) if (e !== null && e !== undefined) entities.push(e as Record<string, unknown>);
  } else {
    entities.push(cursor as Record<string, unknown>);
  }
  if (entities.length === 0) return;
  const variables = requestVariables(ctx, fetch);

  if (!fetch.projector) {
    const body = `${fetch.bodyStart},"variables":${variables ? JSON.stringify(variables) : '{}'}}`;
    const response = await send(ctx, fetch, body);
    reportErrors(ctx, fetch, response, path, full, undefined);
    const received = response.data;
    if (received) fetch.outputRewrite?.(received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }

  // Entity fetch: one representation per entity, sent once per distinct representation; the
  // answer goes back to every entity that had it.
  const projector = fetch.projector;
  const inputRewrite = fetch.inputRewrite;
  const uniqueOf = new Map<string, number>();
  const unique: string[] = [];
  /** Per representation (in entity order, as Apollo numbers them): its entity and its unique index. */
  const repEntity: number[] = [];
  const repUnique: number[] = [];
  for (let i = 0; i < entities.length; i++) {
    const representation = projector(entities[i]);
    if (!representation || !representation.__typename) continue;
    inputRewrite?.(representation);
    const json = JSON.stringify(representation);
    let u = uniqueOf.get(json);
    if (u === undefined) {
      u = unique.length;
      uniqueOf.set(json, u);
      unique.push(json);
    }
    repEntity.push(i);
    repUnique.push(u);
  }
  if (repEntity.length === 0) return;
  if (variables && 'representations' in variables) throw new Error('Variables cannot contain key "representations"');
  const response = ctx.coalescer
    ? await ctx.coalescer.entities(fetch, variables, unique)
    : await send(ctx, fetch, entityBody(fetch, variables, unique));
  reportErrors(ctx, fetch, response, path, full, { repUnique, uniqueCount: unique.length });
  const received = response.data;
  if (!received) return;
  const list = received._entities;
  if (!Array.isArray(list)) throw new Error('Expected "data._entities" in response to be an array');
  if (list.length !== unique.length) throw new Error(`Expected "data._entities" to contain ${repEntity.length} elements`);
  const done = new Uint8Array(unique.length);
  for (let i = 0; i < repEntity.length; i++) {
    const u = repUnique[i]!;
    const entity = entities[repEntity[i]!]!;
    const receivedEntity = list[u] as Record<string, unknown> | null | undefined;
    if (!done[u]) {
      done[u] = 1;
      if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = entity.__typename;
      if (receivedEntity) fetch.outputRewrite?.(receivedEntity);
    }
    deepMerge(entity, receivedEntity);
  }
}

function send(ctx: PlanContext, fetch: CompiledFetch, body: string): Promise<SubgraphResponse> {
  return ctx.transport.send({ service: fetch.service, body, kind: fetch.kind, headers: ctx.headers });
}

/**
 * A subgraph's errors, placed in the client's response as Apollo's downstreamServiceError does:
 * an entity error `["_entities", i, …rest]` lands at the i-th entity's concrete path; any other
 * path is prefixed with the fetch's plan path (with its `@`s, as Apollo leaves them).
 */
function reportErrors(
  ctx: PlanContext,
  fetch: CompiledFetch,
  response: SubgraphResponse,
  path: ResponsePath,
  full: Record<string, unknown>,
  entityMap: { repUnique: number[]; uniqueCount: number } | undefined,
): void {
  const received = response.errors;
  if (!received) return;
  // Type-conditioned plan paths (an option): entities found as the Flatten found them, and paths
  // reported without their conditions.
  const conditioned = isConditionedPath(path);
  const hydrate = conditioned ? hydratedConditionedPaths : hydratedPaths;
  const prefix = conditioned ? withoutConditions(path) : path;
  let hydrated: ResponsePath[] | undefined;
  let repsOfUnique: number[][] | undefined;
  for (const error of received) {
    const errorPath = error.path as ResponsePath | undefined;
    if (fetch.projector && typeof errorPath?.[1] === 'number') {
      hydrated ??= hydrate(path, full);
      const rest = errorPath.slice(2);
      const index = errorPath[1];
      if (entityMap) {
        // Sent once, it stands for every entity that shared its representation: one error each,
        // as Apollo (which sends every copy) reports it.
        if (!repsOfUnique) {
          repsOfUnique = Array.from({ length: entityMap.uniqueCount }, () => [] as number[]);
          entityMap.repUnique.forEach((u, i) => repsOfUnique![u]?.push(i));
        }
        const reps = repsOfUnique[index];
        if (reps && reps.length > 0) {
          for (const i of reps) ctx.errors.push(downstreamError(error, fetch.service, [...(hydrated[i] ?? []), ...rest]));
          continue;
        }
      }
      ctx.errors.push(downstreamError(error, fetch.service, [...(hydrated[index] ?? []), ...rest]));
    } else {
      ctx.errors.push(downstreamError(error, fetch.service, errorPath ? [...prefix, ...errorPath] : undefined));
    }
  }
}

/** @apollo/gateway's downstreamServiceError: the subgraph's message and extensions, plus `serviceName`. */
function downstreamError(original: GraphQLFormattedError, serviceName: string, path: GraphQLErrorOptions['path']): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const extensions = original.extensions;
  const options: GraphQLErrorOptions = {
    originalError: original as Error,
    path,
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(original);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/** Introspection (`__schema`, `__type`) answered by graphql-js over the API schema, as Apollo does. */
function introspect(
  schema: GraphQLSchema,
  selection: FieldSelection,
  variableDefinitions: readonly VariableDefinitionNode[] | undefined,
  variables: Record<string, unknown> | undefined,
): unknown {
  const field: FieldNode = selection.expandFragments().toSelectionNode();
  const used = new Set<string>();
  visit(field, {
    Variable: ({ name }) => {
      used.add(name.value);
    },
  });
  const { data, errors } = executeSync({
    schema,
    document: {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OPERATION_DEFINITION,
          operation: OperationTypeNode.QUERY,
          variableDefinitions: variableDefinitions?.filter((d) => used.has(d.variable.name.value)),
          selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
        },
      ],
    },
    rootValue: {},
    variableValues: variables,
  });
  if ((errors && errors.length > 0) || !data) throw new Error(`Introspection query should not have failed but got ${JSON.stringify(errors)}`);
  const key = field.alias?.value ?? field.name.value;
  return Object.hasOwn(data, key) ? data[key] : undefined;
}

export interface ExecuteOptions {
  transport: SubgraphTransport;
  /** Combine entity fetches to one subgraph that are ready together (default true). */
  coalesce?: boolean;
  apiSchema: GraphQLSchema;
  variables: Record<string, unknown> | undefined;
  headers: ForwardedHeaders;
  /**
   * Initial data the plan starts from: empty for a query or mutation; a subscription event's
   * data for a subscription's `rest`.
   */
  rootValue?: Record<string, unknown>;
}

/**
 * Runs a prepared operation and shapes the answer, with the outcome rules of @apollo/gateway's
 * executeQueryPlan: subgraph failures become errors next to partial data; shaping problems are
 * reported under `extensions.valueCompletion` only when nothing else failed.
 */
export async function executePrepared(prepared: PreparedOperation, options: ExecuteOptions): Promise<ExecutionResult> {
  const context: PlanContext = {
    transport: options.transport,
    variables: options.variables,
    headers: options.headers,
    errors: [],
    coalescer: options.coalesce === false ? undefined : createCoalescer(options.transport, options.headers),
  };
  const data: Record<string, unknown> = options.rootValue ?? {};
  if (prepared.root) await executePlanNode(prepared.root, data, context);
  return shapeResult(prepared, data, context.errors, options);
}

export function shapeResult(
  prepared: PreparedOperation,
  data: Record<string, unknown>,
  errors: (GraphQLError | Error)[],
  options: Pick<ExecuteOptions, 'apiSchema' | 'variables'>,
): ExecutionResult {
  let shaped;
  try {
    shaped = prepared.shaper.shape(data, options.variables, (selection) =>
      introspect(options.apiSchema, selection, prepared.definition.variableDefinitions, options.variables),
    );
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
  if (errors.length === 0 && shaped.errors.length > 0) {
    return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
  }
  // Errors that are not GraphQLErrors (e.g. a malformed `_entities`) are passed as Apollo passes
  // them; Apollo Server masks them as internal errors.
  return errors.length === 0 ? { data: shaped.data } : { errors: errors as GraphQLError[], data: shaped.data };
}
