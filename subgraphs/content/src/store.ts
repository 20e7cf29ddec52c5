import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { createStoreBase, type Pool, type StoreDb, type StoreTx } from '@plaza/common';
import * as schema from './db/schema.js';
import { comments, outbox, posts, postTags, pseudonyms, type CommentRow, type PostRow } from './db/schema.js';

export type ContentDb = StoreDb<typeof schema>;
export type ContentTx = StoreTx<typeof schema>;
type Db = ContentDb | ContentTx;

export type { CommentRow, PostRow };

/** A keyset position: the sort key of the last row of the previous page. */
export interface Keyset {
  at: Date;
  id: string;
}

export interface PostListOptions {
  /** Rows to fetch: a page size plus one, to learn whether a next page exists. */
  limit: number;
  after?: Keyset | undefined;
  tag?: string | undefined;
  authorId?: string | undefined;
}

/** Published, public, not deleted: the posts every list may show (matches the partial indexes). */
const listed = and(eq(posts.status, 'PUBLISHED'), eq(posts.visibility, 'PUBLIC'), isNull(posts.deletedAt))!;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const uuidParam = (id: string) => sql`${id}::uuid`;

const postColumns = getTableColumns(posts);

/**
 * Every read and write of the content schema. `onEventsCommitted` runs after a transaction that
 * wrote events commits (to wake the outbox relay).
 */
