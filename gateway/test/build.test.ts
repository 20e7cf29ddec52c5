import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUILD_QUERY, guildSubgraphs } from './fixtures/guild.js';
import { startFixtureGraph, type FixtureGraph } from './support/fixture-graph.js';
import { startGatewayOver } from './support/gateway.js';
import { gatewayProcessEnv } from './support/gateway-process.js';

/** The built gateway (scripts/build.mjs), what production and the benchmark run. */
const gatewayDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// Next to the real build, so its npm imports resolve exactly as dist/main.mjs's do.
const outDir = join(gatewayDir, 'dist', `test-${process.pid}`);

let graph: FixtureGraph;
beforeAll(async () => {
  graph = await startFixtureGraph(guildSubgraphs);
});
afterAll(async () => {
  await graph?.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe('the built gateway', () => {
  it('is one module that runs on plain Node and answers as the sources do', async () => {
    execFileSync(process.execPath, [join(gatewayDir, 'scripts', 'build.mjs'), join(outDir, 'main.mjs')], { stdio: 'pipe' });
    const { env, port } = await gatewayProcessEnv(graph);
    // No TypeScript loader: plain `node` on the built file.
    const child = spawn(process.execPath, [join(outDir, 'main.mjs')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const listening = new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('gateway listening')) resolve();
      });
    });
    const reference = await startGatewayOver(graph);
    try {
      await Promise.race([
        listening,
        exited.then((code) => {
          throw new Error(`the built gateway exited (code ${String(code)}) before it listened`);
        }),
      ]);
      const ask = (url: string) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: GUILD_QUERY }) }).then((r) => r.text());
      const built = await ask(`http://127.0.0.1:${port}/graphql`);
      expect(JSON.parse(built)).toHaveProperty('data.topProducts');
      expect(built).toBe(await ask(reference.url));
    } finally {
      child.kill('SIGTERM');
      await reference.close();
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
