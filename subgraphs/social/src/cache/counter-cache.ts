import type { Logger, Redis } from '@plaza/common';
import { hotRank } from '../domain/hot-score.js';
import type { PostCounters, UserCounters } from '../store.js';
import { keys } from './keys.js';
import { assertRedisReady, defineScript, FLAGS_PUT, HASHES_GET, HASHES_PUT, type ScriptArg } from './scripts.js';

/** Post hash fields, in the order scripts take them ('ver' first). */
const POST_FIELDS = ['ver', 'l', 'b', 'v', 'c', 'p', 's'] as const;
const USER_FIELDS = ['ver', 'fr', 'fg', 'lr'] as const;
/** Hashes per write command of a consumer (a script runs alone in Redis: keep each one short). */
const PUT_CHUNK = 500;

export const ZERO_POST: PostCounters = { likes: 0, bookmarks: 0, views: 0, comments: 0, publishedAt: null, listed: false, version: 0 };
export const ZERO_USER: UserCounters = { followers: 0, following: 0, likesReceived: 0, version: 0 };

function postValues(c: PostCounters): ScriptArg[] {
  return [c.version, c.likes, c.bookmarks, c.views, c.comments, c.publishedAt ?? 0, c.listed ? 1 : 0];
}

/** Appends a post's values to a script's arguments (no intermediate arrays: thousands per batch). */
function pushPostValues(into: ScriptArg[], c: PostCounters): void {
  into.push(c.version, c.likes, c.bookmarks, c.views, c.comments, c.publishedAt ?? 0, c.listed ? 1 : 0);
}

function userValues(c: UserCounters): ScriptArg[] {
  return [c.version, c.followers, c.following, c.likesReceived];
}

const num = (v: unknown): number => Number(v ?? 0);

function parsePost(values: readonly unknown[]): PostCounters | null {
  const [ver, l, b, v, c, p, s] = values;
  if (ver === null || ver === undefined) return null;
  const publishedAt = num(p);
  return {
    version: num(ver),
    likes: num(l),
    bookmarks: num(b),
    views: num(v),
    comments: num(c),
    publishedAt: publishedAt > 0 ? publishedAt : null,
    listed: s === '1',
  };
}

function parseUser(values: readonly unknown[]): UserCounters | null {
  const [ver, fr, fg, lr] = values;
  if (ver === null || ver === undefined) return null;
  return { version: num(ver), followers: num(fr), following: num(fg), likesReceived: num(lr) };
}

/** Whether the post belongs on the hot list now, and at which rank. */
export interface HotPolicy {
  halfLifeHours: number;
  windowHours: number;
}

function hotRankOf(c: PostCounters, policy: HotPolicy, nowMs: number): number | null {
  if (!c.listed || c.publishedAt === null || c.publishedAt < nowMs - policy.windowHours * 3_600_000) return null;
  return hotRank(c, policy.halfLifeHours);
}

/**
 * The hot counts in Redis: a hash per post and per user holding a copy of the durable counters
 * with their version, and the viewer flags. Reads cost one command for any number of keys; a
 * write only lands when its version is newer, so a late writer never puts an older count back.
 */
