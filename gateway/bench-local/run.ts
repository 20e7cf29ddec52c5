// Local load test of the gateway on the Guild benchmark shape (not the official benchmark, which
// lives in bench/gateway): one subgraph process, then per configuration a gateway process loaded
// by CONNECTIONS concurrent keep-alive clients for DURATION seconds after a warm-up.
// Usage: npx tsx bench-local/run.ts plaza apollo   (env: DURATION, WARMUP, CONNECTIONS, CPU_PROF=1)
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { GUILD_QUERY } from '../test/fixtures/guild.js';

const DURATION = Number(process.env.DURATION ?? 15);
const WARMUP = Number(process.env.WARMUP ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

async function load(url: string, seconds: number, body: string) {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: CONNECTIONS, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          const res = await pool.request({ path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const text = await res.body.text();
          if (res.statusCode !== 200 || text.includes('"errors"')) errors++;
          bytes = text.length;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { requests: latencies.length, errors, bytes, p50: q(0.5), p99: q(0.99) };
}

const subgraphs = spawn(process.execPath, ['--import', 'tsx', 'bench-local/subgraphs.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const info = JSON.parse(await firstLine(subgraphs)) as { supergraphPath: string; urls: Record<string, string>; statsUrl: string };
const body = JSON.stringify({ query: GUILD_QUERY });
const results: Record<string, unknown>[] = [];
try {
  for (const executor of process.argv.slice(2)) {
    const [kind, ...flags] = executor.split('+');
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'test',
      LANDING_PAGE: 'false',
      INTROSPECTION: 'false',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:6379/1',
      SUPERGRAPH_PATH: info.supergraphPath,
      GATEWAY_EXECUTOR: kind!,
      GATEWAY_INBOUND_DEDUP: flags.includes('inbound') ? 'true' : 'false',
      GATEWAY_SUBGRAPH_DEDUP: flags.includes('nodedup') ? 'false' : 'true',
      GATEWAY_COALESCE_FETCHES: flags.includes('nocoalesce') ? 'false' : 'true',
    };
    for (const [name, url] of Object.entries(info.urls)) env[`SUBGRAPH_URL_${name.toUpperCase()}`] = url;
    const nodeArgs = ['--import', 'tsx'];
    if (process.env.CPU_PROF) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=/tmp/plaza-gw-prof/${executor.replace(/\W/g, '-')}`);
    const gw = spawn(process.execPath, [...nodeArgs, 'bench-local/gateway.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const { url, statsUrl } = JSON.parse(await firstLine(gw)) as { url: string; statsUrl: string };
    await load(url, WARMUP, body);
    await fetch(`${info.statsUrl}/reset`);
    const before = await getJson<{ cpuMicros: number }>(statsUrl);
    const r = await load(url, DURATION, body);
    const after = await getJson<{ cpuMicros: number; rss: number; maxRssKb: number }>(statsUrl);
    const counts = await getJson<Record<string, number>>(`${info.statsUrl}/stats`);
    const fetches = Object.values(counts).reduce((a, b) => a + b, 0);
    const row = {
      executor,
      rps: +(r.requests / DURATION).toFixed(1),
      p50: +r.p50.toFixed(1),
      p99: +r.p99.toFixed(1),
      errors: r.errors,
      bytes: r.bytes,
      cpuMsPerReq: +((after.cpuMicros - before.cpuMicros) / 1000 / r.requests).toFixed(2),
      fetchesPerReq: +(fetches / r.requests).toFixed(2),
      rssMb: Math.round(after.rss / 2 ** 20),
      maxRssMb: Math.round(after.maxRssKb / 1024),
    };
    results.push(row);
    console.log(JSON.stringify(row));
    gw.kill('SIGTERM');
    await new Promise((r2) => gw.once('exit', r2));
  }
} finally {
  subgraphs.kill('SIGTERM');
}
console.table(results);
