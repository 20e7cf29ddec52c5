import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis, type RunningServer } from '@plaza/common';
import { SUBGRAPHS } from '@plaza/schema';
import { registerUser, startPlaza, testPool, waitUntil, type Plaza, type TestUser } from '../src/index.js';
import { BOOKMARK, LIKE, socialKnowsUsers, socialPost } from './social-fixtures.js';

/**
 * What one page of posts with every social counter and viewer flag costs the social subgraph:
 * the Redis commands and SQL statements it sends, counted by instrumenting the clients in this
 * process. The Plaza under test runs social without its consumers (SOCIAL_WORKERS=false), so the
 * only statements besides the request's own are the outbox relay's polls, which are left out by
 * their text; a second social instance with consumers applies the seeding's events and is
 * stopped before anything is counted.
 */

let plaza: Plaza;
let redis: Redis;
let reader: TestUser;
let postIds: string[] = [];
const pool = testPool();

const counted = { redis: 0, sql: 0, on: false };
const SOCIAL = 'plaza-social';
const RELAY = /outbox|advisory|^\s*(begin|commit|rollback)\b/i;

function instrument(redisPrototype: { sendCommand: (...args: unknown[]) => unknown }): void {
  const sendCommand = redisPrototype.sendCommand;
  redisPrototype.sendCommand = function (this: { options?: { connectionName?: string } }, ...args: unknown[]) {
    if (counted.on && this.options?.connectionName === SOCIAL) counted.redis++;
    return sendCommand.apply(this, args);
  };
  type Query = (this: pg.Client, ...args: unknown[]) => unknown;
  const clientPrototype = pg.Client.prototype as unknown as { query: Query };
  const query = clientPrototype.query;
  clientPrototype.query = function (this: pg.Client & { connectionParameters?: { application_name?: string } }, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
    if (counted.on && this.connectionParameters?.application_name === SOCIAL && !RELAY.test(text)) counted.sql++;
    return query.apply(this, args);
  };
}

const PAGE = `query($author: ID!, $first: Int) { posts(authorId: $author, first: $first) {
  edges { node { id likeCount viewCount bookmarkCount viewerHasLiked viewerHasBookmarked hotScore } } } }`;
interface PageShape {
  posts: {
    edges: {
      node: { id: string; likeCount: number; viewCount: number; bookmarkCount: number; viewerHasLiked: boolean; viewerHasBookmarked: boolean; hotScore: number };
    }[];
  };
}

let authorId: string;

async function measure(first: number, cold: boolean): Promise<{ redis: number; sql: number; page: PageShape }> {
  if (cold) await redis.del(...postIds.map((id) => `social:pc:${id}`), `social:vf:${reader.id}`);
  counted.redis = 0;
  counted.sql = 0;
  counted.on = true;
  try {
    const page = await reader.client.ok<PageShape>(PAGE, { author: authorId, first });
    return { redis: counted.redis, sql: counted.sql, page };
  } finally {
    counted.on = false;
  }
}

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'plaza-e2e-social-loaders');
  instrument(Object.getPrototypeOf(redis) as { sendCommand: (...args: unknown[]) => unknown });
  plaza = await startPlaza({ subgraphEnv: { social: { SOCIAL_WORKERS: 'false' } } });
  const social = SUBGRAPHS.find((s) => s.name === 'social');
  if (!social) throw new Error('social is not registered');
  // A second social instance, with consumers, applies the seeding's events.
  const worker: RunningServer = await social.start({ ...process.env, PORT: '0', PG_POOL_MAX: '2', LOG_LEVEL: 'warn', NODE_ENV: 'test' });
  try {
    const author = await registerUser(plaza.client(), { prefix: 'sl' });
    reader = await registerUser(plaza.client(), { prefix: 'sl' });
    authorId = author.id;
    await socialKnowsUsers(pool, [author.id, reader.id]);
    for (let i = 0; i < 50; i++) postIds.push((await socialPost(author.client, pool, { title: `p${i}` })).id);
    // Some of them liked and bookmarked, so the flags and counts are not all zero.
    for (const id of postIds.slice(-10)) await reader.client.ok(LIKE, { id });
    for (const id of postIds.slice(-3)) await reader.client.ok(BOOKMARK, { id });
    await waitUntil(async () => {
      const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from social.pending_counts where subject = any($1::uuid[])', [postIds]);
      return rows[0]?.n === 0;
    }, 20_000);
  } finally {
    await worker.close();
  }
  postIds = postIds.reverse();
});
afterAll(async () => {
  await plaza?.close();
  redis?.disconnect();
  await pool.end();
});

describe('social counters through DataLoader', () => {
  it('cost the same Redis round trips and SQL statements for a page of 5 posts as for a page of 50', async () => {
    // Scripts loaded, connections warm.
    await measure(50, false);

    const cold5 = await measure(5, true);
    const cold50 = await measure(50, true);
    const warm5 = await measure(5, false);
    const warm50 = await measure(50, false);

    expect(cold50.page.posts.edges).toHaveLength(50);
    expect(cold5.page.posts.edges).toHaveLength(5);
    const liked = cold50.page.posts.edges.filter((e) => e.node.viewerHasLiked).map((e) => e.node.id);
    expect(liked.sort()).toEqual(postIds.slice(0, 10).sort());
    expect(cold50.page.posts.edges.filter((e) => e.node.likeCount === 1)).toHaveLength(10);
    expect(cold50.page.posts.edges.filter((e) => e.node.viewerHasBookmarked && e.node.bookmarkCount === 1)).toHaveLength(3);
    // The same answer from the cache as from Postgres (hotScore decays between the two reads).
    const stable = (page: PageShape) => page.posts.edges.map(({ node: { hotScore: _decaying, ...rest } }) => rest);
    expect(stable(warm50.page)).toEqual(stable(cold50.page));

    expect({ redis: cold5.redis, sql: cold5.sql }).toEqual({ redis: cold50.redis, sql: cold50.sql });
    expect({ redis: warm5.redis, sql: warm5.sql }).toEqual({ redis: warm50.redis, sql: warm50.sql });
    // Cold: the token check, one read per field group (counters, flags), one Postgres query and
    // one write-back each. Warm: the token check and the two reads, no SQL.
    expect(cold50).toMatchObject({ redis: 5, sql: 2 });
    expect(warm50).toMatchObject({ redis: 3, sql: 0 });
  });
});
