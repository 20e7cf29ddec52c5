// Serves the Guild benchmark's four subgraphs (test fixtures) on free ports for local profiling,
// counting requests. Prints one JSON line: { supergraphPath, urls, statsUrl }.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guildSubgraphs } from '../test/fixtures/guild.js';
import { startFixtureGraph } from '../test/support/fixture-graph.js';

const graph = await startFixtureGraph(guildSubgraphs);
const counts: Record<string, number> = {};
// Count requests at the HTTP level: wrap each URL's server by a counting proxy-free trick —
// the fixture servers are Apollo standalone servers; count via a request listener on them.
const { default: http } = await import('node:http');
const originalEmit: typeof http.Server.prototype.emit = Reflect.get(http.Server.prototype, 'emit');
http.Server.prototype.emit = function (this: import('node:http').Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request') {
    const key = String((this.address() as AddressInfo | null)?.port);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
} as typeof originalEmit;
const stats = createServer((req, res) => {
  if (req.url === '/reset') for (const k of Object.keys(counts)) counts[k] = 0;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(counts));
});
await new Promise<void>((r) => stats.listen(0, '127.0.0.1', r));
const path = '/tmp/plaza-gw-bench-supergraph.graphql';
writeFileSync(path, graph.supergraphSdl);
console.log(JSON.stringify({ supergraphPath: path, urls: Object.fromEntries(graph.urls), statsUrl: `http://127.0.0.1:${(stats.address() as AddressInfo).port}` }));
