import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from '@plaza/common';
import { GraphQLClient, registerUser, startPlaza, testPool, waitUntil, type Plaza, type TestUser } from '../src/index.js';
import type { Connection } from './content-fixtures.js';
import {
  BOOKMARK,
  FEED,
  FOLLOW,
  LIKE,
  postCounters,
  RECORD_VIEW,
  socialKnowsUsers,
  socialPost,
  TRENDING,
  userCounters,
  type CountersShape,
} from './social-fixtures.js';

/**
 * This Plaza keeps its Redis state in a database index of its own, so that flushing it touches no
 * other test file's state. Postgres (the truth) is shared as usual; since other Plazas' consumers
 * may apply this file's events and refresh their own Redis, this file reads counts only once the
 * durable counts in Postgres have settled.
 */
const REDIS_URL = process.env.SOCIAL_FLUSH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';

let plaza: Plaza;
let redis: Redis;
const pool = testPool();

beforeAll(async () => {
  // Never the shared database 0 (other test files' and people's state).
  const db = Number(new URL(REDIS_URL).pathname.slice(1) || '0');
  if (!(db > 0) || REDIS_URL === process.env.REDIS_URL) throw new Error(`${REDIS_URL} is not a Redis database of this file's own`);
  plaza = await startPlaza({ env: { REDIS_URL } });
  redis = createRedis(REDIS_URL, 'plaza-e2e-social-flush');
});
afterAll(async () => {
  await plaza?.close();
  redis?.disconnect();
  await pool.end();
});

interface Snapshot {
  posts: CountersShape[];
  author: Awaited<ReturnType<typeof userCounters>>;
  feed: string[];
}

async function read(reader: TestUser, author: TestUser, postIds: string[]): Promise<Snapshot> {
  const posts = [];
  for (const id of postIds) {
    const { hotScore: _decays, ...stable } = await postCounters(reader.client, id);
    posts.push({ ...stable, hotScore: 0 });
  }
  const feed = (await reader.client.ok<{ feed: Connection<{ id: string }> }>(FEED, { first: 20 })).feed.edges.map((e) => e.node.id);
  return { posts, author: await userCounters(reader.client, author.id), feed };
}

describe('a Redis flush', () => {
  it('changes no count, flag, feed or hot list a client sees: everything comes back from Postgres', async () => {
    const [author, reader, ...fans] = await Promise.all(Array.from({ length: 5 }, () => registerUser(plaza.client(), { prefix: 'sx' })));
    await socialKnowsUsers(pool, [author!.id, reader!.id, ...fans.map((f) => f.id)]);
    const p1 = await socialPost(author!.client, pool, { title: 'flush one' });
    const p2 = await socialPost(author!.client, pool, { title: 'flush two' });
    await reader!.client.ok(FOLLOW, { id: author!.id });
    for (const fan of fans) {
      await fan.client.ok(FOLLOW, { id: author!.id });
      await fan.client.ok(LIKE, { id: p1.id });
    }
    await reader!.client.ok(LIKE, { id: p2.id });
    await reader!.client.ok(BOOKMARK, { id: p1.id });
    await fans[0]!.client.ok(BOOKMARK, { id: p1.id });
    for (let i = 0; i < 4; i++) await new GraphQLClient(plaza.url, undefined, `10.96.${i}.9`).ok(RECORD_VIEW, { id: p1.id });

    // The counter pipeline has applied everything (by whichever Plaza's consumers).
    await waitUntil(async () => {
      const { rows } = await pool.query<{ pending: number; views: number }>(
        `select (select count(*)::int from social.pending_counts where subject = any($1::uuid[])) as pending,
                (select views::int from social.posts where id = $2) as views`,
        [[p1.id, p2.id, author!.id], p1.id],
      );
      return rows[0]?.pending === 0 && rows[0]?.views === 4 ? true : undefined;
    }, 20_000);

    const before = await read(reader!, author!, [p1.id, p2.id]);
    expect(before.posts[0]).toMatchObject({ likeCount: 3, bookmarkCount: 2, viewCount: 4, viewerHasLiked: false, viewerHasBookmarked: true });
    expect(before.posts[1]).toMatchObject({ likeCount: 1, bookmarkCount: 0, viewerHasLiked: true });
    expect(before.author).toMatchObject({ followerCount: 4, likesReceived: 4, viewerIsFollowing: true });
    expect(before.feed).toEqual([p2.id, p1.id]);

    await redis.flushdb();
    expect(await redis.dbsize()).toBe(0);

    const after = await read(reader!, author!, [p1.id, p2.id]);
    expect(after).toEqual(before);
    // The hot list is rebuilt from Postgres too, in score order.
    const trending = await waitUntil(async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 20; n++) {
        const conn: Connection<{ id: string }> = (await plaza.client().ok<{ trending: Connection<{ id: string }> }>(TRENDING, { first: 100, after: cursor })).trending;
        ids.push(...conn.edges.map((e) => e.node.id));
        if (!conn.pageInfo.hasNextPage) break;
        cursor = conn.pageInfo.endCursor;
      }
      return ids.includes(p1.id) && ids.includes(p2.id) ? ids : undefined;
    }, 15_000);
    expect(trending.indexOf(p1.id)).toBeLessThan(trending.indexOf(p2.id));
    expect(await redis.exists('social:hot:built')).toBe(1);
  });
});
