import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { BenchGraph, RunContext } from '../context.js';
import { BENCH_DIR, LOG_DIR, REPO_ROOT, RUN_DIR } from '../context.js';
import { PLAZA_PORT_BASE, PLAZA_PORT_LIMIT } from '../ports.js';
import { CLOCK_TICKS_PER_SECOND, treeCpuTicks } from '../proc.js';
import { post, startProcess, waitUntil, type Started } from '../processes.js';
import { joinGraphs, withSubgraphUrls } from '../supergraph.js';
import { startVariant } from '../variants.js';
import { DEFAULT_SIZE, generateDataSet, SEED_VERSION } from './dataset.js';
import { buildMix, DEFAULT_MIX, POST_PAGE, POSTS_BY_TAG, USER_PROFILE } from './operations.js';
import { readSeedRecord, recreateDatabase, seedThroughGateway, type SeedRecord } from './seed.js';

export const PLAZA_SUPERGRAPH = join(REPO_ROOT, 'schema', 'supergraph.graphql');
const COUNTER = pathToFileURL(join(BENCH_DIR, 'src', 'plaza', 'count-requests.mjs')).href;

export interface PlazaSubgraph {
  name: string;
  mainPath: string;
}

/**
 * Plaza's subgraphs, from the registry (`SUBGRAPHS` of @plaza/schema, which resolves only inside
 * the root workspace: read by a child process there), so subgraphs added later are started too.
 * Falls back to the supergraph's join__Graph names with subgraphs/<name>/src/main.ts.
 */
export function discoverPlazaSubgraphs(log: (line: string) => void): PlazaSubgraph[] {
  const script =
    "const { SUBGRAPHS } = await import('@plaza/schema');" +
    'console.log(JSON.stringify(SUBGRAPHS.map((s) => ({ name: s.name, mainPath: s.mainPath }))));process.exit(0);';
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status === 0 && line?.startsWith('[')) return JSON.parse(line) as PlazaSubgraph[];
  log(`plaza: could not read the subgraph registry (${r.stderr?.trim().split('\n')[0] ?? r.error?.message}); using the supergraph's subgraphs`);
  return joinGraphs(readFileSync(PLAZA_SUPERGRAPH, 'utf8'))
    .map((g) => ({ name: g.name, mainPath: join(REPO_ROOT, 'subgraphs', g.name, 'src', 'main.ts') }))
    .filter((s) => existsSync(s.mainPath));
}

