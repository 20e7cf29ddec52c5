import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  pageSize,
  toConnection,
  type Connection,
  type Logger,
  type Redis,
  type Viewer,
} from '@plaza/common';
import { keys } from '../cache/keys.js';
import { assertRedisReady, defineScript, INBOX_BEGIN, INBOX_FINISH, INBOX_PUSH, INBOX_READ } from '../cache/scripts.js';
import type { FeedQuery, Keyset, SocialStore, TimedId } from '../store.js';
import type { PostRef } from './refs.js';

const FEED_CURSOR = 'feed';
/** How long a rebuild may hold an inbox in "building" before another reader may start over, s. */
const BUILDING_TTL_SECONDS = 30;
/** Inbox reads per page at most (each after filtering left too few candidates); then Postgres alone answers. */
const MAX_INBOX_READS = 4;
/** Followers pushed to per Redis pipeline in a fan-out. */
const FANOUT_CHUNK = 1_000;

export interface FeedSettings {
  fanoutThreshold: number;
  inboxSize: number;
  inboxTtlSeconds: number;
}

/** An inbox entry: a post id and its published time (ms). */
interface Entry {
  id: string;
  at: number;
}

type InboxRead = { kind: 'ok'; epoch: number; floor: number; entries: Entry[] } | { kind: 'missing' };

/** (at, id) descending order: negative when a comes first (is newer). */
const newestFirst = (a: Entry, b: Entry) => (a.at !== b.at ? b.at - a.at : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The inbox scripts bound to one Redis connection. */
export function createInboxes(redis: Redis, settings: FeedSettings) {
  const read = defineScript(redis, 'socialInboxRead', INBOX_READ);
  const push = defineScript(redis, 'socialInboxPush', INBOX_PUSH);
  const begin = defineScript(redis, 'socialInboxBegin', INBOX_BEGIN);
  const finish = defineScript(redis, 'socialInboxFinish', INBOX_FINISH);
  const inboxKeys = (userId: string) => [keys.inbox(userId), keys.inboxMeta(userId)];
  const pairs = (posts: readonly TimedId[]) => posts.flatMap((p) => [p.at.getTime(), p.id]);

  return {
    /** Entries at or below `max` (ms, inclusive; '+inf' from the top), newest first, above the floor. */
    async read(userId: string, max: number | '+inf', count: number): Promise<InboxRead> {
      const result = (await read(inboxKeys(userId), [max, count, settings.inboxTtlSeconds])) as
        | [string, string, string[]]
        | null;
      if (!result) return { kind: 'missing' };
      const [epoch, floor, flat] = result;
      const entries: Entry[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i] ?? '', at: Number(flat[i + 1]) });
      return { kind: 'ok', epoch: Number(epoch), floor: Number(floor), entries };
    },
    /** Adds posts to an existing inbox (a missing one is built with them on its next read). */
    push: (userId: string, posts: readonly TimedId[]) =>
      posts.length === 0 ? Promise.resolve() : push(inboxKeys(userId), [settings.inboxSize, ...pairs(posts)]).then(() => undefined),
    async remove(userId: string, postIds: readonly string[]): Promise<void> {
      if (postIds.length === 0) return;
      assertRedisReady(redis);
      await redis.zrem(keys.inbox(userId), ...postIds);
    },
    /** Starts a rebuild; false when another reader is rebuilding it right now. */
    begin: async (userId: string, epoch: number) => (await begin(inboxKeys(userId), [epoch, BUILDING_TTL_SECONDS])) === 1,
    finish: (userId: string, floor: number, posts: readonly TimedId[]) =>
      finish(inboxKeys(userId), [settings.inboxSize, floor, settings.inboxTtlSeconds, ...pairs(posts)]).then(() => undefined),
  };
}

export type Inboxes = ReturnType<typeof createInboxes>;

/**
 * The inbox generation, read from Postgres at most once a second per process: a failed inbox
 * update elsewhere invalidates this process's inboxes within a second.
 */
function createEpochCache(store: SocialStore) {
  let value = 0;
  let readAt = 0;
  let inflight: Promise<number> | undefined;
  return {
    get(): Promise<number> {
      if (Date.now() - readAt < 1_000) return Promise.resolve(value);
      inflight ??= store.feedEpoch().then(
        (epoch) => {
          value = epoch;
          readAt = Date.now();
          inflight = undefined;
          return epoch;
        },
        (err: unknown) => {
          inflight = undefined;
          throw err;
        },
      );
      return inflight;
    },
    forget() {
      readAt = 0;
    },
  };
}

/**
 * The hybrid home feed. Posts of authors below the fan-out threshold are pushed into their
 * followers' inboxes (Redis sorted sets, capped); posts of authors above it are pulled from their
 * own recent posts at read time. A page merges both in one Postgres statement that also drops
 * inbox entries no longer listed or no longer followed. Postgres is the truth; an inbox that is
 * lost, expired, or invalidated by a failed update is rebuilt from it on read.
 */
