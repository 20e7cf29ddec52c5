import type { ValidationRule } from 'graphql';
import type { Logger, Redis } from '@plaza/common/core';
import type { PlazaGateway } from '../executor/index.js';
import { createApolloSubscriptionPlanner } from './apollo-planner.js';
import { createPlazaSubscriptionPlanner } from './plaza-planner.js';
import { createSubscriptionService, type SubscriptionService } from './service.js';
import { createUpstreams } from './upstream.js';

export type { SubscriptionService, SubscriptionStats } from './service.js';

export interface GatewaySubscriptionsOptions {
  supergraphSdl: string;
  /**
   * Plaza's executor when it runs the gateway's queries (GATEWAY_EXECUTOR=plaza|differential):
   * subscriptions then run their `rest` plans on it too; without it, on @apollo/gateway's.
   */
  planExecutor: PlazaGateway | undefined;
  /** Combine entity fetches to one subgraph that are ready together (Plaza's executor). */
  coalesceFetches: boolean;
  /** A subgraph's URL (overrides applied), from its name and supergraph URL. */
  subgraphUrl: (name: string, url: string | undefined) => string;
  subgraphTimeoutMs: number;
  redis: Redis;
  validationRules: readonly ValidationRule[];
  logger: Logger;
  revocationCheckMs?: number;
}

/**
 * The gateway's federated subscriptions (see service.ts), on the same plan executor as its
 * queries, with one shared graphql-ws connection per subgraph that owns subscription fields.
 */
export function createGatewaySubscriptions(opts: GatewaySubscriptionsOptions): SubscriptionService {
  const planner = opts.planExecutor
    ? createPlazaSubscriptionPlanner(opts.planExecutor, { coalesce: opts.coalesceFetches })
    : createApolloSubscriptionPlanner({
        supergraphSdl: opts.supergraphSdl,
        subgraphUrl: opts.subgraphUrl,
        subgraphTimeoutMs: opts.subgraphTimeoutMs,
        logger: opts.logger,
      });
  const urls = new Map<string, string>();
  const upstreams = createUpstreams({
    logger: opts.logger,
    urlOf: (service) => {
      const url = opts.planExecutor?.subgraphs.get(service) ?? urls.get(service);
      if (url) return url;
      const resolved = opts.subgraphUrl(service, undefined);
      urls.set(service, resolved);
      return resolved;
    },
  });
  return createSubscriptionService({
    planner,
    upstreams,
    redis: opts.redis,
    validationRules: opts.validationRules,
    logger: opts.logger,
    ...(opts.revocationCheckMs !== undefined ? { revocationCheckMs: opts.revocationCheckMs } : {}),
  });
}
