import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { Result } from 'autocannon';
import { answerProblem, firstDifference } from '../src/compare.js';
import { hasGraphqlErrors, measuredWindow, rotate, summarize } from '../src/load.js';
import { parseOptions } from '../src/options.js';
import { cpuMsPerRequest, cpuTicksOf, descendants, parseStat } from '../src/proc.js';
import { evaluateTargets, median, summarizeVariant, type RunRecord } from '../src/stats.js';
import { joinGraphs, withSubgraphUrls } from '../src/supergraph.js';

describe('CPU accounting from /proc', () => {
  it('reads utime, stime, cutime and cstime after a command name holding spaces and parentheses', () => {
    const line = '4242 (node (worker) 1) S 4200 4242 4200 0 -1 4194560 5000 0 0 0 1234 567 89 10 20 0 11 0 1000 1200000000 30000 18446744073709551615';
    const s = parseStat(line);
    assert.deepEqual(s, { pid: 4242, ppid: 4200, utime: 1234, stime: 567, cutime: 89, cstime: 10 });
    assert.equal(cpuTicksOf(s), 1234 + 567 + 89 + 10);
  });

  it('rejects a line that is not a stat line', () => {
    assert.throws(() => parseStat('garbage'));
  });

  it('finds every descendant of a root and nothing else', () => {
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 10],
      [13, 12],
      [20, 1],
      [21, 20],
    ]);
    assert.deepEqual(descendants(parents, 10).sort((a, b) => a - b), [10, 11, 12, 13]);
    assert.deepEqual(descendants(parents, 99), [99]);
  });

  it('turns a tick delta into milliseconds per request', () => {
    // 250 ticks at 100 per second = 2.5 s of CPU over 100 requests = 25 ms each.
    assert.equal(cpuMsPerRequest(1000, 1250, 100, 100), 25);
    assert.equal(cpuMsPerRequest(1000, 1250, 100, 0), null);
  });
});

describe('answer equality', () => {
  it('treats answers differing only in key order and white space as equal', () => {
    const a: unknown = JSON.parse('{"data":{"a":1,"b":[{"x":"1","y":null}]}}');
    const b: unknown = JSON.parse('{ "data": { "b": [ { "y": null, "x": "1" } ], "a": 1 } }\n');
    assert.equal(firstDifference(a, b), null);
  });

  it('names the path of the first difference', () => {
    assert.equal(firstDifference({ data: { u: [{ id: '1' }, { id: '2' }] } }, { data: { u: [{ id: '1' }, { id: '3' }] } }), '$.data.u[1].id: "2" ≠ "3"');
    assert.equal(firstDifference({ a: [1, 2] }, { a: [1] }), '$.a: 2 items ≠ 1 items');
    assert.equal(firstDifference({ a: 1 }, { a: 1, b: 2 }), '$.b: absent ≠ present');
    assert.equal(firstDifference({ a: null }, { a: {} }), '$.a: null ≠ {}');
    assert.equal(firstDifference({ a: 1 }, { a: '1' }), '$.a: 1 ≠ "1"');
  });

  it('refuses answers with errors, without data, not JSON or not 200 before any load', () => {
    assert.equal(answerProblem(200, '{"data":{"a":1}}'), null);
    assert.match(answerProblem(200, '{"data":null,"errors":[{"message":"boom"}]}') ?? '', /^errors: .*boom/);
    assert.equal(answerProblem(200, '{"data":null}'), 'no data');
    assert.match(answerProblem(400, '{"errors":[]}') ?? '', /^HTTP 400/);
    assert.match(answerProblem(200, '<html>') ?? '', /^not JSON/);
  });
});

describe('load results', () => {
  const result = {
    duration: 20.04,
    requests: { total: 1002, average: 50, mean: 50, stddev: 1, min: 45, max: 55, p50: 50, p90: 53, p99: 55 },
    latency: { total: 1002, average: 990.5, mean: 990.5, stddev: 40, min: 500, max: 2100, p50: 980, p90: 1100, p99: 1500 },
    throughput: { total: 0, average: 0, mean: 0, stddev: 0, min: 0, max: 0, p50: 0, p90: 0, p99: 0 },
    errors: 2,
    timeouts: 1,
    non2xx: 4,
    mismatches: 0,
    resets: 0,
    '2xx': 998,
  } as unknown as Result;

  it('reports answered requests per second over the real duration, percentiles, and errors with timeouts', () => {
    const s = summarize(result, 3);
    assert.equal(s.requests, 1002);
    assert.equal(s.reqPerSec, 1002 / 20.04);
    assert.deepEqual(s.latencyMs, { mean: 990.5, p50: 980, p90: 1100, p99: 1500, max: 2100 });
    assert.equal(s.errors, 3);
    assert.equal(s.non2xx, 4);
    assert.equal(s.graphqlErrors, 3);
  });

  it('spots a GraphQL errors array in a 200 answer', () => {
    assert.equal(hasGraphqlErrors('{"data":{"a":1},"errors":[{"message":"x"}]}'), true);
    assert.equal(hasGraphqlErrors('{"data":{"body":"no errors here"}}'), false);
  });

  it('starts each connection at its own place in the mix', () => {
    assert.deepEqual(rotate([1, 2, 3, 4], 1), [2, 3, 4, 1]);
    assert.deepEqual(rotate([1, 2, 3, 4], 6), [3, 4, 1, 2]);
    assert.deepEqual(rotate([], 3), []);
  });

  it('reads per-request figures in the steady part of the load', () => {
    assert.deepEqual(measuredWindow(20_000), { startMs: 2_000, endMs: 19_500 });
    assert.deepEqual(measuredWindow(60_000), { startMs: 3_000, endMs: 59_500 });
    assert.deepEqual(measuredWindow(5_000), { startMs: 500, endMs: 4_750 });
  });
});

