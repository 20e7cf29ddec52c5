import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchGraph, RunContext } from '../context.js';
import { BENCH_DIR, LOG_DIR } from '../context.js';
import { GUILD_PORTS } from '../ports.js';
import { startProcess, waitUntil, type Started } from '../processes.js';
import { GUILD_DIR, GUILD_SUBGRAPHS } from './subgraphs.js';

const SERVICES = [...GUILD_SUBGRAPHS, 'monolith'] as const;

async function requestsOf(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/_requests`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { requests: number };
  return body.requests;
}

/**
 * The Guild's benchmark shape: its four subgraphs (one Node process each) and its deep query; the
 * limit is the same query answered by the monolith (the four in one process, no gateway).
 */
export async function startGuildGraph(ctx: RunContext): Promise<BenchGraph> {
  const started: Started[] = [];
  try {
    for (const name of SERVICES) {
      started.push(
        startProcess({
          name: `guild-${name}`,
          command: process.execPath,
          args: ['--import', 'tsx', join(BENCH_DIR, 'src', 'guild', 'serve.ts'), name, String(GUILD_PORTS[name])],
          cwd: BENCH_DIR,
          env: { ...process.env, NODE_ENV: 'production' },
          logDir: LOG_DIR,
        }),
      );
    }
    await Promise.all(
      SERVICES.map((name, i) =>
        waitUntil(`guild ${name}`, async () => (await fetch(`http://127.0.0.1:${GUILD_PORTS[name]}/healthz`)).ok, 30_000, started[i]),
      ),
    );
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    throw err;
  }
  ctx.log(`guild: subgraphs up on ports ${SERVICES.map((n) => GUILD_PORTS[n]).join(', ')}`);
  const query = readFileSync(join(GUILD_DIR, 'query.graphql'), 'utf8');
  const request = { label: 'deep query', headers: {}, body: JSON.stringify({ query }) };
  const monolith = started[SERVICES.indexOf('monolith')];
  if (!monolith) throw new Error('monolith not started');
  return {
    id: 'guild',
    title: "The Guild's benchmark shape (accounts, inventory, products, reviews; the deep query)",
    supergraphPath: join(GUILD_DIR, 'supergraph.graphql'),
    plazaGatewayEnv: {
      SUPERGRAPH_PATH: join(GUILD_DIR, 'supergraph.graphql'),
      ...Object.fromEntries(GUILD_SUBGRAPHS.map((n) => [`SUBGRAPH_URL_${n.toUpperCase()}`, `http://127.0.0.1:${GUILD_PORTS[n]}/graphql`])),
    },
    requests: [request],
    limit: {
      origin: `http://127.0.0.1:${GUILD_PORTS.monolith}`,
      path: '/graphql',
      requests: [request],
      pid: monolith.pid,
      sameAnswers: true,
      description: 'the deep query answered by one Node process holding the four subgraphs (same data, same server code), no gateway',
    },
    subgraphRequests: async () => (await Promise.all(SERVICES.map((n) => requestsOf(GUILD_PORTS[n])))).reduce((a, b) => a + b, 0),
    subgraphPids: started.filter((p) => p !== monolith).map((p) => p.pid),
    details: {
      subgraphs: 'accounts, inventory, products, reviews: Node 20, @apollo/subgraph 2.14.4 schemas on node:http (one process each)',
      query: 'TestQuery of graphql-hive/graphql-gateways-benchmark (users and topProducts, reviews, authors, nested 5 levels)',
    },
    close: async () => {
      await Promise.all(started.map((p) => p.stop()));
    },
  };
}
