import fc from 'fast-check';
import { buildSchema } from 'graphql';
import { printSchema } from '@apollo/federation-internals';
import { afterAll, describe, expect, it } from 'vitest';
import { guildSubgraphs } from './fixtures/guild.js';
import { mediaSubgraphs } from './fixtures/media.js';
import { shopSubgraphs } from './fixtures/shop.js';
import { comparable, startExecutors, startFixtureGraph, type FixtureSubgraph } from './support/fixture-graph.js';
import { createOperationGenerator, FIXTURE_ARGUMENTS } from './support/random-operations.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe.each([
  ['shop', shopSubgraphs],
  ['media', mediaSubgraphs],
  ['guild', guildSubgraphs],
] as [string, FixtureSubgraph[]][])('random operations on the %s graph', (_name, subgraphs) => {
  it('answers every generated operation exactly as Apollo does', async () => {
    const graph = await startFixtureGraph(subgraphs);
    const executors = await startExecutors(graph);
    closers.push(() => graph.close(), () => executors.close());
    // Rebuilt from SDL: the bundle's graphql-js schema belongs to Apollo's graphql-js instance.
    const apiSchema = buildSchema(printSchema(executors.plazaGateway.bundle().apiSchema));
    const generate = createOperationGenerator(apiSchema, FIXTURE_ARGUMENTS);
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), fc.boolean(), fc.boolean(), async (choices, a, b) => {
        const { query, variables } = generate(choices, { a, b });
        const apollo = await executors.apollo(query, variables);
        const plaza = await executors.plaza(query, variables);
        if (!apollo.errors?.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')) ran++;
        expect(comparable(plaza), query).toEqual(comparable(apollo));
        expect(JSON.stringify(plaza.data), query).toBe(JSON.stringify(apollo.data));
      }),
      { numRuns: 60 },
    );
    // The generator must produce operations that run, not only ones validation refuses.
    expect(ran).toBeGreaterThan(45);
  }, 120_000);
});
