import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../src/executor/transport.js';
import type { RunningGateway } from '../src/server.js';
import { GUILD_QUERY, guildSubgraphs } from './fixtures/guild.js';
import { startFixtureGraph, type FixtureGraph } from './support/fixture-graph.js';
import { startGatewayOver } from './support/gateway.js';

let graph: FixtureGraph;
const gateways: RunningGateway[] = [];
beforeAll(async () => {
  graph = await startFixtureGraph(guildSubgraphs);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await graph?.close();
});

async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  const gateway = await startGatewayOver(graph, env);
  gateways.push(gateway);
  return gateway;
}

async function query(gateway: RunningGateway, text: string): Promise<string> {
  const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text }) });
  return res.text();
}

const sent = (gateway: RunningGateway) => gateway.planExecutor!.transport().stats().sent;

describe('subgraph fetches', () => {
  it('combines entity fetches that are ready together: fewer than the 16 of the plan for the benchmark query', async () => {
    const separate = await gatewayWith({ GATEWAY_COALESCE_FETCHES: 'false', GATEWAY_SUBGRAPH_DEDUP: 'false' });
    const combined = await gatewayWith({ GATEWAY_SUBGRAPH_DEDUP: 'false' });
    const a = await query(separate, GUILD_QUERY);
    const b = await query(combined, GUILD_QUERY);
    expect(b).toBe(a);
    expect(sent(separate)).toBe(16);
    expect(sent(combined)).toBeLessThan(12);
    // Two gateways started and the deep query planned twice: seconds on a loaded 2-core machine.
  }, 30_000);

  it('shares identical in-flight client queries when inbound de-duplication is on', async () => {
    const gateway = await gatewayWith({ GATEWAY_INBOUND_DEDUP: 'true', GATEWAY_SUBGRAPH_DEDUP: 'false' });
    await query(gateway, GUILD_QUERY);
    const perRequest = sent(gateway);
    const answers = await Promise.all(Array.from({ length: 8 }, () => query(gateway, GUILD_QUERY)));
    expect(new Set(answers).size).toBe(1);
    expect(sent(gateway) - perRequest).toBeLessThan(8 * perRequest);
    // Most of them never entered the GraphQL pipeline: they got the bytes of the one in flight.
    expect(gateway.inboundDedup!().shared).toBeGreaterThan(0);
  }, 30_000);
});

describe('answers', () => {
  it('are not hashed for an ETag (POST answers never use one; the deep query is 87 KB)', async () => {
    const gateway = await gatewayWith({});
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: GUILD_QUERY }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect(((await res.json()) as { data: unknown }).data).toBeTruthy();
  }, 30_000);
});

describe('in-flight de-duplication of subgraph fetches', () => {
  let server: Server;
  let url: string;
  const seen: { authorization: string | undefined; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ authorization: req.headers.authorization, body });
        // Slow enough for concurrent requests to overlap.
        setTimeout(() => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: { n: seen.length } }));
        }, 50);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('sends one request for identical concurrent queries, never shares across Authorization or for mutations', async () => {
    const transport = createHttpTransport({ urls: new Map([['s', url]]), timeoutMs: 5_000, dedupe: true });
    const send = (authorization: string | undefined, kind: 'query' | 'mutation', body = '{"query":"{ n }"}') =>
      transport.send({ service: 's', body, kind, headers: { authorization, clientIp: undefined } });
    seen.length = 0;
    const answers = await Promise.all([send('Bearer a', 'query'), send('Bearer a', 'query'), send('Bearer a', 'query')]);
    expect(seen).toHaveLength(1);
    // Each caller gets its own copy (the executor merges into it).
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).not.toBe(answers[1]);
    seen.length = 0;
    await Promise.all([send('Bearer a', 'query'), send('Bearer b', 'query'), send(undefined, 'query')]);
    expect(seen.map((s) => s.authorization).sort()).toEqual(['Bearer a', 'Bearer b', undefined].sort());
    seen.length = 0;
    await Promise.all([send('Bearer a', 'mutation', '{"query":"mutation { n }"}'), send('Bearer a', 'mutation', '{"query":"mutation { n }"}')]);
    expect(seen).toHaveLength(2);
    expect(transport.stats().shared).toBe(2);
    await transport.close();
  });
});