/** A hash of every subgraph's migration files (drizzle/ beside src/), in a stable order. */
export function migrationsHash(subgraphs: readonly PlazaSubgraph[]): string {
  const hash = createHash('sha256');
  for (const s of subgraphs) {
    const dir = join(dirname(dirname(s.mainPath)), 'drizzle');
    if (!existsSync(dir)) continue;
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(join(dir, f)).isFile()).sort();
    for (const f of files) hash.update(`${s.name}/${f}\0`).update(readFileSync(join(dir, f))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Waits until the processes use under 5% of a core each on average (their steady polling: Kafka
 * consumers, outbox relays) for 3 s in a row; at most 90 s, then the run goes on, naming the
 * busiest (background work then weighs on every variant alike, spread over the rounds).
 */
async function waitForIdle(procs: readonly Started[], ctx: RunContext): Promise<void> {
  const started = Date.now();
  const ticks = () => procs.map((p) => treeCpuTicks(p.pid));
  let last = ticks();
  let quiet = 0;
  let deltas: number[] = [];
  while (Date.now() - started < 90_000) {
    await sleep(1_000);
    const now = ticks();
    deltas = now.map((t, i) => t - (last[i] ?? 0));
    quiet = deltas.reduce((a, b) => a + b, 0) <= CLOCK_TICKS_PER_SECOND * 0.05 * procs.length ? quiet + 1 : 0;
    last = now;
    if (quiet >= 3) {
      ctx.log(`plaza: subgraphs idle after ${Math.round((Date.now() - started) / 1000)} s`);
      return;
    }
  }
  const busiest = procs.map((p, i) => `${p.name} ${Math.round(((deltas[i] ?? 0) * 100) / CLOCK_TICKS_PER_SECOND)}%`).join(', ');
  ctx.log(`plaza: the subgraphs are still busy after 90 s (CPU over the last second: ${busiest}); going on`);
}

async function requestsOf(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/__bench/requests`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { requests: number }).requests;
}

function ensureDatabase(databaseUrl: string): void {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'infra', 'postgres', 'ensure-db.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  if (r.status !== 0) throw new Error(`could not prepare ${databaseUrl}: ${(r.stderr || r.stdout).trim()}`);
}

async function existingSeed(databaseUrl: string): Promise<SeedRecord | undefined> {
  try {
    return await readSeedRecord(databaseUrl);
  } catch (err) {
    // 3D000: the database does not exist yet.
    if ((err as { code?: string }).code === '3D000') return undefined;
    throw err;
  }
}

/**
 * Plaza's own graph: every registered subgraph started from its main.ts on the benchmark's
 * database, Redis db and Kafka consumer groups; the data set seeded through Plaza's gateway (once
 * per database and data set version); the read-heavy mix built from it.
 */
export async function startPlazaGraph(ctx: RunContext, opts: { reseed: boolean }): Promise<BenchGraph> {
  const subgraphs = discoverPlazaSubgraphs(ctx.log);
  if (subgraphs.length === 0) throw new Error('no Plaza subgraph found');
  if (PLAZA_PORT_BASE + subgraphs.length - 1 > PLAZA_PORT_LIMIT) throw new Error('more Plaza subgraphs than ports set aside');
  const port = (i: number) => PLAZA_PORT_BASE + i;
  const names = subgraphs.map((s) => s.name).join(',');
  ctx.log(`plaza: subgraphs ${names}`);
  // What the seeded database was made for: the subgraphs and their migrations. A migration added
  // or rewritten since (as happens while a subgraph is being built) means a fresh database.
  const fingerprint = `${names}@${migrationsHash(subgraphs)}`;

  // Reused only when completely seeded with this data set and these subgraphs; anything else
  // (nothing yet, a seed cut short, an older data set, a subgraph added) starts from scratch.
  let existing: SeedRecord | undefined = await existingSeed(ctx.databaseUrl);
  if (opts.reseed || !existing || existing.version !== SEED_VERSION || existing.subgraphs !== fingerprint) {
    const why = opts.reseed ? '--reseed' : !existing ? 'not seeded yet' : 'another data set version, other subgraphs or other migrations';
    ctx.log(`plaza: (re-)creating the database ${new URL(ctx.databaseUrl).pathname.slice(1)} (${why})`);
    await recreateDatabase(ctx.databaseUrl);
    existing = undefined;
  }
  ensureDatabase(ctx.databaseUrl);

  const started: Started[] = [];
  const stopAllStarted = () => Promise.all(started.map((p) => p.stop()));
  try {
    subgraphs.forEach((s, i) => {
      started.push(
        startProcess({
          name: `plaza-${s.name}`,
          command: process.execPath,
          args: ['--import', 'tsx', '--import', COUNTER, s.mainPath],
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            NODE_ENV: 'production',
            LOG_LEVEL: 'warn',
            HOST: '127.0.0.1',
            PORT: String(port(i)),
            DATABASE_URL: ctx.databaseUrl,
            // 4 connections each: the server's 100 are shared by everyone on this machine.
            PG_POOL_MAX: '4',
            REDIS_URL: ctx.redisUrl,
            KAFKA_BROKERS: ctx.kafkaBrokers,
            KAFKA_GROUP_PREFIX: 'plaza-bench',
            JWT_PUBLIC_KEY: ctx.keys.publicKeyPem,
            JWT_PRIVATE_KEY: ctx.keys.privateKeyPem,
            // Tokens signed at the start must outlive the whole run.
            ACCESS_TOKEN_TTL_SECONDS: '7200',
            PLAZA_HOME: ctx.plazaHome,
            MIGRATE_ON_START: 'true',
          },
          logDir: LOG_DIR,
        }),
      );
    });
    await Promise.all(
      subgraphs.map((s, i) =>
        waitUntil(
          `plaza ${s.name}`,
          async () => (await post(`http://127.0.0.1:${port(i)}/graphql`, JSON.stringify({ query: '{ __typename }' }), {}, 5_000)).status === 200,
          120_000,
          started[i],
        ),
      ),
    );
  } catch (err) {
    await stopAllStarted();
    throw err;
  }
  ctx.log(`plaza: subgraphs up on ports ${subgraphs.map((_, i) => port(i)).join(', ')}`);

  const urls = Object.fromEntries(subgraphs.map((s, i) => [s.name, `http://127.0.0.1:${port(i)}/graphql`]));
  const supergraphSdl = readFileSync(PLAZA_SUPERGRAPH, 'utf8');
  // The checked-in supergraph may name a subgraph the registry does not have yet (or the reverse):
  // only the ones both know are redirected; a missing one fails the answer check, plainly.
  const inSupergraph = new Set(joinGraphs(supergraphSdl).map((g) => g.name));
  const known = Object.fromEntries(Object.entries(urls).filter(([name]) => inSupergraph.has(name)));
  const supergraphPath = join(RUN_DIR, 'plaza-supergraph.graphql');
  writeFileSync(supergraphPath, withSubgraphUrls(supergraphSdl, known));

  const contentIndex = subgraphs.findIndex((s) => s.name === 'content');
  const content = started[contentIndex];
  if (!content) throw new Error('the content subgraph is not in the registry: the limit loads it');

  const data = generateDataSet(DEFAULT_SIZE);
  const base: Omit<BenchGraph, 'requests' | 'details'> = {
    id: 'plaza',
    title: "Plaza's own graph (a read-heavy mix of real pages)",
    supergraphPath,
    plazaGatewayEnv: {
      SUPERGRAPH_PATH: PLAZA_SUPERGRAPH,
      ...Object.fromEntries(Object.entries(known).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, url])),
    },
    limit: {
      origin: `http://127.0.0.1:${port(contentIndex)}`,
      path: '/graphql',
      requests: [],
      pid: content.pid,
      sameAnswers: false,
      description: "the content subgraph's share of the same pages (no identity fields), straight at the content subgraph",
    },
    subgraphRequests: async () => (await Promise.all(subgraphs.map((_, i) => requestsOf(port(i))))).reduce((a, b) => a + b, 0),
    subgraphPids: started.map((p) => p.pid),
    close: async () => {
      await stopAllStarted();
    },
  };

  // Seeding (or signing in again) goes through Plaza's gateway, stopped again afterwards.
  const seedGraph: BenchGraph = { ...base, requests: [{ label: 'ping', headers: {}, body: JSON.stringify({ query: '{ __typename }' }) }], details: {} };
  let outcome: Awaited<ReturnType<typeof seedThroughGateway>>;
  try {
    const gateway = await startVariant('plaza', seedGraph, ctx, { workers: 1 });
    try {
      outcome = await seedThroughGateway({
        url: `${gateway.origin}${gateway.path}`,
        databaseUrl: ctx.databaseUrl,
        data,
        subgraphs: fingerprint,
        existing,
        log: ctx.log,
      });
    } finally {
      await gateway.stop();
    }
  } catch (err) {
    await stopAllStarted();
    throw err;
  }
  // Subgraphs that consume events (search indexing, counters) work through the seed's events in
  // the background: wait until they are idle, so that work does not land in a measured window.
  await waitForIdle(started, ctx);
  const mix = buildMix(outcome.graph, DEFAULT_MIX);
  return {
    ...base,
    requests: mix.gateway,
    limit: { ...base.limit, requests: mix.limit },
    details: {
      subgraphs: subgraphs.map((s) => s.name),
      dataSet: { ...outcome.counts, tags: outcome.graph.tags.length, seededThisRun: outcome.seeded, version: SEED_VERSION },
      mix: {
        ...DEFAULT_MIX,
        distinctRequests: mix.gateway.length,
        withToken: mix.gateway.filter((r) => 'authorization' in r.headers).length,
        operations: { PostPage: POST_PAGE, UserProfile: USER_PROFILE, PostsByTag: POSTS_BY_TAG },
      },
    },
  };
}
