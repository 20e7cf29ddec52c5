import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/environment.js';
import { startGateway, type RunningGateway } from '../../src/server.js';
import type { FixtureGraph } from './fixture-graph.js';

/** Plaza's real gateway (HTTP, auth, limits) over a fixture graph, on a free port. */
export async function startGatewayOver(graph: FixtureGraph, env: Record<string, string> = {}): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-gw-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, graph.supergraphSdl);
  const urls: Record<string, string> = {};
  for (const [name, url] of graph.urls) urls[`SUBGRAPH_URL_${name.toUpperCase()}`] = url;
  return startGateway(
    loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1',
      SUPERGRAPH_PATH: supergraphPath,
      ...urls,
      ...env,
    }),
  );
}
