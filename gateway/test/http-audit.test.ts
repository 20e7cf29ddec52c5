import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { guildSubgraphs } from './fixtures/guild.js';
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

describe.each(['plaza', 'apollo'])('the GraphQL-over-HTTP audit with the %s executor', (executor) => {
  it('passes all 61 audits', async () => {
    const gateway = await startGatewayOver(graph, { GATEWAY_EXECUTOR: executor });
    gateways.push(gateway);
    const results = await auditServer({ url: gateway.url });
    const failed = results.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failed).toEqual([]);
    expect(results).toHaveLength(61);
  });
});
