import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSuites } from './fixtures/audit-suites.js';
import { comparable, startExecutors, startFixtureGraph, type ExecutorTrio, type OperationResult } from './support/fixture-graph.js';

const closers: (() => Promise<void>)[] = [];
/** Per suite: cases passed by each executor (printed at the end; the README's table). */
const tally = new Map<string, { cases: number; apollo: number; plaza: number; conditioned: number; apolloFailures: string[] }>();

// Dozens of gateways and subgraph servers to stop: together, and with time for a loaded machine.
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  const rows = [...tally].map(([name, t]) => `| ${name} | ${t.cases} | ${t.plaza} | ${t.conditioned} | ${t.apollo} |`);
  const total = (k: 'cases' | 'plaza' | 'conditioned' | 'apollo') => [...tally.values()].reduce((n, t) => n + t[k], 0);
  rows.push(`| **total** | ${total('cases')} | ${total('plaza')} | ${total('conditioned')} | ${total('apollo')} |`);
  console.log(['| suite | cases | Plaza | Plaza, type-conditioned fetching | stock Apollo |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
  for (const [name, t] of tally) for (const q of t.apolloFailures) console.log(`${name}: stock Apollo fails ${q.replace(/\s+/g, ' ')}`);
}, 60_000);

/** As the audit compares: data (as JSON, key order aside) and whether there are errors. */
function auditView(result: OperationResult | { data?: unknown; errors: true }): unknown {
  const data: unknown = result.data === undefined ? undefined : JSON.parse(JSON.stringify(result.data));
  return result.errors === true || result.errors?.length ? { data: data ?? null, errors: true } : { data };
}

const passes = (result: OperationResult, expected: unknown) => isDeepStrictEqual(auditView(result), auditView(expected as OperationResult));

describe.each(auditSuites)('federation gateway audit: $name', (suite) => {
  let apolloSide: ExecutorTrio;
  let plazaSide: ExecutorTrio;
  let conditionedSide: ExecutorTrio;
  const runId = Math.random().toString(16).slice(2);
  const t = { cases: 0, apollo: 0, plaza: 0, conditioned: 0, apolloFailures: [] as string[] };
  tally.set(suite.name, t);

  beforeAll(async () => {
    // Separate graphs (and so separate state) for each gateway: some suites mutate.
    const forApollo = await startFixtureGraph(suite.subgraphs());
    const forPlaza = await startFixtureGraph(suite.subgraphs());
    const forConditioned = await startFixtureGraph(suite.subgraphs());
    closers.push(() => forApollo.close(), () => forPlaza.close(), () => forConditioned.close());
    apolloSide = await startExecutors(forApollo);
    closers.push(() => apolloSide.close());
    plazaSide = await startExecutors(forPlaza);
    closers.push(() => plazaSide.close());
    conditionedSide = await startExecutors(forConditioned, { typeConditionedFetching: true });
    closers.push(() => conditionedSide.close());
  }, 60_000);

  // In order: cases of a suite with mutations depend on the ones before.
  it.each(suite.cases(runId).map((c, i) => ({ ...c, i })))('case $i: passes where stock Apollo passes, else answers as Apollo', async ({ query, expected }) => {
    const apollo = await apolloSide.apollo(query);
    const plaza = await plazaSide.plaza(query);
    const conditioned = await conditionedSide.plaza(query);
    const apolloPasses = passes(apollo, expected);
    const plazaPasses = passes(plaza, expected);
    const conditionedPasses = passes(conditioned, expected);
    t.cases += 1;
    if (conditionedPasses) t.conditioned += 1;
    if (apolloPasses) t.apollo += 1;
    else t.apolloFailures.push(`${query} -> ${JSON.stringify(auditView(apollo))} ${JSON.stringify(apollo.errors?.map((e) => e.message))}`);
    if (plazaPasses) t.plaza += 1;
    if (apolloPasses) {
      expect(auditView(plaza), query).toEqual(auditView(expected as OperationResult));
      expect(comparable(plaza), query).toEqual(comparable(apollo));
    } else if (!plazaPasses) {
      // Where stock Apollo fails the audit too, Plaza fails it in exactly the same way.
      expect(comparable(plaza), query).toEqual(comparable(apollo));
    }
    // The option never loses a case Plaza passes by default.
    if (plazaPasses) expect(auditView(conditioned), query).toEqual(auditView(expected as OperationResult));
    // Planning some of these operations takes seconds on a loaded machine (for both gateways).
  }, 60_000);
});