export function createFeed(deps: { store: SocialStore; inboxes: Inboxes; settings: FeedSettings; logger: Logger; onRedisError: (err: unknown) => void }) {
  const { store, inboxes, settings } = deps;
  const epochs = createEpochCache(store);
  let lastRebuildLog = 0;

  /** Rebuilds a reader's inbox from Postgres; false when someone else is rebuilding it. */
  async function rebuild(userId: string, epoch: number): Promise<boolean> {
    if (!(await inboxes.begin(userId, epoch))) return false;
    const seed = await store.inboxSeed(userId, settings.inboxSize);
    // A full seed may have left older posts out: below its oldest entry, Postgres answers.
    const floor = seed.length >= settings.inboxSize ? (seed.at(-1)?.at.getTime() ?? 0) : 0;
    await inboxes.finish(userId, floor, seed);
    return true;
  }

  /** Reads the inbox, rebuilding it when missing or stale; null when Redis cannot serve it. */
  async function readInbox(userId: string, max: number | '+inf', count: number): Promise<Extract<InboxRead, { kind: 'ok' }> | null> {
    try {
      const epoch = await epochs.get();
      for (let attempt = 0; attempt < 2; attempt++) {
        const read = await inboxes.read(userId, max, count);
        if (read.kind === 'ok' && read.epoch === epoch) return read;
        if (!(await rebuild(userId, epoch))) return null;
      }
      return null;
    } catch (err) {
      deps.onRedisError(err);
      return null;
    }
  }

  async function page(viewer: Viewer, args: { first?: number | null; after?: string | null }): Promise<Connection<PostRef>> {
    const first = pageSize(args.first);
    const after: Keyset | undefined = args.after != null ? decodeTimeIdCursor(FEED_CURSOR, args.after) : undefined;
    const limit = first + 1;
    const base: Omit<FeedQuery, 'candidates' | 'pushed'> = { viewerId: viewer.userId, after, limit };
    const toPage = (rows: TimedId[]) =>
      toConnection(rows, first, (r) => encodeTimeIdCursor(FEED_CURSOR, r.at, r.id), (r): PostRef => ({ id: r.id }));

    const candidates: Entry[] = [];
    // Where the next inbox read starts: the cursor, then the oldest entry examined.
    let from: Entry | undefined = after ? { id: after.id, at: after.at.getTime() } : undefined;
    for (let reads = 0; reads < MAX_INBOX_READS; reads++) {
      const count = limit + 10;
      const inbox = await readInbox(viewer.userId, from?.at ?? '+inf', count);
      if (!inbox) break;
      const start = from;
      const fresh = inbox.entries.filter((e) => !start || newestFirst(start, e) < 0);
      candidates.push(...fresh);
      const exhausted = inbox.entries.length < count;
      const oldest = candidates.at(-1);
      const rows = await store.feedPage({
        ...base,
        candidates: candidates.map((c) => c.id),
        pushed: exhausted ? (inbox.floor > 0 ? { from: 'below', floor: inbox.floor } : { from: 'none' }) : { from: 'none' },
      });
      // Complete when the inbox is exhausted, or when the page ends at or above the oldest entry
      // examined (every inbox entry newer than that one was a candidate).
      const last = rows.at(-1);
      if (exhausted || (oldest && rows.length === limit && last && newestFirst({ id: last.id, at: last.at.getTime() }, oldest) <= 0)) {
        return toPage(rows);
      }
      from = oldest ?? from;
    }
    // No inbox (Redis unavailable), or too many stale entries: Postgres answers alone.
    return toPage(await store.feedPage({ ...base, candidates: [], pushed: { from: 'all' } }));
  }

  /** After a change that Redis did not take: every inbox is rebuilt on its next read. */
  async function invalidate(err: unknown): Promise<void> {
    deps.onRedisError(err);
    try {
      await store.bumpFeedEpoch();
      epochs.forget();
    } catch (bumpErr) {
      deps.logger.error({ err: bumpErr }, 'feed: could not invalidate inboxes after a failed update');
    }
  }

  return {
    page,

    /** A follow back-fills the followee's recent pushed posts into the follower's inbox. */
    async followed(followerId: string, followeeId: string): Promise<void> {
      const posts = await store.pushedPostsOf(followeeId, settings.inboxSize);
      await inboxes.push(followerId, posts).catch(invalidate);
    },

    /** An unfollow takes the followee's posts out of the follower's inbox. */
    async unfollowed(followerId: string, followeeId: string): Promise<void> {
      const posts = await store.pushedPostsOf(followeeId, settings.inboxSize);
      await inboxes.remove(followerId, posts.map((p) => p.id)).catch(invalidate);
    },

    /** A pushed post became listed: into every follower's inbox (those that exist). */
    async fanOut(authorId: string, post: TimedId): Promise<void> {
      const followers = await store.followerIds(authorId);
      try {
        for (let i = 0; i < followers.length; i += FANOUT_CHUNK) {
          await Promise.all(followers.slice(i, i + FANOUT_CHUNK).map((f) => inboxes.push(f, [post])));
        }
      } catch (err) {
        await invalidate(err);
      }
    },

    /** A pushed post stopped being listed (deleted, made private): out of every follower's inbox. */
    async retract(authorId: string, postId: string): Promise<void> {
      const followers = await store.followerIds(authorId);
      try {
        for (let i = 0; i < followers.length; i += FANOUT_CHUNK) {
          await Promise.all(followers.slice(i, i + FANOUT_CHUNK).map((f) => inboxes.remove(f, [postId])));
        }
      } catch (err) {
        await invalidate(err);
      }
    },

    invalidate,

    /** Invalidates every inbox without a failure behind it (a replay, a long outage caught up). */
    async rebuildAll(reason: string): Promise<void> {
      if (Date.now() - lastRebuildLog > 60_000) {
        lastRebuildLog = Date.now();
        deps.logger.info({ reason }, 'feed: inboxes invalidated; each is rebuilt from Postgres on its next read');
      }
      await store.bumpFeedEpoch();
      epochs.forget();
    },
  };
}

export type Feed = ReturnType<typeof createFeed>;
