import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { GatewayConfig } from './environment.js';

/**
 * Query limits checked during validation, before planning: depth, aliases, cost and directives
 * (graphql-armor). The token limit is enforced by the parser itself (`parseOptions.maxTokens`).
 */
export function queryLimitRules(limits: GatewayConfig['limits']): ValidationRule[] {
  // Reported as ordinary validation errors (GRAPHQL_VALIDATION_FAILED, HTTP 400); armor's default
  // is to throw, which Apollo Server treats as an internal error.
  const report = {
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(err)],
    exposeLimits: true,
  };
  return [
    maxDepthRule({ n: limits.depth, ignoreIntrospection: true, flattenFragments: true, ...report }),
    maxAliasesRule({ n: limits.aliases, ...report }),
    costLimitRule({ maxCost: limits.cost, ignoreIntrospection: true, ...report }),
    maxDirectivesRule({ n: limits.directives, ...report }),
  ] as ValidationRule[];
}
