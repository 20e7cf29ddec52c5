import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FixtureGraph } from './fixture-graph.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * The environment of a gateway started as a process of its own over a fixture graph: the
 * supergraph in a temporary file, the subgraphs' URLs, a free port on 127.0.0.1.
 */
export async function gatewayProcessEnv(graph: FixtureGraph, extra: Record<string, string> = {}): Promise<{ env: Record<string, string>; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-gw-process-'));
  writeFileSync(join(dir, 'supergraph.graphql'), graph.supergraphSdl);
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1',
    SUPERGRAPH_PATH: join(dir, 'supergraph.graphql'),
    ...extra,
  };
  for (const [name, url] of graph.urls) env[`SUBGRAPH_URL_${name.toUpperCase()}`] = url;
  return { env, port };
}
