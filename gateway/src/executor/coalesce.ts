import type { DocumentNode, FieldNode, OperationDefinitionNode } from 'graphql';
import { Kind, OperationTypeNode, parse, print, visit } from './graphql-runtime.js';
import { createLru } from './operation-cache.js';
import type { CompiledFetch } from './prepare.js';
import type { ForwardedHeaders, SubgraphResponse, SubgraphTransport } from './transport.js';

/**
 * Coalescing: entity fetches of one request to the same subgraph that become ready in the same
 * turn of the event loop (typically the branches of a Parallel node) go out as one request, each
 * fetch's root fields aliased `_<n>_<name>`, its variables suffixed `__<n>` and its fragments
 * renamed, and the answer is split back. When the combined answer cannot be split exactly (no
 * data, an error without a path under one fetch's alias, a transport failure), each fetch is sent
 * again on its own, so what a fetch gets is always what it would have got alone.
 */

interface Part {
  fetch: CompiledFetch;
  variables: Record<string, unknown> | undefined;
  /** The distinct representations, as JSON. */
  representations: string[];
  resolve(response: SubgraphResponse): void;
  reject(error: unknown): void;
}

interface Combined {
  query: string;
  /** Per part: its root response names (each aliased `_<n>_<name>` in the combined operation). */
  roots: string[][];
}

/** The parsed operation of a fetch, when it can be combined (only fields at its root). */
const parsedFetches = new WeakMap<CompiledFetch, OperationDefinitionNode | null>();
function parsedOperation(fetch: CompiledFetch): OperationDefinitionNode | null {
  let parsed = parsedFetches.get(fetch);
  if (parsed === undefined) {
    const document: DocumentNode = parse(fetch.node.operation);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    parsed = operation && operation.operation === OperationTypeNode.QUERY && operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD) ? operation : null;
    parsedFetches.set(fetch, parsed);
  }
  return parsed;
}

let nextFetchId = 0;
const fetchIds = new WeakMap<CompiledFetch, number>();
function fetchId(fetch: CompiledFetch): number {
  let id = fetchIds.get(fetch);
  if (id === undefined) {
    id = nextFetchId++;
    fetchIds.set(fetch, id);
  }
  return id;
}

/** Combined operations by the fetches they combine; the same plans meet the same way again. */
const combinedCache = createLru<Combined>(2_000);

function combine(parts: Part[]): Combined {
  const key = parts.map((p) => fetchId(p.fetch)).join(',');
  const cached = combinedCache.get(key);
  if (cached) return cached;
  const definitions: DocumentNode['definitions'][number][] = [];
  const variableDefinitions: NonNullable<OperationDefinitionNode['variableDefinitions']>[number][] = [];
  const selections: FieldNode[] = [];
  const roots: string[][] = [];
  parts.forEach((part, n) => {
    const document = parse(part.fetch.node.operation);
    const renamed = visit(document, {
      Variable: (node) => ({ ...node, name: { ...node.name, value: `${node.name.value}__${n}` } }),
      FragmentDefinition: (node) => ({ ...node, name: { ...node.name, value: `${node.name.value}__${n}` } }),
      FragmentSpread: (node) => ({ ...node, name: { ...node.name, value: `${node.name.value}__${n}` } }),
    });
    const names: string[] = [];
    for (const definition of renamed.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        variableDefinitions.push(...(definition.variableDefinitions ?? []));
        for (const selection of definition.selectionSet.selections) {
          const field = selection as FieldNode;
          const responseName = field.alias?.value ?? field.name.value;
          names.push(responseName);
          selections.push({ ...field, alias: { kind: Kind.NAME, value: `_${n}_${responseName}` } });
        }
      } else {
        definitions.push(definition);
      }
    }
    roots.push(names);
  });
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    variableDefinitions,
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  const combined = { query: print({ kind: Kind.DOCUMENT, definitions: [operation, ...definitions] }), roots };
  combinedCache.set(key, combined);
  return combined;
}

/** The body of one entity fetch sent alone. */
export function entityBody(fetch: CompiledFetch, variables: Record<string, unknown> | undefined, representations: string[]): string {
  const vars = variables ? JSON.stringify(variables) : '{}';
  return `${fetch.bodyStart},"variables":${vars.length === 2 ? '{' : `${vars.slice(0, -1)},`}"representations":[${representations.join(',')}]}}`;
}

/** Per request: queues entity fetches and sends them, combined per subgraph, once per turn. */
export function createCoalescer(transport: SubgraphTransport, headers: ForwardedHeaders) {
  let queue: Part[] = [];
  let scheduled = false;

  const sendAlone = (part: Part) => {
    transport
      .send({ service: part.fetch.service, body: entityBody(part.fetch, part.variables, part.representations), kind: 'query', headers })
      .then(
        (response) => part.resolve(response),
        (error: unknown) => part.reject(error),
      );
  };

  const sendCombined = async (parts: Part[]) => {
    const { query, roots } = combine(parts);
    let variables = '';
    parts.forEach((part, n) => {
      if (part.variables) {
        for (const [name, value] of Object.entries(part.variables)) variables += `${JSON.stringify(`${name}__${n}`)}:${JSON.stringify(value)},`;
      }
      variables += `"representations__${n}":[${part.representations.join(',')}],`;
    });
    const body = `{"query":${JSON.stringify(query)},"variables":{${variables.slice(0, -1)}}}`;
    let response: SubgraphResponse;
    try {
      response = await transport.send({ service: parts[0]!.fetch.service, body, kind: 'query', headers });
    } catch {
      for (const part of parts) sendAlone(part);
      return;
    }
    const data = response.data;
    const split: SubgraphResponse[] = parts.map(() => ({ data: {} }));
    let exact = !!data && roots.every((names, n) => names.every((name) => `_${n}_${name}` in data));
    if (exact && response.errors) {
      for (const error of response.errors) {
        const head = error.path?.[0];
        const m = typeof head === 'string' ? /^_(\d+)_(.*)$/.exec(head) : null;
        const target = m ? split[Number(m[1])] : undefined;
        if (!m || !target) {
          exact = false;
          break;
        }
        (target.errors ??= []).push({ ...error, path: [m[2]!, ...error.path!.slice(1)] });
      }
    }
    if (!exact) {
      for (const part of parts) sendAlone(part);
      return;
    }
    roots.forEach((names, n) => {
      const partData = split[n]!.data!;
      for (const name of names) partData[name] = data![`_${n}_${name}`];
    });
    parts.forEach((part, n) => part.resolve(split[n]!));
  };

  const flush = () => {
    scheduled = false;
    const parts = queue;
    queue = [];
    const byService = new Map<string, Part[]>();
    for (const part of parts) {
      const group = byService.get(part.fetch.service);
      if (group) group.push(part);
      else byService.set(part.fetch.service, [part]);
    }
    for (const group of byService.values()) {
      if (group.length === 1) sendAlone(group[0]!);
      else sendCombined(group).catch(() => group.forEach(sendAlone));
    }
  };

  return {
    /** Sends an entity fetch, combined with others of the same turn when it can be. */
    entities(fetch: CompiledFetch, variables: Record<string, unknown> | undefined, representations: string[]): Promise<SubgraphResponse> {
      if (fetch.kind !== 'query' || !parsedOperation(fetch)) {
        return transport.send({ service: fetch.service, body: entityBody(fetch, variables, representations), kind: fetch.kind, headers });
      }
      return new Promise((resolve, reject) => {
        queue.push({ fetch, variables, representations, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}

export type Coalescer = ReturnType<typeof createCoalescer>;