export function createCounterCache(opts: { redis: Redis; ttlSeconds: number; hot: HotPolicy; logger: Logger }) {
  const { redis, ttlSeconds } = opts;
  const getHashes = defineScript(redis, 'socialHashesGet', HASHES_GET);
  const putHashes = defineScript(redis, 'socialHashesPut', HASHES_PUT);
  const putFlags = defineScript(redis, 'socialFlagsPut', FLAGS_PUT);

  async function get<T>(hashKeys: readonly string[], fields: readonly string[], parse: (v: readonly unknown[]) => T | null) {
    const values = (await getHashes(hashKeys, fields)) as unknown[][];
    return values.map((v) => parse(v));
  }

  function put(mode: 'fill' | 'put' | 'put-hot', hashKeys: readonly string[], fields: readonly string[], values: ScriptArg[]) {
    return putHashes(hashKeys, [mode, ttlSeconds, fields.length, ...fields, ...values]);
  }

  return {
    /** The cached counters of posts, in key order; null for a miss. Throws when Redis fails. */
    getPosts: (ids: readonly string[]) => get(ids.map(keys.postCounters), POST_FIELDS, parsePost),
    getUsers: (ids: readonly string[]) => get(ids.map(keys.userCounters), USER_FIELDS, parseUser),

    /** Caches copies read from Postgres after a miss (one command). */
    async fillPosts(entries: readonly (readonly [string, PostCounters])[]): Promise<void> {
      if (entries.length === 0) return;
      await put('fill', entries.map(([id]) => keys.postCounters(id)), POST_FIELDS, entries.flatMap(([, c]) => postValues(c)));
    },
    async fillUsers(entries: readonly (readonly [string, UserCounters])[]): Promise<void> {
      if (entries.length === 0) return;
      await put('fill', entries.map(([id]) => keys.userCounters(id)), USER_FIELDS, entries.flatMap(([, c]) => userValues(c)));
    },

    /**
     * A consumer's fresh totals, with the posts' places on the hot list: one command per
     * PUT_CHUNK posts, so one script never holds Redis for long.
     */
    async putPosts(entries: readonly (readonly [string, PostCounters])[], nowMs = Date.now()): Promise<void> {
      for (let i = 0; i < entries.length; i += PUT_CHUNK) {
        const chunk = entries.slice(i, i + PUT_CHUNK);
        const hashKeys = [keys.hot, keys.hotPublished];
        const values: ScriptArg[] = [];
        for (const [id, c] of chunk) {
          hashKeys.push(keys.postCounters(id));
          pushPostValues(values, c);
          values.push(id, hotRankOf(c, opts.hot, nowMs) ?? '');
        }
        await put('put-hot', hashKeys, POST_FIELDS, values);
      }
    },
    async putUsers(entries: readonly (readonly [string, UserCounters])[]): Promise<void> {
      for (let i = 0; i < entries.length; i += PUT_CHUNK) {
        const chunk = entries.slice(i, i + PUT_CHUNK);
        await put('put', chunk.map(([id]) => keys.userCounters(id)), USER_FIELDS, chunk.flatMap(([, c]) => userValues(c)));
      }
    },

    /** The viewer's cached flags for posts: `[liked, bookmarked]` per post, null where missing. */
    async getFlags(viewerId: string, postIds: readonly string[]): Promise<[boolean | null, boolean | null][]> {
      const fields = postIds.flatMap((id) => [`l:${id}`, `b:${id}`]);
      assertRedisReady(redis);
      const values = await redis.hmget(keys.viewerFlags(viewerId), ...fields);
      const flag = (v: string | null | undefined) => (v === '1' ? true : v === '0' ? false : null);
      return postIds.map((_, i) => [flag(values[2 * i]), flag(values[2 * i + 1])]);
    },
    /** Caches flags read from Postgres, where no newer write set them meanwhile. */
    async fillFlags(viewerId: string, flags: readonly { postId: string; liked: boolean; bookmarked: boolean }[]): Promise<void> {
      if (flags.length === 0) return;
      const pairs = flags.flatMap((f) => [`l:${f.postId}`, f.liked ? 1 : 0, `b:${f.postId}`, f.bookmarked ? 1 : 0]);
      await putFlags([keys.viewerFlags(viewerId)], [ttlSeconds, 'nx', ...pairs]);
    },
    /** The viewer just liked, unliked, bookmarked or unbookmarked a post. */
    async setFlag(viewerId: string, kind: 'l' | 'b', postId: string, value: boolean): Promise<void> {
      await putFlags([keys.viewerFlags(viewerId)], [ttlSeconds, 'set', `${kind}:${postId}`, value ? 1 : 0]);
    },
  };
}

export type CounterCache = ReturnType<typeof createCounterCache>;
