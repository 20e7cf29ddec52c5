import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestSpec } from './load.js';

/** bench/gateway */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root (Plaza's gateway and subgraphs run from there, with its node_modules). */
export const REPO_ROOT = resolve(BENCH_DIR, '..', '..');
/** Scratch space of a run: logs, rewritten supergraphs (ignored by git). */
export const RUN_DIR = join(BENCH_DIR, '.run');
export const LOG_DIR = join(RUN_DIR, 'logs');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** What the graphs and variants share during one run. */
export interface RunContext {
  /** Ed25519 key pair made for this run: identity signs with it, gateways and subgraphs verify. */
  keys: { publicKeyPem: string; privateKeyPem: string };
  redisUrl: string;
  databaseUrl: string;
  kafkaBrokers: string;
  /** PLAZA_HOME for every Plaza process (keeps their state out of the repository's .plaza). */
  plazaHome: string;
  log: (line: string) => void;
}

export function createRunContext(env: NodeJS.ProcessEnv, log: (line: string) => void): RunContext {
  mkdirSync(LOG_DIR, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const plazaHome = join(RUN_DIR, 'plaza-home');
  mkdirSync(plazaHome, { recursive: true });
  return {
    keys: {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/2',
    databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza_bench',
    kafkaBrokers: env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    plazaHome,
    log,
  };
}

/** A graph the gateways are measured on, with its subgraphs running. */
export interface BenchGraph {
  id: 'guild' | 'plaza';
  title: string;
  /** The supergraph with the URLs the harness serves the subgraphs at (Hive and stock Apollo read it). */
  supergraphPath: string;
  /** Environment Plaza's gateway gets for this graph (on top of the shared one). */
  plazaGatewayEnv: Record<string, string>;
  /** The requests loaded through a gateway (one, or a mix each connection cycles through). */
  requests: RequestSpec[];
  /** "The limit": load straight at one subgraph. */
  limit: {
    origin: string;
    path: string;
    requests: RequestSpec[];
    /** Root pid of the process serving it (its CPU and memory are reported). */
    pid: number;
    /** True when its answers must equal the gateways' (else they are only checked for errors). */
    sameAnswers: boolean;
    description: string;
  };
  /** Requests received so far by every subgraph of the graph (and the limit's server). */
  subgraphRequests(): Promise<number>;
  /** Root pids of the subgraph processes. */
  subgraphPids: number[];
  /** For the report: the data set, the subgraphs, the operations. */
  details: Record<string, unknown>;
  close(): Promise<void>;
}
