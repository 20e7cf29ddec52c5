import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from '@plaza/common';
import { errorCode, registerUser, startPlaza, testPool, type Plaza, type TestUser } from '../src/index.js';
import { DELETE_POST, UPDATE_POST, type Connection } from './content-fixtures.js';
import { allPages, eventually, FEED, FOLLOW, socialKnowsPosts, socialKnowsUsers, socialPost, UNFOLLOW } from './social-fixtures.js';

/** A small inbox, so that a reader's older posts come from Postgres once the inbox is exhausted. */
const INBOX_SIZE = 10;

let plaza: Plaza;
let redis: Redis;
const pool = testPool();

beforeAll(async () => {
  plaza = await startPlaza({ subgraphEnv: { social: { FEED_INBOX_SIZE: String(INBOX_SIZE) } } });
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'plaza-e2e-social-feed');
});
afterAll(async () => {
  await plaza?.close();
  redis?.disconnect();
  await pool.end();
});

interface FeedNode {
  id: string;
  title: string;
  author: { id: string } | null;
}

async function users(n: number): Promise<TestUser[]> {
  const list = await Promise.all(Array.from({ length: n }, () => registerUser(plaza.client(), { prefix: 'sd' })));
  await socialKnowsUsers(pool, list.map((u) => u.id));
  return list;
}

async function feedPage(reader: TestUser, first: number, after: string | null): Promise<Connection<FeedNode>> {
  return (await reader.client.ok<{ feed: Connection<FeedNode> }>(FEED, { first, after })).feed;
}

/** The reader's whole feed, page by page. */
async function feed(reader: TestUser, first = 20): Promise<string[]> {
  return (await allPages((after) => feedPage(reader, first, after))).map((n) => n.id);
}

const follow = (who: TestUser, whom: TestUser) => who.client.ok(FOLLOW, { id: whom.id });

