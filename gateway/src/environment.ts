import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import {
  AuthEnvShape,
  BaseEnvShape,
  envBool,
  envBoolUnset,
  envInt,
  parseEnv,
  RedisEnvShape,
  repoRoot,
  splitList,
} from '@plaza/common/core';

const GatewayEnvSchema = z.object({
  ...BaseEnvShape,
  ...RedisEnvShape,
  ...AuthEnvShape,
  /** Listen address; unset listens on every interface (IPv6 and IPv4), as `localhost` needs. */
  HOST: z.string().optional(),
  PORT: envInt(4000),
  /** The composed supergraph to serve; any Federation 2 supergraph works. */
  SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
  /** Take the client address from X-Forwarded-For (behind a load balancer). */
  TRUST_PROXY: envBool(false),
  /** Apollo Sandbox landing page; default on outside production. */
  LANDING_PAGE: envBoolUnset(),
  /** Introspection; default on outside production. */
  INTROSPECTION: envBoolUnset(),
  /** Comma-separated allowed browser origins, or * for any. Default * outside production. */
  CORS_ORIGINS: z.string().optional(),
  /** Largest request body accepted, bytes. */
  BODY_LIMIT_BYTES: envInt(1_000_000, 1_000),
  MAX_DEPTH: envInt(12, 1),
  MAX_ALIASES: envInt(30, 1),
  /** graphql-armor cost (depth-weighted); a post page with comments, replies and authors is ~45,000. */
  MAX_COST: envInt(100_000, 1),
  MAX_TOKENS: envInt(5_000, 10),
  MAX_DIRECTIVES: envInt(50, 1),
  /** A subgraph fetch that takes longer fails with an error for its fields. */
  SUBGRAPH_TIMEOUT_MS: envInt(10_000, 100),
  /**
   * What runs query plans: `apollo` (stock @apollo/gateway), `plaza` (Plaza's executor), or
   * `differential` (both on every operation, comparing their answers; for tests, not production).
   */
  GATEWAY_EXECUTOR: z.enum(['apollo', 'plaza', 'differential']).default('plaza'),
  /** Differential mode: append every difference found to this JSON-lines file. */
  GATEWAY_DIFFERENTIAL_REPORT: z.string().optional(),
  /** Plaza's executor: share identical in-flight query fetches to a subgraph (same body and Authorization). */
  GATEWAY_SUBGRAPH_DEDUP: envBool(true),
  /** Plaza's executor: combine entity fetches to one subgraph that are ready together into one request. */
  GATEWAY_COALESCE_FETCHES: envBool(true),
  /** Share the answer of identical in-flight client requests (same document, variables and Authorization). */
  GATEWAY_INBOUND_DEDUP: envBool(false),
  /**
   * Plaza's executor: plan with the query planner's `typeConditionedFetching` (entity fetches under
   * an abstract type go only to the subgraphs of the matching types; no over-fetching). Plans
   * stock Apollo cannot run: not with `differential`.
   */
  GATEWAY_TYPE_CONDITIONED_FETCHING: envBool(false),
  /** Worker processes (node:cluster) sharing the port; 1 runs in the main process. */
  GATEWAY_WORKERS: envInt(1, 1),
  /**
   * V8's old-generation growing factor, in percent over the live size (`--heap-growing-percent`);
   * 0 leaves V8's own (up to 4×, tuned for throughput). A gateway's old generation fills with
   * request garbage promoted while answers were in flight, not with data that lives: collecting at
   * 2× the live size keeps peak memory down at little CPU (bench/gateway/README.md, Memory).
   */
  GATEWAY_HEAP_GROWING_PERCENT: envInt(100, 0),
});

export interface GatewayConfig {
  production: boolean;
  home: string;
  logLevel: z.infer<typeof GatewayEnvSchema>['LOG_LEVEL'];
  server: { host: string | undefined; port: number; trustProxy: boolean; bodyLimitBytes: number; corsOrigins: string[] | '*' };
  supergraphPath: string;
  /** Per-subgraph URL overrides by subgraph name (SUBGRAPH_URL_<NAME>, e.g. SUBGRAPH_URL_IDENTITY). */
  subgraphUrls: Record<string, string>;
  subgraphTimeoutMs: number;
  executor: { kind: 'apollo' | 'plaza' | 'differential'; differentialReport: string | undefined; subgraphDedup: boolean; coalesceFetches: boolean; inboundDedup: boolean; typeConditionedFetching: boolean };
  workers: number;
  /** `--heap-growing-percent` for V8, 0 for its default. */
  heapGrowingPercent: number;
  landingPage: boolean;
  introspection: boolean;
  limits: { depth: number; aliases: number; cost: number; tokens: number; directives: number };
  redis: { url: string };
  auth: { publicKeyPem: string | undefined; issuer: string; audience: string };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const env = parseEnv(GatewayEnvSchema, source);
  const production = env.NODE_ENV === 'production';
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    const m = /^SUBGRAPH_URL_([A-Z0-9_]+)$/.exec(key);
    if (m?.[1] && value) subgraphUrls[m[1].toLowerCase()] = z.string().url().parse(value);
  }
  if (env.GATEWAY_TYPE_CONDITIONED_FETCHING && env.GATEWAY_EXECUTOR !== 'plaza') {
    throw new Error('GATEWAY_TYPE_CONDITIONED_FETCHING needs GATEWAY_EXECUTOR=plaza (stock Apollo cannot run those plans)');
  }
  const origins = env.CORS_ORIGINS ?? (production ? '' : '*');
  return {
    production,
    home: env.PLAZA_HOME,
    logLevel: env.LOG_LEVEL,
    server: {
      host: env.HOST,
      port: env.PORT,
      trustProxy: env.TRUST_PROXY,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      corsOrigins: origins.trim() === '*' ? '*' : splitList(origins),
    },
    supergraphPath: isAbsolute(env.SUPERGRAPH_PATH) ? env.SUPERGRAPH_PATH : join(repoRoot(), env.SUPERGRAPH_PATH),
    subgraphUrls,
    subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
    executor: {
      kind: env.GATEWAY_EXECUTOR,
      differentialReport: env.GATEWAY_DIFFERENTIAL_REPORT,
      subgraphDedup: env.GATEWAY_SUBGRAPH_DEDUP,
      coalesceFetches: env.GATEWAY_COALESCE_FETCHES,
      inboundDedup: env.GATEWAY_INBOUND_DEDUP,
      typeConditionedFetching: env.GATEWAY_TYPE_CONDITIONED_FETCHING,
    },
    workers: env.GATEWAY_WORKERS,
    heapGrowingPercent: env.GATEWAY_HEAP_GROWING_PERCENT,
    landingPage: env.LANDING_PAGE ?? !production,
    introspection: env.INTROSPECTION ?? !production,
    limits: {
      depth: env.MAX_DEPTH,
      aliases: env.MAX_ALIASES,
      cost: env.MAX_COST,
      tokens: env.MAX_TOKENS,
      directives: env.MAX_DIRECTIVES,
    },
    redis: { url: env.REDIS_URL },
    auth: { publicKeyPem: env.JWT_PUBLIC_KEY, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
  };
}
