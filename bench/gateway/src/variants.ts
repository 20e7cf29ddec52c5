import { join } from 'node:path';
import type { BenchGraph, RunContext } from './context.js';
import { BENCH_DIR, LOG_DIR, REPO_ROOT } from './context.js';
import { GATEWAY_PORT } from './ports.js';
import { post, startProcess, waitUntil, type Started } from './processes.js';

/** What is measured, in the order of a round. */
export const VARIANTS = ['plaza', 'plaza-dedup', 'hive', 'hive-dedup', 'apollo', 'limit'] as const;
export type VariantId = (typeof VARIANTS)[number];

export const VARIANT_TITLES: Record<VariantId, string> = {
  plaza: "Plaza's gateway",
  'plaza-dedup': "Plaza's gateway, inbound dedup",
  hive: 'Hive Gateway --jit',
  'hive-dedup': 'Hive Gateway --jit, inbound dedup',
  apollo: 'stock @apollo/gateway',
  limit: 'the limit (one subgraph, no gateway)',
};

export function isVariant(v: string): v is VariantId {
  return (VARIANTS as readonly string[]).includes(v);
}

/**
 * Plaza's gateway entry point: its build, gateway/dist/main.mjs (run.sh builds it). Override with
 * PLAZA_GATEWAY_MAIN to measure another checkout, or the sources (a `.ts` file runs through tsx).
 */
export const PLAZA_GATEWAY_MAIN = process.env.PLAZA_GATEWAY_MAIN ?? join(REPO_ROOT, 'gateway', 'dist', 'main.mjs');
/** Stock Apollo's gateway, built by run.sh from src/apollo-gateway.ts. */
const APOLLO_GATEWAY_MAIN = join(BENCH_DIR, 'dist', 'apollo-gateway.mjs');
/** Node options for Plaza's gateway process only (space-separated), e.g. to measure V8 heap settings. */
const PLAZA_GATEWAY_NODE_ARGS = (process.env.PLAZA_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
const HIVE_BIN = join(BENCH_DIR, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');

/**
 * Environment of Plaza's gateway: the harness's own environment first (so GATEWAY_EXECUTOR and any
 * other GATEWAY_* set when calling the benchmark apply), then what the benchmark fixes. Production
 * mode, as deployed: a configured public key (made for this run), no Sandbox, no introspection.
 */
export function plazaGatewayEnv(graph: Pick<BenchGraph, 'plazaGatewayEnv'>, ctx: RunContext, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(GATEWAY_PORT),
    JWT_PUBLIC_KEY: ctx.keys.publicKeyPem,
    REDIS_URL: ctx.redisUrl,
    PLAZA_HOME: ctx.plazaHome,
    ...graph.plazaGatewayEnv,
    ...extra,
  };
}

export interface RunningVariant {
  /** The gateway process (absent for the limit, which has none of its own). */
  process: Started | undefined;
  origin: string;
  path: string;
  /** The pid whose tree is the "gateway" for CPU and memory (the limit: its server). */
  measuredPid: number;
  /** What was run, for the report (paths relative to the repository root). */
  command: string;
  /** Where it was run from, relative to the repository root. */
  cwd: string;
  /** Environment variables the harness set for it (secrets left out). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface VariantOptions {
  /** Worker processes: GATEWAY_WORKERS for Plaza, --fork for Hive, node:cluster for stock Apollo. */
  workers: number;
}

/** A path inside the repository, relative to its root (for reports). */
const relative = (value: string): string => value.replaceAll(`${REPO_ROOT}/`, '');

async function readyWith(url: string, body: string, headers: Record<string, string>, proc: Started, what: string): Promise<void> {
  await waitUntil(what, async () => (await post(url, body, headers, 10_000)).status === 200, 90_000, proc);
}

/** Starts a variant on GATEWAY_PORT and waits until it answers the graph's first request. */
export async function startVariant(id: VariantId, graph: BenchGraph, ctx: RunContext, opts: VariantOptions): Promise<RunningVariant> {
  const first = graph.requests[0];
  if (!first) throw new Error('the graph has no request');
  const origin = `http://127.0.0.1:${GATEWAY_PORT}`;
  const path = '/graphql';
  if (id === 'limit') {
    return {
      process: undefined,
      origin: graph.limit.origin,
      path: graph.limit.path,
      measuredPid: graph.limit.pid,
      command: graph.limit.description,
      cwd: '.',
      env: {},
      stop: async () => {},
    };
  }
  let command: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;
  let shown: Record<string, string>;
  let cwd = BENCH_DIR;
  if (id === 'plaza' || id === 'plaza-dedup') {
    const extra: Record<string, string> = { GATEWAY_WORKERS: String(opts.workers) };
    if (id === 'plaza-dedup') extra.GATEWAY_INBOUND_DEDUP = 'true';
    command = process.execPath;
    // A built gateway (gateway/dist/main.mjs) runs on plain Node; the sources through tsx.
    args = [...PLAZA_GATEWAY_NODE_ARGS, ...(PLAZA_GATEWAY_MAIN.endsWith('.ts') ? ['--import', 'tsx'] : []), PLAZA_GATEWAY_MAIN];
    cwd = REPO_ROOT;
    env = plazaGatewayEnv(graph, ctx, extra);
    const executor = process.env.GATEWAY_EXECUTOR;
    shown = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ...graph.plazaGatewayEnv,
      ...extra,
      ...(executor ? { GATEWAY_EXECUTOR: executor } : {}),
      JWT_PUBLIC_KEY: '(Ed25519, made for the run)',
      REDIS_URL: ctx.redisUrl,
    };
  } else if (id === 'hive' || id === 'hive-dedup') {
    command = process.execPath;
    const config = join(BENCH_DIR, 'hive', id === 'hive' ? 'gateway.config.mjs' : 'gateway.dedup.config.mjs');
    args = [HIVE_BIN, 'supergraph', graph.supergraphPath, '--host', '127.0.0.1', '--port', String(GATEWAY_PORT), '--jit', '--fork', String(opts.workers), '-c', config];
    env = { ...process.env, NODE_ENV: 'production' };
    shown = { NODE_ENV: 'production' };
  } else {
    command = process.execPath;
    args = [APOLLO_GATEWAY_MAIN];
    env = { ...process.env, NODE_ENV: 'production', SUPERGRAPH_PATH: graph.supergraphPath, PORT: String(GATEWAY_PORT), WORKERS: String(opts.workers) };
    shown = { NODE_ENV: 'production', SUPERGRAPH_PATH: graph.supergraphPath, PORT: String(GATEWAY_PORT), WORKERS: String(opts.workers) };
  }
  const proc = startProcess({ name: `${graph.id}-${id}`, command, args, cwd, env, logDir: LOG_DIR });
  try {
    await readyWith(`${origin}${path}`, first.body, first.headers, proc, `${id} on ${graph.id}`);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    process: proc,
    origin,
    path,
    measuredPid: proc.pid,
    command: `node ${args.map(relative).join(' ')}`,
    cwd: cwd === REPO_ROOT ? '.' : relative(cwd),
    env: Object.fromEntries(Object.entries(shown).map(([k, v]) => [k, relative(v)])),
    stop: () => proc.stop(),
  };
}
