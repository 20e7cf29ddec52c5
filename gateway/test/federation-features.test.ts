import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaOperations, mediaSubgraphs } from './fixtures/media.js';
import { shopOperations, shopSubgraphs } from './fixtures/shop.js';
import { comparable, startExecutors, startFixtureGraph, type ExecutorTrio, type FixtureGraph } from './support/fixture-graph.js';

let graph: FixtureGraph;
let executors: ExecutorTrio;
beforeAll(async () => {
  graph = await startFixtureGraph(shopSubgraphs);
  executors = await startExecutors(graph);
});
afterAll(async () => {
  await executors?.close();
  await graph?.close();
});

describe('Plaza executor on the shop graph (entity features)', () => {
  it.each(shopOperations)('answers as Apollo does: $name', async ({ query, variables }) => {
    const apollo = await executors.apollo(query, variables);
    const plaza = await executors.plaza(query, variables);
    expect(comparable(plaza)).toEqual(comparable(apollo));
    expect(JSON.stringify(plaza.data)).toBe(JSON.stringify(apollo.data));
    await executors.differential(query, variables);
    expect(executors.mismatches).toEqual([]);
  });
});

describe('Plaza executor on the media graph (abstract types)', () => {
  let media: FixtureGraph;
  let mediaExecutors: ExecutorTrio;
  beforeAll(async () => {
    media = await startFixtureGraph(mediaSubgraphs);
    mediaExecutors = await startExecutors(media);
  });
  afterAll(async () => {
    await mediaExecutors?.close();
    await media?.close();
  });

  it.each(mediaOperations)('answers as Apollo does: $name', async ({ query, variables }) => {
    const apollo = await mediaExecutors.apollo(query, variables);
    const plaza = await mediaExecutors.plaza(query, variables);
    expect(comparable(plaza)).toEqual(comparable(apollo));
    expect(JSON.stringify(plaza.data)).toBe(JSON.stringify(apollo.data));
    await mediaExecutors.differential(query, variables);
    expect(mediaExecutors.mismatches).toEqual([]);
  });

  it('never names an @inaccessible type in an answer', async () => {
    const plaza = await mediaExecutors.plaza('{ visibleMedia { id __typename } }');
    expect(JSON.stringify(plaza)).not.toMatch(/Podcast/);
    // As Apollo: shaping problems are reported under extensions.valueCompletion when no fetch failed.
    const completion = plaza.extensions?.valueCompletion as { message: string; path: unknown[] }[] | undefined;
    expect(completion?.[0]).toMatchObject({ message: 'Invalid __typename found for object at array element of type Media at index 4.', path: ['visibleMedia', 4] });
    expect(plaza.data).toMatchObject({ visibleMedia: [{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }, { id: 'm4' }, null] });
  });
});
