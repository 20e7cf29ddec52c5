import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgSchema, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { defineConsumerTables, defineOutboxTable } from '@plaza/common';

export const social = pgSchema('social');

export const postStatus = social.enum('post_status', ['DRAFT', 'PUBLISHED']);
export const visibility = social.enum('visibility', ['PUBLIC', 'PRIVATE']);

/**
 * Millisecond timestamps: cursors carry JavaScript dates (ms), so a sort key stored with
 * microseconds would compare unequal to its own cursor and repeat the row on the next page.
 */
const ms = { withTimezone: true, precision: 3 } as const;

/** Users social knows of: its projection of identity's `user.registered` events. */
export const users = social.table('users', {
  id: uuid('id').primaryKey(),
  registeredAt: timestamp('registered_at', ms).notNull(),
});

/**
 * One row per post: the projection of content's `post.*` events (who may see it, when it was
 * published) and the post's durable counters. The counters are written only by the consumers,
 * once per applied batch; `version` goes up with every write, so Redis can refuse an older copy.
 * A row can exist before its projection does (a view counted for a post whose `post.published`
 * has not been applied): `status` is null until then, and such a post is visible to nobody.
 */
export const posts = social.table(
  'posts',
  {
    id: uuid('id').primaryKey(),
    /** Null for anonymous posts: content never sends their author, so social cannot link them. */
    authorId: uuid('author_id'),
    anonymous: boolean('anonymous').notNull().default(false),
    status: postStatus('status'),
    visibility: visibility('visibility'),
    publishedAt: timestamp('published_at', ms),
    deletedAt: timestamp('deleted_at', ms),
    /**
     * How followers get the post, decided once when it is first listed: true when its author had
     * fewer followers than the fan-out threshold (pushed into their inboxes), false when they had
     * more (pulled at read time). Null until listed.
     */
    pushed: boolean('pushed'),
    likes: integer('likes').notNull().default(0),
    bookmarks: integer('bookmarks').notNull().default(0),
    views: bigint('views', { mode: 'number' }).notNull().default(0),
    /** Comments that are not deleted, replies included (content's `comment.*` events). */
    comments: integer('comments').notNull().default(0),
    version: bigint('version', { mode: 'number' }).notNull().default(1),
  },
  (t) => [
    // The feed: one author's listed, non-anonymous posts, newest first, pushed and pulled apart.
    index('posts_author_feed_idx')
      .on(t.authorId, t.pushed, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.status} = 'PUBLISHED' and ${t.visibility} = 'PUBLIC' and ${t.deletedAt} is null and not ${t.anonymous}`),
    // Rebuilding the hot list: listed posts of the last week.
    index('posts_listed_recent_idx')
      .on(t.publishedAt)
      .where(sql`${t.status} = 'PUBLISHED' and ${t.visibility} = 'PUBLIC' and ${t.deletedAt} is null`),
  ],
);

/** Who follows whom. `friendsSince` is set on both rows while the follow is mutual. */
export const follows = social.table(
  'follows',
  {
    followerId: uuid('follower_id').notNull(),
    followeeId: uuid('followee_id').notNull(),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
    friendsSince: timestamp('friends_since', ms),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId] }),
    index('follows_following_idx').on(t.followerId, t.createdAt.desc().nullsFirst(), t.followeeId.desc().nullsFirst()),
    index('follows_followers_idx').on(t.followeeId, t.createdAt.desc().nullsFirst(), t.followerId.desc().nullsFirst()),
    index('follows_friends_idx')
      .on(t.followerId, t.friendsSince.desc().nullsFirst(), t.followeeId.desc().nullsFirst())
      .where(sql`${t.friendsSince} is not null`),
  ],
);

/** Likes: the primary key is the source of truth (one like per user and post). */
export const likes = social.table(
  'likes',
  {
    userId: uuid('user_id').notNull(),
    postId: uuid('post_id').notNull(),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.postId] }),
    index('likes_user_recent_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.postId.desc().nullsFirst()),
  ],
);

/** Bookmarks, like likes. */
export const bookmarks = social.table(
  'bookmarks',
  {
    userId: uuid('user_id').notNull(),
    postId: uuid('post_id').notNull(),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.postId] }),
    index('bookmarks_user_recent_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.postId.desc().nullsFirst()),
  ],
);

/** Durable counters of users, written only by the counters consumer. */
export const userCounters = social.table('user_counters', {
  userId: uuid('user_id').primaryKey(),
  followers: integer('followers').notNull().default(0),
  following: integer('following').notNull().default(0),
  likesReceived: integer('likes_received').notNull().default(0),
  version: bigint('version', { mode: 'number' }).notNull().default(1),
});

/**
 * Counter changes on their way through Kafka: a like, bookmark or follow writes its rows here in
 * the transaction that changes the state and enqueues the event. The counters consumer applies an
 * event by deleting its rows and adding their deltas to the durable counters in one transaction,
 * so an event delivered twice (a relay retry, a redelivered batch) finds nothing left to apply.
 * Until then, durable + pending is the exact count (what a mutation's own answer shows).
 */
export const pendingCounts = social.table(
  'pending_counts',
  {
    eventId: uuid('event_id').notNull(),
    /** A post id (`likes`, `bookmarks`) or a user id (`followers`, `following`, `likes_received`). */
    subject: uuid('subject').notNull(),
    counter: text('counter').$type<PendingCounter>().notNull(),
    delta: smallint('delta').notNull(),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.counter] }), index('pending_counts_subject_idx').on(t.subject)],
);

/**
 * Counters whose copy in Redis is not known to be current, one row per consumer batch: the
 * transaction that applies a batch records the posts and users whose counters it changed; once the
 * consumer (after its commit) or the maintenance loop has written them to Redis, the row goes. A
 * consumer that crashes between its commit and its Redis write leaves the row, and any instance's
 * maintenance writes those counters a few seconds later: a crash never leaves an old count in
 * Redis. One row per batch, not per counter, so a batch of thousands of posts costs one write.
 */
export const cacheRefresh = social.table(
  'cache_refresh',
  {
    /** The batch: `<consumer>:<topic>:<partition>:<first offset>`. */
    key: text('key').notNull(),
    /** 'p': posts (`posts`), 'u': users (`user_counters`). */
    kind: text('kind').$type<'p' | 'u'>().notNull(),
    ids: uuid('ids').array().notNull(),
    markedAt: timestamp('marked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.key, t.kind] }), index('cache_refresh_marked_idx').on(t.markedAt)],
);

/**
 * The feed's inbox generation: one row. Inboxes in Redis remember the generation they were built
 * in; when a write to Redis that keeps inboxes in step fails (a fan-out, a back-fill), the
 * generation goes up and every inbox is rebuilt from Postgres on its next read.
 */
export const feedState = social.table('feed_state', {
  id: integer('id').primaryKey(),
  epoch: bigint('epoch', { mode: 'number' }).notNull(),
});

export const outbox = defineOutboxTable(social);
export const { consumerOffsets, deadLetters } = defineConsumerTables(social);

export type PendingCounter = 'likes' | 'bookmarks' | 'followers' | 'following' | 'likes_received';
export type PostRow = typeof posts.$inferSelect;
export type UserCountersRow = typeof userCounters.$inferSelect;
