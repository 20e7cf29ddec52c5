import { sql, type SQL } from 'drizzle-orm';
import { createStoreBase, type Pool, type StoreDb, type StoreTx } from '@plaza/common';
import * as schema from './db/schema.js';
import { outbox, type PendingCounter } from './db/schema.js';

export type SocialDb = StoreDb<typeof schema>;
export type SocialTx = StoreTx<typeof schema>;
type Db = SocialDb | SocialTx;

/** What social knows of a post from content's events: enough to decide who may see it. */
export interface PostState {
  id: string;
  authorId: string | null;
  anonymous: boolean;
  status: 'DRAFT' | 'PUBLISHED' | null;
  visibility: 'PUBLIC' | 'PRIVATE' | null;
  publishedAt: Date | null;
  deletedAt: Date | null;
  /** Pushed into inboxes (true), pulled at read time (false), or not listed yet (null). */
  pushed: boolean | null;
}

/** A post's state after a batch of content's events (a deletion alone leaves the rest unknown). */
export interface PostChange {
  id: string;
  authorId: string | null;
  anonymous: boolean;
  status?: 'DRAFT' | 'PUBLISHED';
  visibility?: 'PUBLIC' | 'PRIVATE';
  publishedAt?: string | null;
  deletedAt: string | null;
}

/** A post's durable counters as Postgres has them, with what the hot score needs. */
export interface PostCounters {
  likes: number;
  bookmarks: number;
  views: number;
  comments: number;
  /** ms since the epoch; null until the post's publication is known. */
  publishedAt: number | null;
  /** Published, public, not deleted. */
  listed: boolean;
  version: number;
}

export interface UserCounters {
  followers: number;
  following: number;
  likesReceived: number;
  version: number;
}

/** A keyset position: the sort key of the last row of the previous page. */
export interface Keyset {
  at: Date;
  id: string;
}

/** An entry of a time-ordered list: the row's id and its sort time. */
export interface TimedId {
  id: string;
  at: Date;
}

export interface PendingRow {
  eventId: string;
  subject: string;
  counter: PendingCounter;
  delta: 1 | -1;
}

export type FollowList = 'followers' | 'following' | 'friends';
export type ReactionKind = 'likes' | 'bookmarks';

/** The exact state right after a change, for the mutation's own answer (durable + pending). */
export interface PostSnapshot extends PostCounters {
  viewerHasLiked: boolean;
  viewerHasBookmarked: boolean;
}

export interface UserSnapshot extends UserCounters {
  viewerIsFollowing: boolean;
  isFollowingViewer: boolean;
}

/** The feed's read: inbox candidates to verify, plus the parts Postgres answers alone. */
export interface FeedQuery {
  viewerId: string;
  /** Post ids read from the viewer's inbox (pushed posts), to check against the follow graph. */
  candidates: readonly string[];
  after?: Keyset | undefined;
  limit: number;
  /**
   * Pushed posts Postgres must supply as well: 'none' when the inbox covers them, 'below' the
   * inbox's floor (ms) once the inbox is exhausted, 'all' without an inbox (Redis unavailable).
   */
  pushed: { from: 'none' } | { from: 'below'; floor: number } | { from: 'all' };
}

/** Published, public, not deleted (the partial indexes' predicate). */
const LISTED = sql`p.status = 'PUBLISHED' and p.visibility = 'PUBLIC' and p.deleted_at is null`;

/** The hot score's points (domain/hot-score.ts) and its time-free rank, in SQL. */
const HOT_POINTS = sql`(p.likes + 2 * p.bookmarks + 3 * p.comments + 0.1 * p.views)::float8`;
const hotRankSql = (halfLifeHours: number) =>
  sql`(ln(${HOT_POINTS}) / ln(2) + extract(epoch from p.published_at)::float8 / 3600 / ${halfLifeHours}::float8)`;

/** A timestamp column as ms since the epoch (raw queries get no Date parsing from drizzle). */
const epochMs = (column: SQL) => sql`(extract(epoch from ${column}) * 1000)::float8`;
const dateOf = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const timed = (found: readonly { id: string; at: number }[]): TimedId[] => found.map((r) => ({ id: r.id, at: new Date(r.at) }));

