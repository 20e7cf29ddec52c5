import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import PinoPretty from 'pino-pretty';
import { repoRoot } from '@plaza/common';
import { defaultSubgraphUrl, SUBGRAPHS } from '@plaza/schema';
import { seedDemo } from './seed.js';

/**
 * Runs the whole system locally: every subgraph of the registry (schema/subgraphs.ts) on its
 * default port, which the supergraph's URLs also use, then the gateway once they are ready, then
 * the demo seed.
 * Ctrl-C stops everything; if any process dies, everything stops with a non-zero exit.
 */
const ROOT = repoRoot();
const GATEWAY_PORT = Number(process.env.PORT ?? 4000);
const children = new Map<string, ChildProcess>();
let stopping = false;

function start(name: string, entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pretty = PinoPretty({ colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' });
  // pino-pretty writes to stdout itself.
  child.stdout?.pipe(pretty);
  child.stderr?.pipe(process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`plaza: ${name} exited (${signal ?? code}); stopping everything`);
      void shutdown(1);
    }
  });
  children.set(name, child);
  return child;
}

async function waitReady(name: string, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(name)) throw new Error(`${name} exited before it was ready`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} not ready at ${url} after ${timeoutMs / 1000} s`);
}

async function shutdown(code: number): Promise<void> {
  stopping = true;
  const exits = [...children.values()].map(
    (child) => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  );
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 15_000))]);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

async function main(): Promise<void> {
  for (const subgraph of SUBGRAPHS) {
    start(subgraph.name, subgraph.mainPath, { PORT: String(subgraph.port) });
  }
  await Promise.all(SUBGRAPHS.map((s) => waitReady(s.name, new URL('/readyz', defaultSubgraphUrl(s)).href)));
  start('gateway', join(ROOT, 'gateway', 'src', 'main.ts'), { PORT: String(GATEWAY_PORT) });
  const origin = `http://localhost:${GATEWAY_PORT}`;
  await waitReady('gateway', `${origin}/readyz`);
  const seeded = await seedDemo(`${origin}/graphql`);
  console.log(`
  Plaza is up: ${origin}/graphql   (Apollo Sandbox: open it in a browser)
  WebSocket (graphql-ws): ws://localhost:${GATEWAY_PORT}/graphql
  Offline explorer (GraphiQL, no internet needed): ${origin}/explorer
  Demo accounts (password "${seeded.password}"): ${seeded.usernames.join(', ')}
  Ctrl-C stops everything.
`);
}

main().catch((err: unknown) => {
  console.error(`plaza: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1);
});
