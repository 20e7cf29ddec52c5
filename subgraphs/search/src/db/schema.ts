import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, doublePrecision, index, integer, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { defineConsumerTables, defineOutboxTable } from '@plaza/common';

/**
 * The search index: built only from events (identity's users, content's posts and comments,
 * social's reactions and follows), never from another subgraph's tables. Everything here can be
 * rebuilt from the topics (`npm run search:reindex`).
 */
export const search = pgSchema('search');

/** Pre-analysed terms with positions and weights (written as a tsvector literal, never parsed from text). */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

const tz = { withTimezone: true } as const;

export const { consumerOffsets, deadLetters } = defineConsumerTables(search);

/**
 * Search publishes no events, but the shared runtime runs an outbox relay for every subgraph's
 * schema: the table exists so the relay finds it, and stays empty.
 */
export const outbox = defineOutboxTable(search);

/**
 * One row per post ever seen. Only `searchable` rows (published, public, not deleted) are found;
 * the others are tombstones that keep the version, so a replayed older event cannot bring back a
 * deleted or privatised post, and they hold no text.
 */
export const posts = search.table(
  'posts',
  {
    postId: text('post_id').primaryKey(),
    /** Null for anonymous posts: nothing here links them to their author. */
    authorId: text('author_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    tags: text('tags').array().notNull(),
    publishedAt: timestamp('published_at', tz),
    /** The post's `updatedAt` (or `deletedAt`) of the newest event applied: older events are ignored. */
    version: timestamp('version', tz).notNull(),
    searchable: boolean('searchable').notNull(),
    /** Copied from `post_stats` (which counts even before the post is seen), for ranking. */
    likes: integer('likes').notNull().default(0),
    comments: integer('comments').notNull().default(0),
    /**
     * The query-independent part of the ranking, precomputed by the indexer: log2 of popularity
     * × 2^(published / recency half-life), so ordering by it orders posts by popularity ×
     * recency. A broad query ranks only its best candidates by it (README, Ranking).
     */
    rankKey: doublePrecision('rank_key').notNull().default(0),
    vector: tsvector('vector').notNull(),
  },
  (t) => [
    index('posts_vector_idx').using('gin', t.vector).where(sql`${t.searchable}`),
    index('posts_rank_key_idx').on(t.rankKey.desc()).where(sql`${t.searchable}`),
  ],
);

/**
 * Likes and live comments per post, whatever the post's state (counts can arrive before the
 * post): sums of +1/−1 events, so a transiently negative sum (an unlike seen before its like)
 * still ends right; the ranking copies are clamped at 0.
 */
export const postStats = search.table('post_stats', {
  postId: text('post_id').primaryKey(),
  likes: integer('likes').notNull().default(0),
  comments: integer('comments').notNull().default(0),
});

export const users = search.table(
  'users',
  {
    userId: text('user_id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    bio: text('bio').notNull(),
    /** `updatedAt` (or `createdAt`) of the newest event applied. */
    version: timestamp('version', tz).notNull(),
    /** Copied from `user_stats`, for ranking. */
    followers: integer('followers').notNull().default(0),
    vector: tsvector('vector').notNull(),
  },
  (t) => [index('users_vector_idx').using('gin', t.vector)],
);

export const userStats = search.table('user_stats', {
  userId: text('user_id').primaryKey(),
  followers: integer('followers').notNull().default(0),
});

/** Tags of searchable posts, with how many use each (a tag with none is not found). */
export const tags = search.table(
  'tags',
  {
    name: text('name').primaryKey(),
    postCount: integer('post_count').notNull().default(0),
    vector: tsvector('vector').notNull(),
  },
  (t) => [index('tags_vector_idx').using('gin', t.vector).where(sql`${t.postCount} > 0`)],
);

/**
 * Completions for `searchSuggestions`: tag names, usernames and display names, and the words of
 * searchable posts' titles, keyed as normalised (simplified, lower case), with their pinyin
 * readings; `refs` counts the posts and users that use each (most popular first).
 */
export const terms = search.table(
  'terms',
  {
    key: text('key').primaryKey(),
    /** As last written (網關, GraphQL): what a suggestion shows. */
    display: text('display').notNull(),
    /** Full pinyin without tones or spaces (`wangguan`); null for non-Chinese terms. */
    pinyin: text('pinyin'),
    /** Pinyin initials (`wg`). */
    initials: text('initials'),
    refs: integer('refs').notNull().default(0),
  },
  // No `refs` in any index (not even a partial one's predicate): counting a use is then a HOT
  // update, which touches no index, and indexing a post updates thousands of terms.
  (t) => [
    index('terms_key_prefix_idx').on(t.key.op('text_pattern_ops')),
    index('terms_pinyin_prefix_idx').on(t.pinyin.op('text_pattern_ops')),
    index('terms_initials_prefix_idx').on(t.initials.op('text_pattern_ops')),
  ],
);

/**
 * Ids of the counting events applied (likes, comments, follows): counts change by one per event,
 * so an event published twice (an outbox relay retry) must count once. Kept a week.
 */
export const countedEvents = search.table(
  'counted_events',
  {
    eventId: text('event_id').primaryKey(),
    countedAt: timestamp('counted_at', tz).notNull().defaultNow(),
  },
  (t) => [index('counted_events_at_idx').on(t.countedAt)],
);

/** Per-table facts for the reindex command: when the live index was last rebuilt. */
export const indexState = search.table(
  'index_state',
  {
    name: text('name').notNull(),
    generation: integer('generation').notNull(),
    rebuiltAt: timestamp('rebuilt_at', tz).notNull().defaultNow(),
    /** Events the rebuild applied. */
    events: bigint('events', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.name] })],
);
