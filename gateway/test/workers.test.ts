import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guildSubgraphs } from './fixtures/guild.js';
import { startFixtureGraph, type FixtureGraph } from './support/fixture-graph.js';
import { gatewayProcessEnv } from './support/gateway-process.js';

/** The gateway package: the child runs `src/main.ts` from there, whatever the runner's cwd. */
const gatewayDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Gateway processes among the children of `pid` (Linux /proc; tsx's esbuild service is one too). */
function gatewayChildrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const parent = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
        return parent === String(pid) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('src/main.ts');
      } catch {
        return false;
      }
    })
    .map(Number);
}

let graph: FixtureGraph;
beforeAll(async () => {
  graph = await startFixtureGraph(guildSubgraphs);
});
afterAll(async () => {
  await graph?.close();
});

describe('GATEWAY_WORKERS', () => {
  it('serves one port from several worker processes and stops them all on SIGTERM', async () => {
    const { env, port } = await gatewayProcessEnv(graph, { GATEWAY_WORKERS: '2' });
    const primary = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: gatewayDir, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => primary.once('exit', (code) => r(code)));
    // The primary logs this once every worker listens. Three processes each load the gateway
    // through tsx: slow on a busy 2-core machine.
    const allListening = new Promise<void>((resolve) => {
      let out = '';
      primary.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('gateway workers listening')) resolve();
      });
    });
    try {
      await Promise.race([
        allListening,
        exited.then((code) => {
          throw new Error(`the gateway exited (code ${String(code)}) before its workers listened`);
        }),
      ]);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
      expect(gatewayChildrenOf(primary.pid!)).toHaveLength(2);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ users { id name reviews { id } } }' }),
          }).then((r) => r.json() as Promise<{ data: { users: unknown[] } }>),
        ),
      );
      for (const answer of answers) expect(answer.data.users).toHaveLength(6);
    } finally {
      primary.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 150_000);
});