export function createContentStore(pool: Pool, onEventsCommitted?: () => void) {
  const { db, transaction, enqueue } = createStoreBase({ pool, schema, outbox, onEventsCommitted });

  return {
    transaction,

    // ------------------------------------------------------------------ posts

    /** Posts that are not deleted, in any order. */
    postsByIds: (ids: readonly string[]) =>
      db.select().from(posts).where(and(inArray(posts.id, [...ids]), isNull(posts.deletedAt))),

    /** Locks a live post for the rest of the transaction; every write to a post or its comments starts here. */
    async lockPost(tx: ContentTx, id: string): Promise<PostRow | null> {
      const [row] = await tx
        .select()
        .from(posts)
        .where(and(eq(posts.id, id), isNull(posts.deletedAt)))
        .for('no key update');
      return row ?? null;
    },

    /** A post published at insertion gets the transaction's time as publishedAt, unless given. */
    async insertPost(tx: Db, row: typeof posts.$inferInsert): Promise<PostRow> {
      const publishedAt = row.publishedAt ?? (row.status === 'PUBLISHED' ? sql`now()` : null);
      const [inserted] = await tx
        .insert(posts)
        .values({ ...row, publishedAt })
        .returning();
      return inserted!;
    },

    async updatePost(
      tx: Db,
      id: string,
      patch: Partial<Pick<PostRow, 'title' | 'body' | 'tags' | 'mediaUrls' | 'visibility'>> & {
        publish?: boolean;
        delete?: boolean;
      },
    ): Promise<PostRow> {
      const { publish, delete: remove, ...fields } = patch;
      const [row] = await tx
        .update(posts)
        .set({
          ...fields,
          ...(remove ? { deletedAt: sql`now()` } : { updatedAt: sql`now()` }),
          // Set once: publishing again never moves a post up the list.
          ...(publish ? { status: 'PUBLISHED' as const, publishedAt: sql`coalesce(${posts.publishedAt}, now())` } : {}),
        })
        .where(eq(posts.id, id))
        .returning();
      return row!;
    },

    /** Rewrites a post's rows in `post_tags`: one per tag while the post is listed, none otherwise. */
    async syncPostTags(tx: Db, post: PostRow): Promise<void> {
      await tx.delete(postTags).where(eq(postTags.postId, post.id));
      const { publishedAt } = post;
      const isListed = post.status === 'PUBLISHED' && post.visibility === 'PUBLIC' && post.deletedAt === null;
      if (!isListed || publishedAt === null || post.tags.length === 0) return;
      await tx.insert(postTags).values(post.tags.map((tag) => ({ tag, postId: post.id, publishedAt })));
    },

    /** Listed posts, newest first by (publishedAt, id); anonymous ones are never under an author. */
    async listPosts(opts: PostListOptions): Promise<PostRow[]> {
      const byAuthor = opts.authorId
        ? and(eq(posts.authorId, opts.authorId), eq(posts.anonymous, false))
        : undefined;
      if (opts.tag !== undefined) {
        // post_tags holds listed posts only, with their sort key: one index range per page.
        return db
          .select(postColumns)
          .from(postTags)
          .innerJoin(posts, eq(posts.id, postTags.postId))
          .where(
            and(
              eq(postTags.tag, opts.tag),
              byAuthor,
              opts.after
                ? sql`(${postTags.publishedAt}, ${postTags.postId}) < (${ts(opts.after.at)}, ${uuidParam(opts.after.id)})`
                : undefined,
            ),
          )
          .orderBy(desc(postTags.publishedAt), desc(postTags.postId))
          .limit(opts.limit);
      }
      return db
        .select()
        .from(posts)
        .where(
          and(
            listed,
            byAuthor,
            opts.after
              ? sql`(${posts.publishedAt}, ${posts.id}) < (${ts(opts.after.at)}, ${uuidParam(opts.after.id)})`
              : undefined,
          ),
        )
        .orderBy(desc(posts.publishedAt), desc(posts.id))
        .limit(opts.limit);
    },

    /** An author's drafts, newest first by (createdAt, id). */
    listDrafts: (authorId: string, limit: number, after?: Keyset) =>
      db
        .select()
        .from(posts)
        .where(
          and(
            eq(posts.authorId, authorId),
            eq(posts.status, 'DRAFT'),
            isNull(posts.deletedAt),
            after ? sql`(${posts.createdAt}, ${posts.id}) < (${ts(after.at)}, ${uuidParam(after.id)})` : undefined,
          ),
        )
        .orderBy(desc(posts.createdAt), desc(posts.id))
        .limit(limit),

    /** Listed, non-anonymous posts per author (the public `User.postCount`). */
    postCountsByAuthor: (authorIds: readonly string[]) =>
      db
        .select({ key: posts.authorId, count: sql<number>`count(*)::int` })
        .from(posts)
        .where(and(listed, eq(posts.anonymous, false), inArray(posts.authorId, [...authorIds])))
        .groupBy(posts.authorId),

    /** Listed posts per tag. */
    postCountsByTag: (tags: readonly string[]) =>
      db
        .select({ key: postTags.tag, count: sql<number>`count(*)::int` })
        .from(postTags)
        .where(inArray(postTags.tag, [...tags]))
        .groupBy(postTags.tag),

    // --------------------------------------------------------------- comments

    commentsByIds: (ids: readonly string[]) => db.select().from(comments).where(inArray(comments.id, [...ids])),

    async commentById(tx: Db, id: string): Promise<CommentRow | null> {
      const [row] = await tx.select().from(comments).where(eq(comments.id, id));
      return row ?? null;
    },

    /** A post's root comments, oldest first by (createdAt, id). */
    rootComments: (postId: string, limit: number, after?: Keyset) =>
      db
        .select()
        .from(comments)
        .where(
          and(
            eq(comments.postId, postId),
            isNull(comments.rootId),
            after ? sql`(${comments.createdAt}, ${comments.id}) > (${ts(after.at)}, ${uuidParam(after.id)})` : undefined,
          ),
        )
        .orderBy(asc(comments.createdAt), asc(comments.id))
        .limit(limit),

    /** One thread's replies after a position, oldest first. */
    replies: (rootId: string, limit: number, after?: Keyset) =>
      db
        .select()
        .from(comments)
        .where(
          and(
            eq(comments.rootId, rootId),
            after ? sql`(${comments.createdAt}, ${comments.id}) > (${ts(after.at)}, ${uuidParam(after.id)})` : undefined,
          ),
        )
        .orderBy(asc(comments.createdAt), asc(comments.id))
        .limit(limit),

    /**
     * The first `perRoot` replies of each of many threads in one query: the replies are numbered
     * per thread by a window function and cut at `perRoot`.
     */
    async firstRepliesOfRoots(rootIds: readonly string[], perRoot: number): Promise<CommentRow[]> {
      const ranked = db
        .select({
          ...getTableColumns(comments),
          rank: sql<number>`row_number() over (partition by ${comments.rootId} order by ${comments.createdAt}, ${comments.id})`.as(
            'rank',
          ),
        })
        .from(comments)
        .where(inArray(comments.rootId, [...rootIds]))
        .as('ranked');
      const rows = await db
        .select()
        .from(ranked)
        .where(lte(ranked.rank, perRoot))
        .orderBy(asc(ranked.rootId), asc(ranked.createdAt), asc(ranked.id));
      return rows.map(({ rank: _rank, ...row }) => row);
    },

    async insertComment(tx: Db, row: typeof comments.$inferInsert): Promise<CommentRow> {
      const [inserted] = await tx.insert(comments).values(row).returning();
      return inserted!;
    },

    /** Marks a comment deleted and empties its body; null when it already was. */
    async softDeleteComment(tx: Db, id: string): Promise<CommentRow | null> {
      const [row] = await tx
        .update(comments)
        .set({ deletedAt: sql`now()`, body: '' })
        .where(and(eq(comments.id, id), isNull(comments.deletedAt)))
        .returning();
      return row ?? null;
    },

    /** Moves the denormalised counters of a post (and of the thread's root, for a reply). */
    async adjustCommentCounts(tx: Db, postId: string, rootId: string | null, delta: 1 | -1): Promise<void> {
      await tx
        .update(posts)
        .set({ commentCount: sql`${posts.commentCount} + ${delta}` })
        .where(eq(posts.id, postId));
      if (rootId) {
        await tx
          .update(comments)
          .set({ replyCount: sql`${comments.replyCount} + ${delta}` })
          .where(eq(comments.id, rootId));
      }
    },

    // ------------------------------------------------------------- pseudonyms

    /**
     * Serialises pseudonym assignment on one post until the transaction ends: whoever holds it
     * reads the post's pseudonyms after every earlier assignment has committed.
     */
    async lockPseudonyms(tx: ContentTx, postId: string): Promise<void> {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`content.pseudonym:${postId}`}, 0))`);
    },

    async pseudonymOf(tx: Db, postId: string, userId: string): Promise<string | null> {
      const [row] = await tx
        .select({ name: pseudonyms.name })
        .from(pseudonyms)
        .where(and(eq(pseudonyms.postId, postId), eq(pseudonyms.userId, userId)));
      return row?.name ?? null;
    },

    /** The next free ordinal after the host's 0. */
    async nextPseudonymOrdinal(tx: Db, postId: string): Promise<number> {
      const [row] = await tx
        .select({ max: sql<number>`coalesce(max(${pseudonyms.ordinal}), 0)::int` })
        .from(pseudonyms)
        .where(and(eq(pseudonyms.postId, postId), gt(pseudonyms.ordinal, 0)));
      return (row?.max ?? 0) + 1;
    },

    async insertPseudonym(tx: Db, row: typeof pseudonyms.$inferInsert): Promise<void> {
      await tx.insert(pseudonyms).values(row);
    },

    enqueue,
  };
}

export type ContentStore = ReturnType<typeof createContentStore>;