/** A posts upsert's RETURNING list: the counters as `PostCountersRow`. */
const RETURNED_POST = sql`id, likes, bookmarks, views::float8 as views, comments,
  (extract(epoch from published_at) * 1000)::float8 as published_at,
  coalesce(status = 'PUBLISHED' and visibility = 'PUBLIC' and deleted_at is null, false) as listed, version::float8 as version`;
const RETURNED_USER = sql`user_id as id, followers, following, likes_received, version::float8 as version`;

/**
 * Wraps a counters upsert (of a consumer batch `batch`) so that it also records the ids it changed
 * for a Redis refresh (db/schema.ts, `cache_refresh`) and returns the rows as they now are: one
 * statement, one marking row per batch whatever its size.
 */
function marking(kind: 'p' | 'u', batch: string, upsert: SQL): SQL {
  return sql`with changed as (${upsert} returning ${kind === 'p' ? RETURNED_POST : RETURNED_USER}),
    marked as (
      insert into social.cache_refresh (key, kind, ids) select ${batch}, ${kind}, array_agg(id) from changed having count(*) > 0
      on conflict (key, kind) do update set ids = social.cache_refresh.ids || excluded.ids, marked_at = now())
    select * from changed`;
}

const uuids = (ids: readonly string[]) => sql`${sql.param([...ids])}::uuid[]`;
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** `(at, id) < cursor` for newest-first keyset pages over the given columns. */
function before(atColumn: SQL, idColumn: SQL, after: Keyset | undefined): SQL {
  return after ? sql`and (${atColumn}, ${idColumn}) < (${ts(after.at)}, ${sql`${after.id}::uuid`})` : sql``;
}

interface PostCountersRow extends Record<string, unknown> {
  id: string;
  likes: number;
  bookmarks: number;
  views: number;
  comments: number;
  published_at: number | null;
  listed: boolean;
  version: number;
}

const POST_COUNTER_COLUMNS = sql`p.id, p.likes, p.bookmarks, p.views::float8 as views, p.comments, ${epochMs(sql`p.published_at`)} as published_at,
  coalesce(p.status = 'PUBLISHED' and p.visibility = 'PUBLIC' and p.deleted_at is null, false) as listed, p.version::float8 as version`;

function toPostCounters(r: PostCountersRow): PostCounters {
  return {
    likes: r.likes,
    bookmarks: r.bookmarks,
    views: r.views,
    comments: r.comments,
    publishedAt: r.published_at,
    listed: r.listed,
    version: r.version,
  };
}

interface PostStateRow extends Record<string, unknown> {
  id: string;
  author_id: string | null;
  anonymous: boolean;
  status: PostState['status'];
  visibility: PostState['visibility'];
  published_at: number | null;
  deleted_at: number | null;
  pushed: boolean | null;
}

function toPostState(r: PostStateRow): PostState {
  return {
    id: r.id,
    authorId: r.author_id,
    anonymous: r.anonymous,
    status: r.status,
    visibility: r.visibility,
    publishedAt: dateOf(r.published_at),
    deletedAt: dateOf(r.deleted_at),
    pushed: r.pushed,
  };
}

interface UserCountersRow extends Record<string, unknown> {
  id: string;
  followers: number;
  following: number;
  likes_received: number;
  version: number;
}

const toUserCounters = (r: UserCountersRow): UserCounters => ({
  followers: r.followers,
  following: r.following,
  likesReceived: r.likes_received,
  version: r.version,
});

/** Counters one consumer batch changed, as its transaction left them. */
export interface CounterChanges {
  posts: Map<string, PostCounters>;
  users: Map<string, UserCounters>;
}

/** Sums pending rows per (subject, counter). */
function sumDeltas(rows: readonly { subject: string; counter: PendingCounter; delta: number }[]) {
  const posts = new Map<string, { likes: number; bookmarks: number }>();
  const users = new Map<string, { followers: number; following: number; likesReceived: number }>();
  for (const r of rows) {
    if (r.counter === 'likes' || r.counter === 'bookmarks') {
      const d = posts.get(r.subject) ?? { likes: 0, bookmarks: 0 };
      d[r.counter] += r.delta;
      posts.set(r.subject, d);
    } else {
      const d = users.get(r.subject) ?? { followers: 0, following: 0, likesReceived: 0 };
      if (r.counter === 'likes_received') d.likesReceived += r.delta;
      else d[r.counter] += r.delta;
      users.set(r.subject, d);
    }
  }
  return { posts, users };
}

