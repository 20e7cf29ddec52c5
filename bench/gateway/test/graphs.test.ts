import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { execute, parse } from 'graphql';
import { composeGuild, GUILD_SUPERGRAPH } from '../src/guild/compose.js';
import { GUILD_DIR, guildSchema } from '../src/guild/subgraphs.js';
import { countComments, EN_TAGS, generateDataSet, ZH_TAGS } from '../src/plaza/dataset.js';
import { buildMix, DEFAULT_MIX } from '../src/plaza/operations.js';
import { renderMarkdown } from '../src/report.js';
import { renderSvg } from '../src/plot.js';
import type { Results } from '../src/results.js';

describe("the Guild's benchmark shape", () => {
  it('has its checked-in supergraph composed from the four subgraphs (npm run compose)', () => {
    assert.equal(readFileSync(GUILD_SUPERGRAPH, 'utf8'), composeGuild());
  });

  it("answers the deep query with the original's 87,327 bytes (the monolith, in process)", async () => {
    const query = readFileSync(join(GUILD_DIR, 'query.graphql'), 'utf8');
    const result = await execute({ schema: guildSchema('monolith'), document: parse(query) });
    assert.equal(result.errors, undefined);
    assert.equal(JSON.stringify(result).length, 87_327);
  });
});

describe("Plaza's data set and mix", () => {
  it('is the same on every run, in Chinese and English, with popular threads', () => {
    const a = generateDataSet();
    assert.deepEqual(generateDataSet(), a);
    assert.equal(a.users.length, 40);
    assert.equal(a.posts.length, 200);
    const tags = new Set(a.posts.flatMap((p) => p.tags));
    assert.ok([...tags].some((t) => ZH_TAGS.includes(t)) && [...tags].some((t) => EN_TAGS.includes(t)));
    assert.ok(Math.max(...a.posts.map((p) => p.comments.length)) >= 12);
    assert.ok(countComments(a) > 1_000);
    assert.ok(a.users.every((u) => /^[a-z0-9_]{3,30}$/.test(u.username)));
  });

  it('mixes post pages, profiles and tag pages with unique labels, two in three signed in', () => {
    const graph = {
      users: Array.from({ length: 10 }, (_, i) => ({ username: `u${i}`, id: `id${i}`, token: `t${i}` })),
      posts: Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, comments: i % 5 })),
      tags: [
        { name: '自习', posts: 5 },
        { name: 'hiking', posts: 3 },
      ],
    };
    const mix = buildMix(graph);
    assert.deepEqual(buildMix(graph), mix);
    const total = DEFAULT_MIX.postPages + DEFAULT_MIX.profiles + DEFAULT_MIX.tagPages;
    assert.equal(mix.gateway.length, total);
    assert.equal(mix.limit.length, total);
    assert.equal(new Set(mix.gateway.map((r) => r.label)).size, total);
    const signedIn = mix.gateway.filter((r) => 'authorization' in r.headers).length;
    assert.ok(signedIn > total / 2 && signedIn < total * 0.85, `${signedIn} of ${total} signed in`);
    const ops = mix.gateway.map((r) => (JSON.parse(r.body) as { query: string }).query.match(/query (\w+)/)?.[1]);
    assert.equal(ops.filter((o) => o === 'PostPage').length, DEFAULT_MIX.postPages);
    assert.notEqual(ops.slice(0, 10).join(), ops.slice().sort().slice(0, 10).join());
  });
});

describe('report and plot', () => {
  const results: Results = {
    generatedAt: '2026-11-23T00:00:00.000Z',
    command: 'npm run bench:gateway',
    options: { rounds: 2, durationSeconds: 20, warmupSeconds: 5, connections: 50, workers: 1, variants: ['plaza', 'hive'], graphs: ['guild'] },
    machine: { cpuModel: 'Test CPU', cores: 2, memoryGb: 24, os: 'Linux', node: 'v20', loadAverageAtStart: [0.1, 0.2, 0.3] },
    versions: { Node: 'v20' },
    graphs: [
      {
        id: 'guild',
        title: 'Guild',
        details: { limit: 'the monolith' },
        answers: { requests: 1, referenceBytes: 87_327, referenceFrom: "Plaza's gateway", mismatches: [] },
        variants: { hive: { command: 'node hive', cwd: 'bench/gateway', env: { NODE_ENV: 'production' } } },
        runs: [],
        summary: [
          { variant: 'plaza', title: "Plaza's gateway", rounds: 2, failures: [], reqPerSec: 46.5, reqPerSecRounds: [46, 47], p50Ms: 900, p99Ms: 1500, errors: 0, non2xx: 0, graphqlErrors: 0, peakRssMb: 450, gatewayCpuMsPerReq: 25, subgraphCpuMsPerReq: 10, subgraphRequestsPerReq: 17 },
          { variant: 'hive', title: 'Hive Gateway --jit', rounds: 0, failures: ['round 1: did not start'], reqPerSec: null, reqPerSecRounds: [], p50Ms: null, p99Ms: null, errors: 0, non2xx: 0, graphqlErrors: 0, peakRssMb: null, gatewayCpuMsPerReq: null, subgraphCpuMsPerReq: null, subgraphRequestsPerReq: null },
        ],
        targets: [{ name: 'Plaza ÷ Hive Gateway req/s ≥ 1.3', measured: 'n/a', met: null }],
      },
    ],
  };

  it('writes a table per graph with the machine and versions', () => {
    const md = renderMarkdown(results);
    assert.match(md, /\| CPU \| Test CPU, 2 cores \|/);
    assert.match(md, /\| memory \| 24 GB \|/);
    assert.match(md, /\| Plaza's gateway \| \*\*46\.5\*\* \(46\.0 \/ 47\.0\) \| 900 \| 1500 \| 0 \/ 0 \/ 0 \| 450 \| 25\.00 \| 10\.00 \| 17\.00 \|/);
    assert.match(md, /Hive Gateway --jit, round 1: did not start/);
    assert.match(md, /- hive: `NODE_ENV=production node hive`/);
  });

  it('draws req/s and p99 bars, a failed variant marked as such', () => {
    const svg = renderSvg(results);
    assert.match(svg, /^<svg /);
    assert.match(svg, /46\.5 req\/s/);
    assert.match(svg, /1500 ms/);
    assert.match(svg, />failed</);
    assert.doesNotMatch(svg, /undefined|NaN/);
  });
});