describe('the home feed', () => {
  it('shows new posts of followed authors, newest first, and nobody else’s', async () => {
    const [reader, a, b, stranger] = await users(4);
    await follow(reader!, a!);
    await follow(reader!, b!);
    // The reader's inbox exists from their first read; new posts are pushed into it.
    expect(await feed(reader!)).toEqual([]);
    const p1 = await socialPost(a!.client, pool, { title: 'a1' });
    const p2 = await socialPost(b!.client, pool, { title: 'b1' });
    await socialPost(stranger!.client, pool, { title: 'not followed' });
    const p3 = await socialPost(a!.client, pool, { title: 'a2' });
    const ids = await eventually(() => feed(reader!), (f) => f.length === 3);
    expect(ids).toEqual([p3.id, p2.id, p1.id]);
    const page = await feedPage(reader!, 3, null);
    expect(page.edges.map((e) => e.node)).toEqual([
      { id: p3.id, title: 'a2', author: { id: a!.id } },
      { id: p2.id, title: 'b1', author: { id: b!.id } },
      { id: p1.id, title: 'a1', author: { id: a!.id } },
    ]);
    // Pushed: the posts are in the reader's inbox.
    expect(await redis.zscore(`social:inbox:${reader!.id}`, p3.id)).not.toBeNull();
  });

  it('back-fills a followed author’s recent posts at once and removes them on unfollow', async () => {
    const [reader, other, author] = await users(3);
    await follow(reader!, other!);
    const own = await socialPost(other!.client, pool, { title: 'other' });
    await eventually(() => feed(reader!), (f) => f.includes(own.id));
    const posts = [];
    for (let i = 0; i < 3; i++) posts.push(await socialPost(author!.client, pool, { title: `old ${i}` }));
    await follow(reader!, author!);
    // No waiting: the follow itself filled the inbox.
    expect(await feed(reader!)).toEqual([...posts.map((p) => p.id).reverse(), own.id]);
    await reader!.client.ok(UNFOLLOW, { id: author!.id });
    expect(await feed(reader!)).toEqual([own.id]);
    expect(await redis.zscore(`social:inbox:${reader!.id}`, posts[0]!.id)).toBeNull();
  });

  it('drops deleted and privatised posts, and brings a post made public again back', async () => {
    const [reader, author] = await users(2);
    await follow(reader!, author!);
    const keep = await socialPost(author!.client, pool, { title: 'keep' });
    const doomed = await socialPost(author!.client, pool, { title: 'doomed' });
    const hidden = await socialPost(author!.client, pool, { title: 'hidden' });
    await eventually(() => feed(reader!), (f) => f.length === 3);
    await author!.client.ok(DELETE_POST, { id: doomed.id });
    await author!.client.ok(UPDATE_POST, { id: hidden.id, input: { visibility: 'PRIVATE' } });
    // Until social has applied content's events, content already refuses the posts that social
    // still lists (and the gateway fails the page): wait for the projection first.
    await socialKnowsPosts(pool, [doomed.id], { deleted: true });
    await socialKnowsPosts(pool, [hidden.id], { visibility: 'PRIVATE' });
    expect(await feed(reader!)).toEqual([keep.id]);
    await author!.client.ok(UPDATE_POST, { id: hidden.id, input: { visibility: 'PUBLIC' } });
    await socialKnowsPosts(pool, [hidden.id], { visibility: 'PUBLIC' });
    await eventually(() => feed(reader!), (f) => f.length === 2);
    expect(await feed(reader!)).toEqual([hidden.id, keep.id]);
  });

  it('never carries anonymous posts, which are nobody’s as far as social knows', async () => {
    const [reader, author] = await users(2);
    await follow(reader!, author!);
    await feed(reader!);
    const hollow = await socialPost(author!.client, pool, { title: 'tree hollow', anonymous: true });
    const open = await socialPost(author!.client, pool, { title: 'signed' });
    await eventually(() => feed(reader!), (f) => f.includes(open.id));
    expect(await feed(reader!)).toEqual([open.id]);
    expect(await redis.zscore(`social:inbox:${reader!.id}`, hollow.id)).toBeNull();
    const { rows } = await pool.query<{ author_id: string | null }>('select author_id from social.posts where id = $1', [hollow.id]);
    expect(rows[0]?.author_id).toBeNull();
  });

  it('rebuilds an inbox lost from Redis from Postgres', async () => {
    const [reader, author] = await users(2);
    await follow(reader!, author!);
    const posts = [];
    for (let i = 0; i < 3; i++) posts.push(await socialPost(author!.client, pool));
    const before = await eventually(() => feed(reader!), (f) => f.length === 3);
    await redis.del(`social:inbox:${reader!.id}`, `social:inbox:${reader!.id}:m`);
    expect(await feed(reader!)).toEqual(before);
    expect(await redis.zcard(`social:inbox:${reader!.id}`)).toBe(3);
  });

  it('pages past the inbox into Postgres, without gaps or repeats, while new posts arrive', async () => {
    const [reader, a, b] = await users(3);
    await follow(reader!, a!);
    await follow(reader!, b!);
    const posts = [];
    for (let i = 0; i < 8; i++) posts.push(await socialPost(a!.client, pool, { title: `a${i}` }));
    for (let i = 0; i < 7; i++) posts.push(await socialPost(b!.client, pool, { title: `b${i}` }));
    const expected = posts.map((p) => p.id).reverse();
    // Rebuilt at its cap: the 5 oldest posts are only in Postgres.
    await redis.del(`social:inbox:${reader!.id}`, `social:inbox:${reader!.id}:m`);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const conn = await feedPage(reader!, 4, after);
      seen.push(...conn.edges.map((e) => e.node.id));
      // A new post between pages lands above the cursor: it is not in the pages that follow.
      if (page === 0) await socialPost(a!.client, pool, { title: 'meanwhile' });
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(await redis.zcard(`social:inbox:${reader!.id}`)).toBeLessThanOrEqual(INBOX_SIZE + 1);
  });

  it('is for signed-in viewers only, and refuses bad page arguments', async () => {
    expect(errorCode(await plaza.client().request(FEED, {}))).toBe('UNAUTHENTICATED');
    const [reader] = await users(1);
    const big = await reader!.client.request(FEED, { first: 101 });
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const bad = await reader!.client.request(FEED, { after: 'eyJ4IjoxfQ' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('leaves a deleted post out of an inbox rebuilt after the deletion', async () => {
    const [reader, author] = await users(2);
    await follow(reader!, author!);
    const post = await socialPost(author!.client, pool);
    await eventually(() => feed(reader!), (f) => f.includes(post.id));
    await author!.client.ok(DELETE_POST, { id: post.id });
    await socialKnowsPosts(pool, [post.id], { deleted: true });
    await redis.del(`social:inbox:${reader!.id}`, `social:inbox:${reader!.id}:m`);
    expect(await feed(reader!)).toEqual([]);
  });
});