/**
 * Every read and write of the social schema. `onEventsCommitted` runs after a transaction that
 * wrote events commits (to wake the outbox relay).
 */
export function createSocialStore(pool: Pool, onEventsCommitted?: () => void) {
  const { db, transaction, enqueue } = createStoreBase({ pool, schema, outbox, onEventsCommitted });

  async function rows<T extends Record<string, unknown>>(on: Db, query: SQL): Promise<T[]> {
    return (await on.execute<T>(query)).rows as T[];
  }

  async function postRows(on: Db, query: SQL): Promise<Map<string, PostCounters>> {
    const found = await rows<PostCountersRow>(on, query);
    return new Map(found.map((r) => [r.id, toPostCounters(r)]));
  }

  async function postCounters(ids: readonly string[], on: Db = db): Promise<Map<string, PostCounters>> {
    if (ids.length === 0) return new Map();
    const found = await rows<PostCountersRow>(on, sql`select ${POST_COUNTER_COLUMNS} from social.posts p where p.id = any(${uuids(ids)})`);
    return new Map(found.map((r) => [r.id, toPostCounters(r)]));
  }

  async function userCounters(ids: readonly string[], on: Db = db): Promise<Map<string, UserCounters>> {
    if (ids.length === 0) return new Map();
    const found = await rows<{ user_id: string; followers: number; following: number; likes_received: number; version: number }>(
      on,
      sql`select user_id, followers, following, likes_received, version::float8 as version
            from social.user_counters where user_id = any(${uuids(ids)})`,
    );
    return new Map(
      found.map((r) => [r.user_id, { followers: r.followers, following: r.following, likesReceived: r.likes_received, version: r.version }]),
    );
  }

  return {
    db,
    transaction,
    enqueue,

    // ------------------------------------------------------------ projections

    async postStates(ids: readonly string[], on: Db = db): Promise<PostState[]> {
      if (ids.length === 0) return [];
      const found = await rows<PostStateRow>(
        on,
        sql`select id, author_id, anonymous, status, visibility, ${epochMs(sql`published_at`)} as published_at,
          ${epochMs(sql`deleted_at`)} as deleted_at, pushed from social.posts where id = any(${uuids(ids)})`,
      );
      return found.map(toPostState);
    },

    async userExists(tx: Db, id: string): Promise<boolean> {
      const found = await rows(tx, sql`select 1 from social.users where id = ${id}::uuid`);
      return found.length > 0;
    },

    /** identity's `user.registered`: social learns that the user exists. */
    async insertUsers(tx: Db, users: readonly { id: string; registeredAt: string }[]): Promise<void> {
      if (users.length === 0) return;
      await tx.execute(sql`
        insert into social.users (id, registered_at)
        select * from unnest(${uuids(users.map((u) => u.id))}, ${sql.param(users.map((u) => u.registeredAt))}::timestamptz[])
        on conflict (id) do nothing`);
    },

    /**
     * content's `post.*` events, one row per post with its state after them: the first time a
     * post is listed it is marked pushed or pulled by its author's follower count then. Only a
     * deletion's own fields (a post deleted before social saw it published) may be null.
     */
    async upsertPosts(tx: Db, changes: readonly PostChange[], fanoutThreshold: number, batch: string): Promise<Map<string, PostCounters>> {
      if (changes.length === 0) return new Map();
      const sorted = [...changes].sort((a, b) => (a.id < b.id ? -1 : 1));
      const col = <T>(pick: (c: PostChange) => T) => sql.param(sorted.map(pick));
      return postRows(tx, marking('p', batch, sql`
        insert into social.posts (id, author_id, anonymous, status, visibility, published_at, deleted_at, pushed)
        select c.id, c.author_id, c.anonymous, c.status, c.visibility, c.published_at, c.deleted_at,
               case when c.author_id is not null and not c.anonymous and c.status = 'PUBLISHED' and c.visibility = 'PUBLIC'
                         and c.deleted_at is null
                    then coalesce(uc.followers, 0) < ${fanoutThreshold} end
          from unnest(${uuids(sorted.map((c) => c.id))}, ${col((c) => c.authorId)}::uuid[], ${col((c) => c.anonymous)}::boolean[],
                      ${col((c) => c.status ?? null)}::social.post_status[], ${col((c) => c.visibility ?? null)}::social.visibility[],
                      ${col((c) => c.publishedAt ?? null)}::timestamptz[], ${col((c) => c.deletedAt)}::timestamptz[])
               as c(id, author_id, anonymous, status, visibility, published_at, deleted_at)
          left join social.user_counters uc on uc.user_id = c.author_id
         order by c.id
        on conflict (id) do update set
          author_id = excluded.author_id, anonymous = excluded.anonymous,
          status = coalesce(excluded.status, social.posts.status),
          visibility = coalesce(excluded.visibility, social.posts.visibility),
          published_at = coalesce(social.posts.published_at, excluded.published_at),
          deleted_at = coalesce(social.posts.deleted_at, excluded.deleted_at),
          pushed = coalesce(social.posts.pushed, excluded.pushed), version = social.posts.version + 1`));
    },

    /** content's `comment.added`/`comment.deleted`, summed per post. */
    async addComments(tx: Db, deltas: ReadonlyMap<string, number>, batch: string): Promise<Map<string, PostCounters>> {
      const entries = [...deltas].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
      if (entries.length === 0) return new Map();
      return postRows(tx, marking('p', batch, sql`
        insert into social.posts (id, comments)
        select * from unnest(${uuids(entries.map(([id]) => id))}, ${sql.param(entries.map(([, d]) => d))}::int[]) order by 1
        on conflict (id) do update set comments = social.posts.comments + excluded.comments, version = social.posts.version + 1`));
    },

    // --------------------------------------------------------------- counters

    postCounters,
    userCounters,

    /** Views counted by the view producers, summed per post. */
    async addViews(tx: Db, deltas: ReadonlyMap<string, number>, batch: string): Promise<Map<string, PostCounters>> {
      const entries = [...deltas].sort(([a], [b]) => (a < b ? -1 : 1));
      if (entries.length === 0) return new Map();
      // Rows in id order: concurrent writers of the same posts take their locks in one order.
      return postRows(tx, marking('p', batch, sql`
        insert into social.posts (id, views)
        select * from unnest(${uuids(entries.map(([id]) => id))}, ${sql.param(entries.map(([, d]) => d))}::bigint[]) order by 1
        on conflict (id) do update set views = social.posts.views + excluded.views, version = social.posts.version + 1`));
    },

    /**
     * Applies the counter changes of events: takes their pending rows (an event whose rows are
     * gone was applied before) and adds the sums to the durable counters. Returns the counters it
     * changed, as they now are.
     */
    async applyPending(tx: Db, eventIds: readonly string[], batch: string): Promise<CounterChanges> {
      const changes: CounterChanges = { posts: new Map(), users: new Map() };
      if (eventIds.length === 0) return changes;
      const taken = await rows<{ subject: string; counter: PendingCounter; delta: number }>(
        tx,
        sql`delete from social.pending_counts where event_id = any(${uuids(eventIds)}) returning subject, counter, delta`,
      );
      const { posts, users } = sumDeltas(taken);
      const postRowsIn = [...posts].sort(([a], [b]) => (a < b ? -1 : 1));
      if (postRowsIn.length > 0) {
        changes.posts = await postRows(tx, marking('p', batch, sql`
          insert into social.posts (id, likes, bookmarks)
          select * from unnest(${uuids(postRowsIn.map(([id]) => id))}, ${sql.param(postRowsIn.map(([, d]) => d.likes))}::int[],
                               ${sql.param(postRowsIn.map(([, d]) => d.bookmarks))}::int[]) order by 1
          on conflict (id) do update set likes = social.posts.likes + excluded.likes,
            bookmarks = social.posts.bookmarks + excluded.bookmarks, version = social.posts.version + 1`));
      }
      const userRowsIn = [...users].sort(([a], [b]) => (a < b ? -1 : 1));
      if (userRowsIn.length > 0) {
        const found = await rows<UserCountersRow>(tx, marking('u', batch, sql`
          insert into social.user_counters (user_id, followers, following, likes_received)
          select * from unnest(${uuids(userRowsIn.map(([id]) => id))}, ${sql.param(userRowsIn.map(([, d]) => d.followers))}::int[],
                               ${sql.param(userRowsIn.map(([, d]) => d.following))}::int[],
                               ${sql.param(userRowsIn.map(([, d]) => d.likesReceived))}::int[]) order by 1
          on conflict (user_id) do update set followers = social.user_counters.followers + excluded.followers,
            following = social.user_counters.following + excluded.following,
            likes_received = social.user_counters.likes_received + excluded.likes_received,
            version = social.user_counters.version + 1`));
        changes.users = new Map(found.map((r) => [r.id, toUserCounters(r)]));
      }
      return changes;
    },

    /** Batches whose counters were marked for a Redis refresh at least `olderThanMs` ago (their consumer's own refresh did not happen). */
    async refreshBacklog(limit: number, olderThanMs: number): Promise<{ keys: string[]; posts: string[]; users: string[] }> {
      const found = await rows<{ key: string; kind: 'p' | 'u'; ids: string[] }>(db, sql`
        select key, kind, ids from social.cache_refresh
         where marked_at < now() - ${olderThanMs} * interval '1 millisecond'
         order by marked_at limit ${limit}`);
      return {
        keys: [...new Set(found.map((r) => r.key))],
        posts: [...new Set(found.filter((r) => r.kind === 'p').flatMap((r) => r.ids))],
        users: [...new Set(found.filter((r) => r.kind === 'u').flatMap((r) => r.ids))],
      };
    },

    /** Removes the refresh marks of batches whose counters Redis now holds. */
    async clearRefresh(batches: readonly string[]): Promise<void> {
      if (batches.length === 0) return;
      await db.execute(sql`delete from social.cache_refresh where key = any(${sql.param([...batches])}::text[])`);
    },

    async insertPending(tx: Db, pending: readonly PendingRow[]): Promise<void> {
      if (pending.length === 0) return;
      await tx.execute(sql`
        insert into social.pending_counts (event_id, subject, counter, delta)
        select * from unnest(${uuids(pending.map((p) => p.eventId))}, ${uuids(pending.map((p) => p.subject))},
                             ${sql.param(pending.map((p) => p.counter))}::text[], ${sql.param(pending.map((p) => p.delta))}::smallint[])`);
    },

    // -------------------------------------------------------------- reactions

    /** Adds a like or bookmark; true when it is new (the primary key decides). */
    async insertReaction(tx: Db, kind: ReactionKind, userId: string, postId: string): Promise<boolean> {
      const table = kind === 'likes' ? sql`social.likes` : sql`social.bookmarks`;
      const inserted = await rows(tx, sql`
        insert into ${table} (user_id, post_id) values (${userId}::uuid, ${postId}::uuid)
        on conflict do nothing returning 1`);
      return inserted.length > 0;
    },

    /** Removes a like or bookmark; true when there was one. */
    async deleteReaction(tx: Db, kind: ReactionKind, userId: string, postId: string): Promise<boolean> {
      const table = kind === 'likes' ? sql`social.likes` : sql`social.bookmarks`;
      const deleted = await rows(tx, sql`delete from ${table} where user_id = ${userId}::uuid and post_id = ${postId}::uuid returning 1`);
      return deleted.length > 0;
    },

    /** The viewer's likes and bookmarks among posts. */
    async viewerReactions(viewerId: string, postIds: readonly string[]): Promise<{ postId: string; kind: 'l' | 'b' }[]> {
      const found = await rows<{ post_id: string; kind: 'l' | 'b' }>(db, sql`
        select post_id, 'l' as kind from social.likes where user_id = ${viewerId}::uuid and post_id = any(${uuids(postIds)})
        union all
        select post_id, 'b' as kind from social.bookmarks where user_id = ${viewerId}::uuid and post_id = any(${uuids(postIds)})`);
      return found.map((r) => ({ postId: r.post_id, kind: r.kind }));
    },

    /**
     * A post's exact counters (durable + pending, one statement so a consumer's move from pending
     * to durable is seen whole) and the viewer's reactions. Read after the change committed, so the
     * last of concurrent changes sees all of them.
     */
    async postSnapshot(viewerId: string, postId: string, tx: Db = db): Promise<PostSnapshot> {
      const [row] = await rows<PostCountersRow & { pending_likes: number; pending_bookmarks: number; liked: boolean; bookmarked: boolean }>(
        tx,
        sql`
        select ${POST_COUNTER_COLUMNS},
          coalesce((select sum(delta) from social.pending_counts where subject = p.id and counter = 'likes'), 0)::int as pending_likes,
          coalesce((select sum(delta) from social.pending_counts where subject = p.id and counter = 'bookmarks'), 0)::int as pending_bookmarks,
          exists(select 1 from social.likes where user_id = ${viewerId}::uuid and post_id = p.id) as liked,
          exists(select 1 from social.bookmarks where user_id = ${viewerId}::uuid and post_id = p.id) as bookmarked
        from social.posts p where p.id = ${postId}::uuid`,
      );
      if (!row) throw new Error(`post ${postId} vanished from the projection`);
      const counters = toPostCounters(row);
      return {
        ...counters,
        likes: counters.likes + row.pending_likes,
        bookmarks: counters.bookmarks + row.pending_bookmarks,
        viewerHasLiked: row.liked,
        viewerHasBookmarked: row.bookmarked,
      };
    },

    /** Posts a user liked or bookmarked that the viewer may see, most recent first. */
    async reactionList(kind: ReactionKind, userId: string, viewerId: string | null, limit: number, after?: Keyset): Promise<TimedId[]> {
      const table = kind === 'likes' ? sql`social.likes` : sql`social.bookmarks`;
      const found = await rows<{ id: string; at: number }>(db, sql`
        select r.post_id as id, ${epochMs(sql`r.created_at`)} as at from ${table} r join social.posts p on p.id = r.post_id
         where r.user_id = ${userId}::uuid
           and p.status = 'PUBLISHED' and p.deleted_at is null
           and (p.visibility = 'PUBLIC' or (p.author_id is not null and p.author_id = ${viewerId}::uuid))
           ${before(sql`r.created_at`, sql`r.post_id`, after)}
         order by r.created_at desc, r.post_id desc limit ${limit}`);
      return timed(found);
    },

    // ---------------------------------------------------------------- follows

    /**
     * Serialises follows and unfollows between two users (either direction) until the transaction
     * ends, so that two users following each other at once both see the follow become mutual.
     */
    async lockPair(tx: SocialTx, a: string, b: string): Promise<void> {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`social.follow:${lo}:${hi}`}, 0))`);
    },

    /** Adds a follow; true when it is new. A follow back makes both rows friends from now. */
    async insertFollow(tx: Db, followerId: string, followeeId: string): Promise<boolean> {
      const inserted = await rows<{ friends_since: Date | null }>(tx, sql`
        insert into social.follows (follower_id, followee_id, created_at, friends_since)
        values (${followerId}::uuid, ${followeeId}::uuid, now(),
                case when exists(select 1 from social.follows where follower_id = ${followeeId}::uuid and followee_id = ${followerId}::uuid)
                     then now() end)
        on conflict do nothing returning friends_since`);
      const [row] = inserted;
      if (!row) return false;
      if (row.friends_since) {
        await tx.execute(sql`update social.follows set friends_since = now()
          where follower_id = ${followeeId}::uuid and followee_id = ${followerId}::uuid`);
      }
      return true;
    },

    /** Removes a follow; true when there was one. The other direction stops being a friendship. */
    async deleteFollow(tx: Db, followerId: string, followeeId: string): Promise<boolean> {
      const deleted = await rows(tx, sql`
        delete from social.follows where follower_id = ${followerId}::uuid and followee_id = ${followeeId}::uuid returning 1`);
      if (deleted.length === 0) return false;
      await tx.execute(sql`update social.follows set friends_since = null
        where follower_id = ${followeeId}::uuid and followee_id = ${followerId}::uuid and friends_since is not null`);
      return true;
    },

    /** A user's exact counters and the follow relation with the viewer (read after the change committed). */
    async userSnapshot(viewerId: string, userId: string, tx: Db = db): Promise<UserSnapshot> {
      const pending = (counter: PendingCounter) =>
        sql`coalesce((select sum(delta) from social.pending_counts where subject = ${userId}::uuid and counter = ${counter}), 0)::int`;
      const [row] = await rows<{
        followers: number;
        following: number;
        likes_received: number;
        version: number;
        viewer_is_following: boolean;
        is_following_viewer: boolean;
      }>(tx, sql`
        select coalesce(uc.followers, 0) + ${pending('followers')} as followers,
               coalesce(uc.following, 0) + ${pending('following')} as following,
               coalesce(uc.likes_received, 0) + ${pending('likes_received')} as likes_received,
               coalesce(uc.version, 0)::float8 as version,
               exists(select 1 from social.follows where follower_id = ${viewerId}::uuid and followee_id = ${userId}::uuid) as viewer_is_following,
               exists(select 1 from social.follows where follower_id = ${userId}::uuid and followee_id = ${viewerId}::uuid) as is_following_viewer
          from (select 1) one left join social.user_counters uc on uc.user_id = ${userId}::uuid`);
      if (!row) throw new Error('user snapshot returned no row');
      return {
        followers: row.followers,
        following: row.following,
        likesReceived: row.likes_received,
        version: row.version,
        viewerIsFollowing: row.viewer_is_following,
        isFollowingViewer: row.is_following_viewer,
      };
    },

    /** A user's followers, followees or friends, most recent first. */
    async followList(list: FollowList, userId: string, limit: number, after?: Keyset): Promise<TimedId[]> {
      let query: SQL;
      switch (list) {
        case 'followers':
          query = sql`select follower_id as id, ${epochMs(sql`created_at`)} as at from social.follows where followee_id = ${userId}::uuid
            ${before(sql`created_at`, sql`follower_id`, after)} order by created_at desc, follower_id desc limit ${limit}`;
          break;
        case 'following':
          query = sql`select followee_id as id, ${epochMs(sql`created_at`)} as at from social.follows where follower_id = ${userId}::uuid
            ${before(sql`created_at`, sql`followee_id`, after)} order by created_at desc, followee_id desc limit ${limit}`;
          break;
        case 'friends':
          query = sql`select followee_id as id, ${epochMs(sql`friends_since`)} as at from social.follows
            where follower_id = ${userId}::uuid and friends_since is not null
            ${before(sql`friends_since`, sql`followee_id`, after)} order by friends_since desc, followee_id desc limit ${limit}`;
          break;
      }
      return timed(await rows<{ id: string; at: number }>(db, query));
    },

    /** Which of `followeeIds` the follower follows. */
    async followedAmong(followerId: string, followeeIds: readonly string[]): Promise<Set<string>> {
      const found = await rows<{ id: string }>(db, sql`
        select followee_id as id from social.follows where follower_id = ${followerId}::uuid and followee_id = any(${uuids(followeeIds)})`);
      return new Set(found.map((r) => r.id));
    },

    /** Which of `followerIds` follow the followee. */
    async followersAmong(followeeId: string, followerIds: readonly string[]): Promise<Set<string>> {
      const found = await rows<{ id: string }>(db, sql`
        select follower_id as id from social.follows where followee_id = ${followeeId}::uuid and follower_id = any(${uuids(followerIds)})`);
      return new Set(found.map((r) => r.id));
    },

    /** Everyone who follows a user (a fan-out reads them; the pushed authors have few). */
    async followerIds(userId: string): Promise<string[]> {
      const found = await rows<{ id: string }>(db, sql`select follower_id as id from social.follows where followee_id = ${userId}::uuid`);
      return found.map((r) => r.id);
    },

    // ------------------------------------------------------------------- feed

    /** The inbox generation (0 before any failure). */
    async feedEpoch(): Promise<number> {
      const [row] = await rows<{ epoch: number }>(db, sql`select epoch::float8 as epoch from social.feed_state where id = 1`);
      return row?.epoch ?? 0;
    },

    /** Invalidates every inbox: they are rebuilt from Postgres on their next read. */
    async bumpFeedEpoch(): Promise<void> {
      await db.execute(sql`insert into social.feed_state (id, epoch) values (1, 1)
        on conflict (id) do update set epoch = social.feed_state.epoch + 1`);
    },

    /** An author's newest listed, pushed posts (a follow back-fills them; an unfollow removes them). */
    async pushedPostsOf(authorId: string, limit: number): Promise<TimedId[]> {
      return timed(await rows<{ id: string; at: number }>(db, sql`
        select p.id, ${epochMs(sql`p.published_at`)} as at from social.posts p
         where p.author_id = ${authorId}::uuid and p.pushed and not p.anonymous and ${LISTED}
         order by p.published_at desc, p.id desc limit ${limit}`));
    },

    /** A reader's inbox as Postgres sees it: the newest pushed posts of everyone they follow. */
    async inboxSeed(viewerId: string, limit: number): Promise<TimedId[]> {
      return timed(await rows<{ id: string; at: number }>(db, sql`
        select p.id, ${epochMs(sql`p.published_at`)} as at from social.posts p
         where p.author_id in (select followee_id from social.follows where follower_id = ${viewerId}::uuid)
           and p.pushed and not p.anonymous and ${LISTED}
         order by p.published_at desc, p.id desc limit ${limit}`));
    },

    /**
     * One page of a feed in one statement: the inbox candidates still listed and still followed,
     * merged with the pulled posts (authors above the fan-out threshold, read from their own
     * recent posts) and, where the inbox cannot answer, pushed posts from Postgres.
     */
    async feedPage(q: FeedQuery): Promise<TimedId[]> {
      const followed = sql`select followee_id from social.follows where follower_id = ${q.viewerId}::uuid`;
      const recentOf = (extra: SQL) => sql`
        select x.id, x.published_at from social.follows f cross join lateral (
          select p.id, p.published_at from social.posts p
           where p.author_id = f.followee_id and not p.anonymous and ${LISTED} and ${extra}
             ${before(sql`p.published_at`, sql`p.id`, q.after)}
           order by p.published_at desc, p.id desc limit ${q.limit}) x
         where f.follower_id = ${q.viewerId}::uuid`;
      const parts: SQL[] = [recentOf(sql`p.pushed = false`)];
      if (q.candidates.length > 0) {
        parts.push(sql`
          select p.id, p.published_at from social.posts p
           where p.id = any(${uuids(q.candidates)}) and not p.anonymous and ${LISTED}
             and p.author_id in (${followed})`);
      }
      if (q.pushed.from === 'below') {
        parts.push(recentOf(sql`p.pushed and p.published_at <= ${ts(new Date(q.pushed.floor))}`));
      } else if (q.pushed.from === 'all') {
        parts.push(recentOf(sql`p.pushed`));
      }
      return timed(await rows<{ id: string; at: number }>(db, sql`
        select id, ${epochMs(sql`published_at`)} as at from (${sql.join(parts, sql` union `)}) page
         order by published_at desc, id desc limit ${q.limit}`));
    },

    // -------------------------------------------------------------- hot list

    /** Listed posts with any points published since `since`, highest rank first (rebuilding the hot list). */
    async hotCandidates(since: Date, limit: number, halfLifeHours: number): Promise<(PostCounters & { id: string })[]> {
      const found = await rows<PostCountersRow>(db, sql`
        select ${POST_COUNTER_COLUMNS} from social.posts p
         where ${LISTED} and p.published_at >= ${ts(since)} and ${HOT_POINTS} > 0
         order by ${hotRankSql(halfLifeHours)} desc, p.id desc
         limit ${limit}`);
      return found.map((r) => ({ id: r.id, ...toPostCounters(r) }));
    },

    /** A page of the hot list computed by Postgres alone (Redis unavailable), keyset on (rank, id). */
    async hotPage(since: Date, limit: number, halfLifeHours: number, after?: { rank: number; id: string }): Promise<{ id: string; rank: number }[]> {
      const rank = hotRankSql(halfLifeHours);
      return rows<{ id: string; rank: number }>(db, sql`
        select p.id, ${rank} as rank from social.posts p
         where ${LISTED} and p.published_at >= ${ts(since)} and ${HOT_POINTS} > 0
           ${after ? sql`and (${rank}, p.id) < (${after.rank}::float8, ${after.id}::uuid)` : sql``}
         order by rank desc, p.id desc limit ${limit}`);
    },

    /** Which of the ids are listed posts (the hot list and its snapshots may hold posts deleted since). */
    async listedAmong(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const found = await rows<{ id: string }>(db, sql`select p.id from social.posts p where p.id = any(${uuids(ids)}) and ${LISTED}`);
      return new Set(found.map((r) => r.id));
    },
  };
}

export type SocialStore = ReturnType<typeof createSocialStore>;
