import type { ValidationRule } from 'graphql';
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
  return [
    maxDepthRule({ n: limits.depth, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true }),
    maxAliasesRule({ n: limits.aliases, exposeLimits: true }),
    costLimitRule({ maxCost: limits.cost, ignoreIntrospection: true, exposeLimits: true }),
    maxDirectivesRule({ n: limits.directives, exposeLimits: true }),
  ] as ValidationRule[];
}
