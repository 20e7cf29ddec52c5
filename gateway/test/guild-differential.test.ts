import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUILD_QUERY, guildSubgraphs } from './fixtures/guild.js';
import { comparable, startExecutors, startFixtureGraph, type ExecutorTrio, type FixtureGraph } from './support/fixture-graph.js';

let graph: FixtureGraph;
let executors: ExecutorTrio;
beforeAll(async () => {
  graph = await startFixtureGraph(guildSubgraphs);
  executors = await startExecutors(graph);
});
afterAll(async () => {
  await executors?.close();
  await graph?.close();
});

describe('the Guild benchmark graph', () => {
  it('answers the benchmark query exactly as Apollo does', async () => {
    const apollo = await executors.apollo(GUILD_QUERY);
    const plaza = await executors.plaza(GUILD_QUERY);
    expect(apollo.errors).toBeUndefined();
    expect(JSON.stringify(apollo.data).length).toBeGreaterThan(50_000);
    expect(comparable(plaza)).toEqual(comparable(apollo));
    // Same bytes, key order included.
    expect(JSON.stringify(plaza.data)).toBe(JSON.stringify(apollo.data));
  });

  it('finds no difference in differential mode', async () => {
    const result = await executors.differential(GUILD_QUERY);
    expect(result.errors).toBeUndefined();
    expect(executors.mismatches).toEqual([]);
  });
});
