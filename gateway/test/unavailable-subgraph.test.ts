import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { shopSubgraphs } from './fixtures/shop.js';
import { startFixtureGraph, type FixtureGraph } from './support/fixture-graph.js';
import { startGatewayOver } from './support/gateway.js';

async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}/graphql`;
}

let graph: FixtureGraph;
const gateways: Record<string, RunningGateway> = {};
beforeAll(async () => {
  graph = await startFixtureGraph(shopSubgraphs);
  const broken: FixtureGraph = { ...graph, urls: new Map(graph.urls).set('inventory', await deadUrl()) };
  for (const executor of ['apollo', 'plaza']) gateways[executor] = await startGatewayOver(broken, { GATEWAY_EXECUTOR: executor, LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  await Promise.all(Object.values(gateways).map((g) => g.close()));
  await graph?.close();
});

async function post(url: string, query: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json() };
}

describe('a subgraph that cannot be reached', () => {
  it.each([
    '{ product(id: "p1") { id name stock } }',
    '{ reviews { id product { name stock } } }',
    '{ products { id warehouse { code } } }',
  ])('fails only its fields with SERVICE_UNAVAILABLE, as with Apollo: %s', async (query) => {
    const apollo = await post(gateways.apollo!.url, query);
    const plaza = await post(gateways.plaza!.url, query);
    expect(plaza).toEqual(apollo);
    expect(JSON.stringify(plaza)).toContain('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(plaza)).toContain('The inventory service is unavailable');
  });
});
