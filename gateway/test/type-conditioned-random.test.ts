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

/**
 * Plans with `typeConditionedFetching` (an option Apollo's executor cannot run) against the
 * default plans: where the default answer has no error, the same answer (data and errors); where
 * it has errors, no more errors (the option only removes fetches for entities of another type).
 */
describe.each([
  ['shop', shopSubgraphs],
  ['media', mediaSubgraphs],
  ['guild', guildSubgraphs],
] as [string, FixtureSubgraph[]][])('type-conditioned fetching on the %s graph', (_name, subgraphs) => {
  it('answers every generated operation as the default plans do, or with fewer errors', async () => {
    const graph = await startFixtureGraph(subgraphs);
    const plain = await startExecutors(graph);
    const conditioned = await startExecutors(graph, { typeConditionedFetching: true });
    closers.push(() => graph.close(), () => plain.close(), () => conditioned.close());
    const apiSchema = buildSchema(printSchema(plain.plazaGateway.bundle().apiSchema));
    const generate = createOperationGenerator(apiSchema, FIXTURE_ARGUMENTS);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), fc.boolean(), fc.boolean(), async (choices, a, b) => {
        const { query, variables } = generate(choices, { a, b });
        const expected = await plain.plaza(query, variables);
        const actual = await conditioned.plaza(query, variables);
        if (!expected.errors?.length) {
          expect(comparable(actual), query).toEqual(comparable(expected));
        } else {
          expect((actual.errors ?? []).length, query).toBeLessThanOrEqual(expected.errors.length);
        }
      }),
      { numRuns: 60 },
    );
  }, 180_000);
});
