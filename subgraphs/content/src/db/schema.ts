import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { defineOutboxTable } from '@plaza/common';

export const content = pgSchema('content');

export const postStatus = content.enum('post_status', ['DRAFT', 'PUBLISHED']);
export const visibility = content.enum('visibility', ['PUBLIC', 'PRIVATE']);

/**
 * Millisecond timestamps: cursors carry JavaScript dates (ms), so a sort key stored with
 * microseconds would compare unequal to its own cursor and repeat the row on the next page.
 */
const ms = { withTimezone: true, precision: 3 } as const;

export const posts = content.table(
  'posts',
  {
    id: uuid('id').primaryKey(),
    /** Kept for anonymous posts too, but never sent out of the subgraph for them. */
    authorId: uuid('author_id').notNull(),
    anonymous: boolean('anonymous').notNull().default(false),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** Normalised tag names in the author's order; `post_tags` indexes the listed ones. */
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    mediaUrls: text('media_urls').array().notNull().default(sql`'{}'::text[]`),
    status: postStatus('status').notNull(),
    visibility: visibility('visibility').notNull().default('PUBLIC'),
    /** Comments that are not deleted, replies included; kept in the comment's transaction. */
    commentCount: integer('comment_count').notNull().default(0),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', ms).notNull().defaultNow(),
    /** Set once, by the first publish. */
    publishedAt: timestamp('published_at', ms),
    /** Soft delete: a deleted post is on no read path, but events and moderation can refer to it. */
    deletedAt: timestamp('deleted_at', ms),
  },
  (t) => [
    // The latest-posts list: published, public, not deleted, newest first. NULLS FIRST is what a
    // plain `order by … desc` means; with drizzle's default NULLS LAST the index gives no order.
    index('posts_listed_idx')
      .on(t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.status} = 'PUBLISHED' and ${t.visibility} = 'PUBLIC' and ${t.deletedAt} is null`),
    // One author's list and count: anonymous posts are never listed under their author.
    index('posts_author_listed_idx')
      .on(t.authorId, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(
        sql`${t.status} = 'PUBLISHED' and ${t.visibility} = 'PUBLIC' and ${t.deletedAt} is null and not ${t.anonymous}`,
      ),
    // An author's own drafts, newest first.
    index('posts_author_drafts_idx')
      .on(t.authorId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.status} = 'DRAFT' and ${t.deletedAt} is null`),
    check('posts_published_at_check', sql`${t.status} = 'DRAFT' or ${t.publishedAt} is not null`),
  ],
);

/**
 * Listed posts (published, public, not deleted) by tag, with the post's sort key copied in, so a
 * tag's page is one index range scan and its count one index count. Rewritten with the post in
 * every transaction that changes it.
 */
export const postTags = content.table(
  'post_tags',
  {
    tag: text('tag').notNull(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    publishedAt: timestamp('published_at', ms).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.postId, t.tag] }),
    index('post_tags_tag_idx').on(t.tag, t.publishedAt.desc().nullsFirst(), t.postId.desc().nullsFirst()),
  ],
);

/**
 * Comments in two levels: a root (`rootId` null) and its thread. A reply to a reply joins the
 * same root's thread; `parentId` keeps the comment it answers.
 */
export const comments = content.table(
  'comments',
  {
    id: uuid('id').primaryKey(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    rootId: uuid('root_id'),
    parentId: uuid('parent_id'),
    /** Kept for anonymous comments too (for deletion rights), never sent out for them. */
    authorId: uuid('author_id').notNull(),
    anonymous: boolean('anonymous').notNull().default(false),
    /** The author's pseudonym on this post, copied from `pseudonyms` when anonymous. */
    pseudonym: text('pseudonym'),
    /** Emptied when deleted. */
    body: text('body').notNull(),
    /** Replies of a root that are not deleted; kept in the reply's transaction. */
    replyCount: integer('reply_count').notNull().default(0),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', ms),
  },
  (t) => [
    foreignKey({ columns: [t.rootId], foreignColumns: [t.id] }),
    foreignKey({ columns: [t.parentId], foreignColumns: [t.id] }),
    // A post's roots, oldest first. Partial rather than (post_id, root_id, …): an `is null` test
    // on a middle column does not let Postgres read the rest of the index in order.
    index('comments_post_roots_idx').on(t.postId, t.createdAt, t.id).where(sql`${t.rootId} is null`),
    // A root's replies, oldest first: the replies loader's window function reads this.
    index('comments_root_idx').on(t.rootId, t.createdAt, t.id).where(sql`${t.rootId} is not null`),
    check('comments_thread_check', sql`(${t.rootId} is null) = (${t.parentId} is null)`),
  ],
);

/**
 * One pseudonym per (post, anonymous commenter). Ordinal 0 is the post's author ("洞主", the
 * tree hollow's host); others count up in order of their first anonymous comment.
 */
export const pseudonyms = content.table(
  'pseudonyms',
  {
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    ordinal: integer('ordinal').notNull(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.postId, t.userId] }),
    unique('pseudonyms_post_ordinal_key').on(t.postId, t.ordinal),
    unique('pseudonyms_post_name_key').on(t.postId, t.name),
  ],
);

export const outbox = defineOutboxTable(content);

export type PostRow = typeof posts.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export type PostStatus = (typeof postStatus.enumValues)[number];
export type Visibility = (typeof visibility.enumValues)[number];
