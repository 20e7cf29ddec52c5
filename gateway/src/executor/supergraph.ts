import type { GraphQLSchema } from 'graphql';
import { isSubtype, Supergraph, type CompositeType, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlannerConfig } from '@apollo/query-planner';

/**
 * Everything derived from one supergraph SDL, built once at load: the planner (Apollo's, so plans
 * and their correctness stay Apollo's), the API schema in both representations, and memoised
 * type relations the executor asks per object.
 */
export interface SupergraphBundle {
  sdl: string;
  supergraph: Supergraph;
  /** The API schema (federation-internals), what client operations are read against. */
  apiSchema: Schema;
  /** The API schema as graphql-js, for introspection and variable coercion. */
  apiGraphQLSchema: GraphQLSchema;
  /** The full supergraph as graphql-js: `requires` and rewrites may name @inaccessible types. */
  supergraphGraphQLSchema: GraphQLSchema;
  planner: QueryPlanner;
  subgraphs: readonly { name: string; url: string }[];
  /**
   * Whether a selection typed `condition` applies to an object whose `__typename` is `typename`
   * (federation-internals' `isSubtype` on the API schema, as Apollo's result shaping does).
   * False when `typename` is not a type of the API schema.
   */
  appliesTo(condition: string, typename: string): boolean;
}

export interface SupergraphOptions {
  /** Apollo validates the supergraph outside production; same default here. */
  validate?: boolean;
  plannerConfig?: QueryPlannerConfig;
}

export function createSupergraphBundle(sdl: string, options: SupergraphOptions = {}): SupergraphBundle {
  const supergraph = Supergraph.build(sdl, { validateSupergraph: options.validate ?? process.env.NODE_ENV !== 'production' });
  const apiSchema = supergraph.apiSchema();
  const apiGraphQLSchema = apiSchema.toGraphQLJSSchema();
  const supergraphGraphQLSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph, options.plannerConfig);
  const memo = new Map<string, Map<string, boolean>>();

  return {
    sdl,
    supergraph,
    apiSchema,
    apiGraphQLSchema,
    supergraphGraphQLSchema,
    planner,
    subgraphs: supergraph.subgraphsMetadata(),
    appliesTo(condition, typename) {
      let byType = memo.get(condition);
      if (!byType) {
        byType = new Map();
        memo.set(condition, byType);
      }
      let answer = byType.get(typename);
      if (answer === undefined) {
        const conditionType = apiSchema.type(condition);
        const type = apiSchema.type(typename);
        answer = !!conditionType && !!type && isSubtype(conditionType as CompositeType, type);
        byType.set(typename, answer);
      }
      return answer;
    },
  };
}