describe('summaries and targets', () => {
  const run = (variant: RunRecord['variant'], round: number, reqPerSec: number, p99: number, rss: number): RunRecord => ({
    variant,
    round,
    ok: true,
    load: { requests: reqPerSec * 20, durationSeconds: 20, reqPerSec, latencyMs: { mean: 0, p50: p99 / 2, p90: 0, p99, max: 0 }, errors: 0, non2xx: 0, graphqlErrors: 0 },
    peakRssMb: rss,
    gatewayCpuMsPerReq: 10,
    subgraphCpuMsPerReq: 2,
    subgraphRequestsPerReq: 4,
  });

  it('takes medians over rounds and the largest RSS, and lists failed rounds', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(median([]), null);
    const runs = [run('plaza', 1, 100, 50, 300), run('plaza', 2, 110, 70, 320), { variant: 'plaza' as const, round: 3, ok: false, error: 'did not start' }];
    const s = summarizeVariant('plaza', runs);
    assert.equal(s.rounds, 2);
    assert.equal(s.reqPerSec, 105);
    assert.equal(s.p99Ms, 60);
    assert.equal(s.peakRssMb, 320);
    assert.deepEqual(s.failures, ['round 3: did not start']);
  });

  it('evaluates the team targets from one run', () => {
    const runs = [run('plaza', 1, 130, 90, 250), run('hive', 1, 100, 100, 400), run('plaza-dedup', 1, 300, 50, 250), run('hive-dedup', 1, 310, 50, 400), run('apollo', 1, 50, 300, 290)];
    const summary = (['plaza', 'plaza-dedup', 'hive', 'hive-dedup', 'apollo'] as const).map((v) => summarizeVariant(v, runs));
    const t = evaluateTargets(summary);
    assert.deepEqual(
      t.map((x) => [x.measured, x.met]),
      [
        ['1.30', true],
        ['90 ms vs 100 ms', true],
        ['0.97×', false],
        ['250 MB vs 290 MB', true],
      ],
    );
    assert.ok(evaluateTargets(summary.filter((s) => s.variant !== 'hive')).slice(0, 2).every((x) => x.met === null));
  });
});

describe('options', () => {
  it('defaults to 2 rounds of 20 s at 50 connections over both graphs and every variant', () => {
    const o = parseOptions([]);
    assert.equal(o.rounds, 2);
    assert.equal(o.durationSeconds, 20);
    assert.equal(o.connections, 50);
    assert.deepEqual(o.graphs, ['guild', 'plaza']);
    assert.equal(o.variants.length, 6);
    assert.equal(o.out, 'gateway');
  });

  it('narrows variants in canonical order and writes a partial result', () => {
    const o = parseOptions(['--only', 'apollo,plaza', '--duration=5', '--workers', '2']);
    assert.deepEqual(o.variants, ['plaza', 'apollo']);
    assert.equal(o.durationSeconds, 5);
    assert.equal(o.workers, 2);
    assert.equal(o.out, 'gateway-partial');
  });

  it('refuses unknown variants, options and bad numbers', () => {
    assert.throws(() => parseOptions(['--only', 'router']), /--only/);
    assert.throws(() => parseOptions(['--fast']), /unknown option/);
    assert.throws(() => parseOptions(['--rounds', '0']), /--rounds/);
  });
});

describe('supergraph subgraph URLs', () => {
  const sdl = `enum join__Graph {\n  CONTENT @join__graph(name: "content", url: "http://127.0.0.1:4002/graphql")\n  IDENTITY @join__graph(name: "identity", url: "http://127.0.0.1:4001/graphql")\n}`;

  it('lists the subgraphs of a supergraph', () => {
    assert.deepEqual(joinGraphs(sdl), [
      { enumValue: 'CONTENT', name: 'content', url: 'http://127.0.0.1:4002/graphql' },
      { enumValue: 'IDENTITY', name: 'identity', url: 'http://127.0.0.1:4001/graphql' },
    ]);
  });

  it('points named subgraphs elsewhere and leaves the others', () => {
    const out = withSubgraphUrls(sdl, { content: 'http://127.0.0.1:5111/graphql' });
    assert.deepEqual(
      joinGraphs(out).map((g) => g.url),
      ['http://127.0.0.1:5111/graphql', 'http://127.0.0.1:4001/graphql'],
    );
    assert.throws(() => withSubgraphUrls(sdl, { social: 'http://x' }), /no subgraph named social/);
  });
});
