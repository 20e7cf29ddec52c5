import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from '@plaza/common';
import { registerUser, startPlaza, testPool, type Plaza, type TestUser } from '../../src/index.js';
import { DELETE_POST, type Connection } from '../content-fixtures.js';
import { allPages, eventually, FEED, FOLLOW, socialKnowsPosts, socialKnowsUsers, socialPost, userCounters } from '../social-fixtures.js';

/**
 * The feed's pull path: authors with at least FEED_FANOUT_THRESHOLD followers are not pushed into
 * inboxes; their posts are read from their own recent posts when a follower opens the feed. The
 * consumer that applies `post.published` decides push or pull with its own threshold, so this
 * file must run where no other Plaza's consumers (with the default threshold) race this one's: in
 * the suite that runs alone.
 */
const THRESHOLD = 2;

let plaza: Plaza;
let redis: Redis;
const pool = testPool();

beforeAll(async () => {
  plaza = await startPlaza({ subgraphEnv: { social: { FEED_FANOUT_THRESHOLD: String(THRESHOLD) } } });
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'plaza-e2e-social-pull');
});
afterAll(async () => {
  await plaza?.close();
  redis?.disconnect();
  await pool.end();
});

async function feed(reader: TestUser): Promise<string[]> {
  const nodes = await allPages(async (after) => (await reader.client.ok<{ feed: Connection<{ id: string }> }>(FEED, { first: 3, after })).feed);
  return nodes.map((n) => n.id);
}

async function pushed(postId: string): Promise<boolean | null> {
  const { rows } = await pool.query<{ pushed: boolean | null }>('select pushed from social.posts where id = $1', [postId]);
  return rows[0]?.pushed ?? null;
}

describe('the home feed’s pull path', () => {
  it('reads posts of authors above the fan-out threshold at read time, merged in order with pushed posts', async () => {
    const [star, small, reader, other] = await Promise.all(Array.from({ length: 4 }, () => registerUser(plaza.client(), { prefix: 'sp' })));
    await socialKnowsUsers(pool, [star!.id, small!.id, reader!.id, other!.id]);
    await reader!.client.ok(FOLLOW, { id: star!.id });
    await other!.client.ok(FOLLOW, { id: star!.id });
    await reader!.client.ok(FOLLOW, { id: small!.id });
    // The star's follower count (durable) reached the threshold before they post.
    await eventually(() => userCounters(reader!.client, star!.id), (u) => u.followerCount === THRESHOLD);
    expect(await feed(reader!)).toEqual([]);

    const s1 = await socialPost(star!.client, pool, { title: 'star 1' });
    const m1 = await socialPost(small!.client, pool, { title: 'small 1' });
    const s2 = await socialPost(star!.client, pool, { title: 'star 2' });
    expect(await pushed(s1.id)).toBe(false);
    expect(await pushed(m1.id)).toBe(true);
    await eventually(() => feed(reader!), (f) => f.length === 3);
    expect(await feed(reader!)).toEqual([s2.id, m1.id, s1.id]);
    // Pulled, not pushed: the star's posts are in nobody's inbox.
    expect(await redis.zscore(`social:inbox:${reader!.id}`, s1.id)).toBeNull();
    expect(await redis.zscore(`social:inbox:${reader!.id}`, m1.id)).not.toBeNull();

    // A new follower sees the star's posts at once, with no back-fill.
    const late = await registerUser(plaza.client(), { prefix: 'sp' });
    await socialKnowsUsers(pool, [late.id]);
    await late.client.ok(FOLLOW, { id: star!.id });
    expect(await feed(late)).toEqual([s2.id, s1.id]);

    // Deleted: gone from the pull too.
    await star!.client.ok(DELETE_POST, { id: s2.id });
    await socialKnowsPosts(pool, [s2.id], { deleted: true });
    expect(await feed(reader!)).toEqual([m1.id, s1.id]);
  });

  it('keeps an author’s older pushed posts when they cross the threshold, and pulls the newer ones', async () => {
    const [author, reader, fan] = await Promise.all(Array.from({ length: 3 }, () => registerUser(plaza.client(), { prefix: 'sp' })));
    await socialKnowsUsers(pool, [author!.id, reader!.id, fan!.id]);
    await reader!.client.ok(FOLLOW, { id: author!.id });
    await feed(reader!);
    const before = await socialPost(author!.client, pool, { title: 'while small' });
    expect(await pushed(before.id)).toBe(true);
    await fan!.client.ok(FOLLOW, { id: author!.id });
    await eventually(() => userCounters(reader!.client, author!.id), (u) => u.followerCount === THRESHOLD);
    const after = await socialPost(author!.client, pool, { title: 'now big' });
    expect(await pushed(after.id)).toBe(false);
    await eventually(() => feed(reader!), (f) => f.length === 2);
    expect(await feed(reader!)).toEqual([after.id, before.id]);
    expect(await feed(fan!)).toEqual([after.id, before.id]);
  });
});
