import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePrepared, prepareOperation } from '../src/executor/index.js';
import { createDifferentialRunner, type Mismatch } from '../src/executor/differential.js';
import { createPlazaGateway } from '../src/executor/gateway.js';
import { ApolloServer } from '@apollo/server';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { createJournal, type Journal } from './fixtures/journal.js';
import { startExecutors, startFixtureGraph, type ExecutorTrio, type FixtureGraph } from './support/fixture-graph.js';

const MUTATION = `mutation {
  first: write(text: "one") { id text seenBy }
  a: mark(label: "A")
  second: write(text: "two") { text }
  b: mark(label: "B")
}`;

let journal: Journal;
let graph: FixtureGraph;
let executors: ExecutorTrio;
beforeAll(async () => {
  journal = createJournal();
  graph = await startFixtureGraph(journal.subgraphs);
  executors = await startExecutors(graph);
});
afterAll(async () => {
  await executors?.close();
  await graph?.close();
});

describe('mutations', () => {
  it('runs root mutation fields one after another, in the order written, across subgraphs', async () => {
    journal.log.length = 0;
    const result = await executors.plaza(MUTATION);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      first: { id: expect.any(String) as unknown, text: 'one', seenBy: [expect.stringMatching(/^auditor-of-e/) as unknown] },
      a: 'A',
      second: { text: 'two' },
      b: 'B',
    });
    expect(journal.log).toEqual(['notes:one', 'audit:A', 'notes:two', 'audit:B']);
  });

  it('runs each mutation once in differential mode, and finds no difference', async () => {
    journal.log.length = 0;
    const result = await executors.differential(MUTATION);
    expect(result.errors).toBeUndefined();
    expect(journal.log).toEqual(['notes:one', 'audit:A', 'notes:two', 'audit:B']);
    expect(executors.mismatches).toEqual([]);
  });
});

describe('differential mode', () => {
  it('reports an answer of Plaza that differs from Apollo', async () => {
    const mismatches: Mismatch[] = [];
    const gateway = createPlazaGateway({
      supergraphSdl: graph.supergraphSdl,
      subgraphUrl: (name) => graph.urls.get(name)!,
      subgraphTimeoutMs: 5_000,
      forwardedHeaders: () => ({ authorization: undefined, clientIp: undefined }),
      runner: (defaults) =>
        createDifferentialRunner(
          {
            ...defaults,
            // A broken Plaza: drops one field of the answer.
            run: async (args) => {
              const result = await defaults.run(args);
              return { ...result, data: { ...result.data, entryCount: -1 } };
            },
          },
          graph.urls,
          { createDataSource: (_name, url) => new RemoteGraphQLDataSource({ url }), onMismatch: (m) => mismatches.push(m) },
        ),
    });
    const server = new ApolloServer({ gateway, stopOnTerminationSignals: false });
    await server.start();
    try {
      const response = await server.executeOperation({ query: '{ entryCount }' });
      expect(response.body.kind === 'single' && response.body.singleResult.errors?.[0]?.extensions?.code).toBe('DIFFERENTIAL_MISMATCH');
      expect(mismatches).toHaveLength(1);
      expect(mismatches[0]).toMatchObject({ query: '{ entryCount }', plaza: { data: { entryCount: -1 } } });
    } finally {
      await server.stop();
    }
  });
});

describe('running a subscription plan for one event', () => {
  it("completes an event with other subgraphs' fields and shapes it like a query answer", async () => {
    const bundle = executors.plazaGateway.bundle();
    const prepared = prepareOperation(bundle, parse('subscription { entryAdded { text seenBy id } }'), undefined);
    expect(prepared.kind).toBe('subscription');
    expect(prepared.subscriptionPrimary?.service).toBe('notes');
    const result = await executePrepared(prepared, {
      transport: executors.plazaGateway.transport(),
      apiSchema: bundle.apiGraphQLSchema,
      variables: undefined,
      headers: { authorization: undefined, clientIp: undefined },
      // What the primary fetch would have delivered for one event.
      rootValue: { entryAdded: { __typename: 'Entry', id: 'e42', text: 'hello' } },
    });
    expect(result).toEqual({ data: { entryAdded: { text: 'hello', seenBy: ['auditor-of-e42'], id: 'e42' } } });
  });
});
