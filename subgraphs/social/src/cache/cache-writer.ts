import type { Logger } from '@plaza/common';
import type { CounterChanges, PostCounters, SocialStore, UserCounters } from '../store.js';
import { createThrottledWarning } from './cached-loader.js';
import { ZERO_POST, ZERO_USER, type CounterCache } from './counter-cache.js';

/** Marks younger than this belong to a consumer that is still about to write them itself, ms. */
const BACKLOG_AGE_MS = 5_000;
/** Batches refreshed per maintenance round at most. */
const BACKLOG_BATCHES = 50;

/**
 * Writes counters to Redis after a consumer committed them, and removes the batch's refresh mark
 * (db/schema.ts, `cache_refresh`). What a Redis failure, or a crash between the commit and the
 * write, left marked, `retry()` (every instance's maintenance loop) writes a few seconds later,
 * reading the counters again from Postgres. Every write is version-checked in Redis.
 */
export function createCacheWriter(deps: { store: SocialStore; cache: CounterCache; logger: Logger }) {
  const { store, cache } = deps;
  const warn = createThrottledWarning(deps.logger, 'redis: refreshing cached counters failed; will retry');

  /** Writes counters; false when Redis failed (the mark stays for a retry). */
  async function put(posts: ReadonlyMap<string, PostCounters>, users: ReadonlyMap<string, UserCounters>): Promise<boolean> {
    try {
      await cache.putPosts([...posts]);
      await cache.putUsers([...users]);
      return true;
    } catch (err) {
      warn(err);
      return false;
    }
  }

  /** The current counters of these ids from Postgres (ids without a row as zeros). */
  async function read(postIds: readonly string[], userIds: readonly string[]): Promise<CounterChanges> {
    const [posts, users] = await Promise.all([store.postCounters(postIds), store.userCounters(userIds)]);
    return {
      posts: new Map(postIds.map((id) => [id, posts.get(id) ?? ZERO_POST])),
      users: new Map(userIds.map((id) => [id, users.get(id) ?? ZERO_USER])),
    };
  }

  return {
    /** After a batch committed: its counters as its transaction left them. */
    async write(batch: string, changes: CounterChanges): Promise<void> {
      if (changes.posts.size === 0 && changes.users.size === 0) return;
      if (await put(changes.posts, changes.users)) await store.clearRefresh([batch]);
    },

    /** After a batch committed, when its counters are not at hand: read them again by id. */
    async refresh(batch: string, postIds: readonly string[], userIds: readonly string[]): Promise<void> {
      if (postIds.length === 0 && userIds.length === 0) return;
      const changes = await read(postIds, userIds);
      if (await put(changes.posts, changes.users)) await store.clearRefresh([batch]);
    },

    /** Writes the counters of batches still marked after their consumer should have written them. */
    async retry(): Promise<number> {
      const backlog = await store.refreshBacklog(BACKLOG_BATCHES, BACKLOG_AGE_MS);
      if (backlog.keys.length === 0) return 0;
      const changes = await read(backlog.posts, backlog.users);
      if (await put(changes.posts, changes.users)) await store.clearRefresh(backlog.keys);
      return backlog.keys.length;
    },
  };
}

export type CacheWriter = ReturnType<typeof createCacheWriter>;
