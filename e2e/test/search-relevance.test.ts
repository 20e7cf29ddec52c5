import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextAnalyzer } from '@plaza/search';
import { loadRelevanceSet, scoreRelevance, type RelevanceSet } from '@plaza/search/relevance';
import { registerUser, startPlaza, testPool, type Plaza, type TestUser } from '../src/index.js';
import { createPost, DELETE_POST } from './content-fixtures.js';
import { postIds, searchIds, suggest, waitForIndexed } from './search-fixtures.js';

/**
 * The relevance set (subgraphs/search/relevance) through the real path: every post published
 * through the gateway, indexed from content's events, every query searched through the gateway.
 * The database keeps posts of earlier runs and other tests, so each query's results are read as
 * this run's posts in the order they came (an earlier run's copy of a post has the same text and
 * ranks next to it, never instead of it).
 */
const set: RelevanceSet = loadRelevanceSet();
const analyzer = createTextAnalyzer();
let plaza: Plaza;
let pool: pg.Pool;
let authors: TestUser[] = [];
/** Real post id → the set's id, and back. */
const setIdOf = new Map<string, string>();
const realIdOf = new Map<string, string>();
/** Real post id → its author, who may delete it. */
const ownerOf = new Map<string, TestUser>();

/** Runs `fn` over items, `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index]!, index);
      }
    }),
  );
}

beforeAll(async () => {
  plaza = await startPlaza();
  pool = testPool();
  authors = [];
  for (let i = 0; i < 6; i++) authors.push(await registerUser(plaza.client(), { prefix: 'rel' }));
  await inParallel(set.posts, 4, async (post, i) => {
    const owner = authors[i % authors.length]!;
    const created = await createPost(owner.client, { title: post.title, body: post.body, tags: post.tags });
    ownerOf.set(created.id, owner);
    setIdOf.set(created.id, post.id);
    realIdOf.set(post.id, created.id);
  });
  await waitForIndexed(pool, [...setIdOf.keys()], 120_000);
}, 300_000);

afterAll(async () => {
  // Leave the shared index as it was: this run's copies go (the next run brings its own).
  if (plaza) {
    await inParallel([...ownerOf], 4, async ([id, owner]) => {
      await owner.client.ok(DELETE_POST, { id });
    });
  }
  await pool?.end();
  await plaza?.close();
}, 300_000);

describe('search relevance on the relevance set', () => {
  it('reaches recall@10 ≥ 0.9 and MRR ≥ 0.7 over every judged query', async () => {
    const results = new Map<string, string[]>();
    const failed: string[] = [];
    for (const query of set.queries) {
      const res = await searchIds(plaza.client(), { query: query.query, types: ['POST'], first: 100 });
      if (res.errors !== undefined || !res.data) {
        failed.push(`${query.id} ${query.query}: ${JSON.stringify(res.errors).slice(0, 300)}`);
        continue;
      }
      results.set(query.id, postIds(res.data.search).flatMap((id) => setIdOf.get(id) ?? []));
    }
    expect(failed).toEqual([]);
    const score = scoreRelevance(set.queries, results);
    const misses = score.queries
      .filter((q) => q.recall < 1 || q.reciprocalRank < 1)
      .map((q) => `${q.id} ${q.query}: recall ${q.recall.toFixed(2)}, rr ${q.reciprocalRank.toFixed(2)}`);
    console.info(
      `relevance: recall@10 ${score.recallAt10.toFixed(3)}, MRR ${score.mrr.toFixed(3)} over ${score.queries.length} queries; below 1: ${misses.join('; ') || 'none'}`,
    );
    expect(score.queries.length).toBeGreaterThanOrEqual(80);
    expect(score.recallAt10).toBeGreaterThanOrEqual(0.9);
    expect(score.mrr).toBeGreaterThanOrEqual(0.7);
  }, 120_000);

  it('suggests the expected completions for Chinese, Latin and pinyin prefixes', async () => {
    const missing: string[] = [];
    for (const c of set.suggestions) {
      const list = (await suggest(plaza.client(), c.prefix, 10)).map((s) => analyzer.normalize(s));
      for (const expected of c.expected) if (!list.includes(expected)) missing.push(`${c.id} ${c.prefix} → ${expected} (got ${list.join(', ')})`);
    }
    expect(missing).toEqual([]);
  }, 60_000);
});
