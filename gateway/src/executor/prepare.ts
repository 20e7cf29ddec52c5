import type { DocumentNode, FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import { Kind, OperationTypeNode } from './graphql-runtime.js';
import { ERRORS, operationFromDocument, type Operation } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan, ResponsePath, SubscriptionNode } from '@apollo/query-planner';
import { compileProjector, type Projector } from './requires.js';
import { compileRewrites, createObjectOfType, type Rewriter } from './rewrites.js';
import { compileShaper, type Shaper } from './shape.js';
import { isConditionedPath } from './paths.js';
import type { SupergraphBundle } from './supergraph.js';

/** A fetch with everything that does not depend on the request worked out once. */
export interface CompiledFetch {
  node: FetchNode;
  service: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** `{"query":"…","operationName":"…"`: the body up to its variables. */
  bodyStart: string;
  variableUsages: readonly string[];
  /** Set for entity fetches: builds one representation from one entity. */
  projector: Projector | undefined;
  inputRewrite: Rewriter | undefined;
  outputRewrite: Rewriter | undefined;
}

export type CompiledNode =
  | { kind: 'Sequence'; nodes: CompiledNode[] }
  | { kind: 'Parallel'; nodes: CompiledNode[] }
  | { kind: 'Flatten'; path: ResponsePath; conditioned: boolean; node: CompiledNode }
  | { kind: 'Fetch'; fetch: CompiledFetch }
  | { kind: 'Condition'; variable: string; defaultValue: unknown; ifClause: CompiledNode | undefined; elseClause: CompiledNode | undefined }
  | { kind: 'Defer' };

/**
 * One client operation, prepared once per (document hash, operation name) and reused for every
 * request of it: nothing here depends on variables.
 */
export interface PreparedOperation {
  plan: QueryPlan;
  kind: 'query' | 'mutation' | 'subscription';
  /** The selected operation and the document's fragments (introspection runs on these). */
  definition: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** The operation as Apollo's result shaping reads it. */
  operation: Operation;
  shaper: Shaper;
  /** The plan's root node; for a subscription, its `rest` (run once per event). */
  root: CompiledNode | undefined;
  /** A subscription plan's primary fetch (sent to the subscription's subgraph). */
  subscriptionPrimary: CompiledFetch | undefined;
}

/**
 * The operation named `operationName` in `document` (graphql-js rules, as @apollo/gateway's
 * buildOperationContext): throws INVALID_GRAPHQL when it is missing or ambiguous.
 */
export function selectOperation(
  document: DocumentNode,
  operationName: string | undefined | null,
): { definition: OperationDefinitionNode; fragments: Record<string, FragmentDefinitionNode> } {
  let definition: OperationDefinitionNode | undefined;
  let count = 0;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      count++;
      if (!operationName && count > 1) throw ERRORS.INVALID_GRAPHQL.err('Must provide operation name if query contains multiple operations.');
      if (!operationName || d.name?.value === operationName) definition = d;
    } else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[d.name.value] = d;
    }
  }
  if (!definition) {
    throw ERRORS.INVALID_GRAPHQL.err(operationName ? `Unknown operation named "${operationName}".` : 'Must provide an operation.');
  }
  return { definition, fragments };
}

export interface PrepareOptions {
  /** APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK, as @apollo/gateway reads it. */
  recursiveSelectionsLimitDisabled?: boolean;
  /** APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK, as @apollo/gateway reads it. */
  nonLocalSelectionsLimitDisabled?: boolean;
}

export function planOperation(
  bundle: SupergraphBundle,
  document: DocumentNode,
  operationName: string | undefined,
  options: PrepareOptions = {},
): QueryPlan {
  const operation = operationFromDocument(bundle.apiSchema, document, { operationName });
  return bundle.planner.buildQueryPlan(operation, {
    recursiveSelectionsLimitDisabled: options.recursiveSelectionsLimitDisabled ?? false,
    nonLocalSelectionsLimitDisabled: options.nonLocalSelectionsLimitDisabled ?? false,
  });
}

/** Compiles a plan (or a part of one, e.g. a subscription's `rest`) for the executor. */
export function createPlanCompiler(bundle: SupergraphBundle, operation: Operation) {
  const objectOfType = createObjectOfType(bundle.supergraphGraphQLSchema);

  function compileFetch(node: FetchNode): CompiledFetch {
    let bodyStart = `{"query":${JSON.stringify(node.operation)}`;
    if (node.operationName !== undefined) bodyStart += `,"operationName":${JSON.stringify(node.operationName)}`;
    return {
      node,
      service: node.serviceName,
      kind: node.operationKind === OperationTypeNode.MUTATION ? 'mutation' : node.operationKind === OperationTypeNode.SUBSCRIPTION ? 'subscription' : 'query',
      bodyStart,
      variableUsages: node.variableUsages ?? [],
      projector: node.requires ? compileProjector(node.requires, objectOfType) : undefined,
      inputRewrite: compileRewrites(node.inputRewrites, objectOfType),
      outputRewrite: compileRewrites(node.outputRewrites, objectOfType),
    };
  }

  function compileNode(node: PlanNode): CompiledNode {
    switch (node.kind) {
      case 'Sequence':
        return { kind: 'Sequence', nodes: node.nodes.map(compileNode) };
      case 'Parallel':
        return { kind: 'Parallel', nodes: node.nodes.map(compileNode) };
      case 'Flatten':
        return { kind: 'Flatten', path: node.path, conditioned: isConditionedPath(node.path), node: compileNode(node.node) };
      case 'Fetch':
        return { kind: 'Fetch', fetch: compileFetch(node) };
      case 'Condition':
        return {
          kind: 'Condition',
          variable: node.condition,
          defaultValue: operation.variableDefinitions.definition(node.condition)?.defaultValue,
          ifClause: node.ifClause ? compileNode(node.ifClause) : undefined,
          elseClause: node.elseClause ? compileNode(node.elseClause) : undefined,
        };
      case 'Defer':
        return { kind: 'Defer' };
    }
  }
  return { compileNode, compileFetch };
}

/**
 * Plans and compiles one operation. Throws what Apollo's planning throws (GraphQLErrors for
 * operations the planner refuses).
 */
export function prepareOperation(
  bundle: SupergraphBundle,
  document: DocumentNode,
  operationName: string | undefined,
  options: PrepareOptions = {},
): PreparedOperation {
  const { definition, fragments } = selectOperation(document, operationName);
  const plan = planOperation(bundle, document, operationName, options);
  // As executeQueryPlan builds it: the selected operation and the fragments, unvalidated.
  const operation = operationFromDocument(
    bundle.apiSchema,
    { kind: Kind.DOCUMENT, definitions: [definition, ...Object.values(fragments)] },
    { validate: false },
  );
  const compiler = createPlanCompiler(bundle, operation);
  const node = plan.node;
  let root: CompiledNode | undefined;
  let subscriptionPrimary: CompiledFetch | undefined;
  if (node?.kind === 'Subscription') {
    const sub: SubscriptionNode = node;
    subscriptionPrimary = compiler.compileFetch(sub.primary);
    root = sub.rest ? compiler.compileNode(sub.rest) : undefined;
  } else if (node) {
    root = compiler.compileNode(node);
  }
  return {
    plan,
    kind: definition.operation === OperationTypeNode.MUTATION ? 'mutation' : definition.operation === OperationTypeNode.SUBSCRIPTION ? 'subscription' : 'query',
    definition,
    fragments,
    operation,
    shaper: compileShaper(operation, bundle),
    root,
    subscriptionPrimary,
  };
}

