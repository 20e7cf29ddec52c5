import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis } from '@plaza/common';
import { createCounterCache } from '../src/cache/counter-cache.js';
import { keys } from '../src/cache/keys.js';
import { createInboxes } from '../src/domain/feed.js';
import type { PostCounters } from '../src/store.js';

/** The Lua scripts against the real Redis, on keys of fresh random ids. */
const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'plaza-social-test');
const logger = createLogger('social-test', 'silent');
const cache = createCounterCache({ redis, ttlSeconds: 60, hot: { halfLifeHours: 24, windowHours: 168 }, logger });
const used: string[] = [];
const id = () => {
  const value = randomUUID();
  used.push(keys.postCounters(value), keys.inbox(value), keys.inboxMeta(value), keys.viewerFlags(value));
  return value;
};

// The cache refuses commands while Redis is still connecting (it answers from Postgres then).
beforeAll(async () => {
  await redis.ping();
});

afterAll(async () => {
  await redis.zrem(keys.hot, ...used);
  await redis.zrem(keys.hotPublished, ...used);
  await redis.del(...used);
  redis.disconnect();
});

const counters = (c: Partial<PostCounters>): PostCounters => ({
  likes: 0, bookmarks: 0, views: 0, comments: 0, publishedAt: null, listed: false, version: 1, ...c,
});

describe('cached counters', () => {
  it('are missing until written, and a copy from Postgres never replaces a newer version', async () => {
    const post = id();
    expect(await cache.getPosts([post])).toEqual([null]);
    await cache.putPosts([[post, counters({ likes: 5, version: 7 })]]);
    await cache.fillPosts([[post, counters({ likes: 4, version: 6 })]]);
    await cache.fillPosts([[post, counters({ likes: 99, version: 7 })]]);
    expect((await cache.getPosts([post]))[0]).toMatchObject({ likes: 5, version: 7 });
    // A consumer's write of an equal version lands (it may carry the hot-list place a fill lacks).
    await cache.putPosts([[post, counters({ likes: 5, views: 3, version: 7 })]]);
    expect((await cache.getPosts([post]))[0]).toMatchObject({ likes: 5, views: 3 });
    await cache.putPosts([[post, counters({ likes: 1, version: 6 })]]);
    expect((await cache.getPosts([post]))[0]).toMatchObject({ likes: 5, version: 7 });
  });

  it('place a listed post of the window on the hot list and take it off when it is no longer listed', async () => {
    const post = id();
    const now = Date.now();
    await cache.putPosts([[post, counters({ likes: 2, publishedAt: now - 3_600_000, listed: true, version: 2 })]], now);
    expect(Number(await redis.zscore(keys.hot, post))).toBeGreaterThan(0);
    await cache.putPosts([[post, counters({ likes: 2, publishedAt: now - 3_600_000, listed: false, version: 3 })]], now);
    expect(await redis.zscore(keys.hot, post)).toBeNull();
  });

  it('answer many keys with one command, in key order', async () => {
    const [a, b, c] = [id(), id(), id()];
    await cache.fillPosts([[a, counters({ likes: 1 })], [c, counters({ likes: 3 })]]);
    const got = await cache.getPosts([a, b, c]);
    expect(got.map((g) => g?.likes ?? null)).toEqual([1, null, 3]);
  });

  it('keep a viewer’s flag set by a change over a copy from Postgres', async () => {
    const viewer = id();
    const post = randomUUID();
    await cache.setFlag(viewer, 'l', post, true);
    await cache.fillFlags(viewer, [{ postId: post, liked: false, bookmarked: false }]);
    expect(await cache.getFlags(viewer, [post, randomUUID()])).toEqual([[true, false], [null, null]]);
  });
});

describe('inboxes', () => {
  const inboxes = createInboxes(redis, { fanoutThreshold: 10, inboxSize: 3, inboxTtlSeconds: 60 });
  const at = (ms: number) => new Date(ms);

  it('ignore pushes until built, then keep the newest entries up to the cap and raise the floor', async () => {
    const user = id();
    await inboxes.push(user, [{ id: 'p0', at: at(1_000) }]);
    expect(await inboxes.read(user, '+inf', 10)).toEqual({ kind: 'missing' });
    expect(await inboxes.begin(user, 4)).toBe(true);
    // While being built the inbox is not trusted, but pushes land in it.
    expect(await inboxes.begin(user, 4)).toBe(false);
    await inboxes.push(user, [{ id: 'p5', at: at(5_000) }]);
    expect(await inboxes.read(user, '+inf', 10)).toEqual({ kind: 'missing' });
    await inboxes.finish(user, 0, [{ id: 'p1', at: at(1_000) }, { id: 'p2', at: at(2_000) }]);
    expect(await inboxes.read(user, '+inf', 10)).toEqual({
      kind: 'ok', epoch: 4, floor: 0,
      entries: [{ id: 'p5', at: 5_000 }, { id: 'p2', at: 2_000 }, { id: 'p1', at: 1_000 }],
    });
    await inboxes.push(user, [{ id: 'p6', at: at(6_000) }]);
    const read = await inboxes.read(user, '+inf', 10);
    // p1 was trimmed: everything at or below its time may be incomplete and is left to Postgres.
    expect(read).toEqual({ kind: 'ok', epoch: 4, floor: 1_000, entries: [{ id: 'p6', at: 6_000 }, { id: 'p5', at: 5_000 }, { id: 'p2', at: 2_000 }] });
    expect(await inboxes.read(user, 5_000, 1)).toMatchObject({ entries: [{ id: 'p5', at: 5_000 }] });
    await inboxes.remove(user, ['p5']);
    expect(await inboxes.read(user, '+inf', 10)).toMatchObject({ entries: [{ id: 'p6', at: 6_000 }, { id: 'p2', at: 2_000 }] });
  });
});
