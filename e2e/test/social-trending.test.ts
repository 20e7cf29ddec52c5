import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startPlaza, testPool, type Plaza, type TestUser } from '../src/index.js';
import { DELETE_POST, type Connection } from './content-fixtures.js';
import { eventually, LIKE, postCounters, socialKnowsPosts, socialKnowsUsers, socialPost, TRENDING, UNLIKE } from './social-fixtures.js';

/** Short-lived snapshots, so that a test can page on after one expired. */
const SNAPSHOT_TTL_SECONDS = 10;

let plaza: Plaza;
let author: TestUser;
let fans: TestUser[] = [];
const pool = testPool();

beforeAll(async () => {
  // A new frozen order every second (first pages in the same second share one).
  plaza = await startPlaza({
    subgraphEnv: { social: { TRENDING_SNAPSHOT_TTL_SECONDS: String(SNAPSHOT_TTL_SECONDS), TRENDING_SNAPSHOT_SECONDS: '1' } },
  });
  author = await registerUser(plaza.client(), { prefix: 'st' });
  fans = await Promise.all(Array.from({ length: 8 }, () => registerUser(plaza.client(), { prefix: 'st' })));
  await socialKnowsUsers(pool, [author.id, ...fans.map((f) => f.id)]);
});
afterAll(async () => {
  await plaza?.close();
  await pool.end();
});

interface Node {
  id: string;
  hotScore: number;
}

async function page(first: number, after: string | null): Promise<Connection<Node>> {
  return (await plaza.client().ok<{ trending: Connection<Node> }>(TRENDING, { first, after })).trending;
}

/** Posts with 5, 4, 3, 2 and 1 likes, in that order, each on the hot list. */
async function rankedPosts(): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const post = await socialPost(author.client, pool, { title: `hot ${i}` });
    await Promise.all(fans.slice(0, 5 - i).map((fan) => fan.client.ok(LIKE, { id: post.id })));
    ids.push(post.id);
  }
  for (const [i, id] of ids.entries()) await eventually(() => postCounters(plaza.client(), id), (c) => c.likeCount === 5 - i);
  return ids;
}

/** Pages through the whole list; `between(n)` runs after page n. */
async function walk(first: number, between?: (pageNo: number) => Promise<void>): Promise<Node[]> {
  const seen: Node[] = [];
  let after: string | null = null;
  for (let n = 0; n < 200; n++) {
    const conn = await page(first, after);
    seen.push(...conn.edges.map((e) => e.node));
    if (between) await between(n);
    if (!conn.pageInfo.hasNextPage) return seen;
    after = conn.pageInfo.endCursor;
  }
  throw new Error('trending did not end');
}

const positions = (seen: Node[], ids: string[]) => ids.map((id) => seen.findIndex((n) => n.id === id));

describe('the hot list', () => {
  it('orders posts by hotScore, highest first', async () => {
    const ids = await rankedPosts();
    const seen = await eventually(
      () => walk(100),
      (list) => positions(list, ids).every((p) => p >= 0),
      15_000,
    );
    const at = positions(seen, ids);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const scores = at.map((i) => seen[i]!.hotScore);
    expect(scores.every((s, i) => i === 0 || s < scores[i - 1]!)).toBe(true);
    expect(scores.at(-1)).toBeGreaterThan(0);
  });

  it('pages through a frozen order: nothing skipped or repeated while scores move and posts go', async () => {
    const ids = await rankedPosts();
    await eventually(() => walk(100), (list) => positions(list, ids).every((p) => p >= 0), 15_000);
    const doomed = await socialPost(author.client, pool, { title: 'doomed' });
    await Promise.all(fans.slice(0, 4).map((fan) => fan.client.ok(LIKE, { id: doomed.id })));
    await eventually(() => walk(100), (list) => list.some((n) => n.id === doomed.id), 15_000);

    const seen = await walk(10, async (n) => {
      if (n !== 0) return;
      // After the first page: the last post jumps to the top, the first falls, one is deleted.
      await Promise.all(fans.map((fan) => fan.client.ok(LIKE, { id: ids[4]! })));
      await Promise.all(fans.slice(0, 5).map((fan) => fan.client.ok(UNLIKE, { id: ids[0]! })));
      await author.client.ok(DELETE_POST, { id: doomed.id });
      await socialKnowsPosts(pool, [doomed.id], { deleted: true });
      await eventually(() => postCounters(plaza.client(), ids[4]!), (c) => c.likeCount === fans.length);
    });
    const all = seen.map((n) => n.id);
    expect(new Set(all).size).toBe(all.length);
    const at = positions(seen, ids);
    // Each post exactly once, in the order of the snapshot taken by the first page.
    expect(at.every((p) => p >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Unless the doomed post was on the first page, it is left out once deleted.
    const doomedAt = all.indexOf(doomed.id);
    expect(doomedAt === -1 || doomedAt < 10).toBe(true);
    // A fresh first page sees the new order.
    const fresh = await eventually(() => walk(100), (list) => {
      const p = positions(list, ids);
      return p[4]! >= 0 && p[4]! < p[1]!;
    }, 15_000);
    expect(fresh.some((n) => n.id === doomed.id)).toBe(false);
  });

  it('goes on by rank after the frozen order expired, without repeating what was shown', async () => {
    const first = await page(2, null);
    expect(first.pageInfo.hasNextPage).toBe(true);
    await sleep((SNAPSHOT_TTL_SECONDS + 1) * 1_000);
    const next = await page(2, first.pageInfo.endCursor);
    const shown = new Set(first.edges.map((e) => e.node.id));
    expect(next.edges.some((e) => shown.has(e.node.id))).toBe(false);
  });

  it('refuses bad page arguments', async () => {
    const big = await plaza.client().request(TRENDING, { first: 101 });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const bad = await plaza.client().request(TRENDING, { after: 'WzEsInRyZW5kaW5nIl0' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
