import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  errors,
  newId,
  pageSize,
  parseInput,
  toConnection,
  type Connection,
  type Viewer,
} from '@plaza/common';
import type { CommentRow, ContentStore, ContentTx, PostRow } from '../store.js';
import { commentAdded, commentDeleted } from './events.js';
import { pseudonymName } from './pseudonyms.js';
import { AddCommentInputSchema } from './validation.js';
import { canSeePost } from './visibility.js';

export interface CommentsDeps {
  store: ContentStore;
}

const ROOT_CURSOR = 'comment';
const REPLY_CURSOR = 'reply';

export const rootCursor = (c: CommentRow): string => encodeTimeIdCursor(ROOT_CURSOR, c.createdAt, c.id);
export const replyCursor = (c: CommentRow): string => encodeTimeIdCursor(REPLY_CURSOR, c.createdAt, c.id);

export interface AddCommentArgs {
  postId: string;
  parentId: string | null;
  body: unknown;
  anonymous: unknown;
}

/** Threaded comments and the tree-hollow pseudonyms, independent of GraphQL. */
export function createComments(deps: CommentsDeps) {
  const { store } = deps;

  /**
   * The viewer's pseudonym on a post, assigned on their first anonymous comment. The caller holds
   * the post's pseudonym lock, so this read-then-insert cannot race another assignment.
   */
  async function assignPseudonym(tx: ContentTx, post: PostRow, userId: string): Promise<string> {
    const existing = await store.pseudonymOf(tx, post.id, userId);
    if (existing !== null) return existing;
    const ordinal = userId === post.authorId ? 0 : await store.nextPseudonymOrdinal(tx, post.id);
    const name = pseudonymName(ordinal);
    await store.insertPseudonym(tx, { postId: post.id, userId, ordinal, name });
    return name;
  }

  return {
    async add(viewer: Viewer, args: AddCommentArgs): Promise<CommentRow> {
      const input = parseInput(AddCommentInputSchema, { body: args.body, anonymous: args.anonymous }, 'input');
      return store.transaction(async (tx) => {
        // Lock order for every comment write: pseudonym lock, then the post's row.
        if (input.anonymous) await store.lockPseudonyms(tx, args.postId);
        const post = await store.lockPost(tx, args.postId);
        if (!post || !canSeePost(post, viewer.userId)) throw errors.notFound('Post');
        if (post.status !== 'PUBLISHED') throw errors.badInput('input.postId', 'the post is not published yet');
        let rootId: string | null = null;
        if (args.parentId !== null) {
          const parent = await store.commentById(tx, args.parentId);
          if (!parent) throw errors.notFound('Comment');
          if (parent.postId !== post.id) throw errors.badInput('input.parentId', 'is not a comment of this post');
          if (parent.deletedAt !== null) throw errors.badInput('input.parentId', 'the comment was deleted');
          rootId = parent.rootId ?? parent.id;
        }
        const pseudonym = input.anonymous ? await assignPseudonym(tx, post, viewer.userId) : null;
        const row = await store.insertComment(tx, {
          id: newId(),
          postId: post.id,
          rootId,
          parentId: args.parentId,
          authorId: viewer.userId,
          anonymous: input.anonymous,
          pseudonym,
          body: input.body,
        });
        await store.adjustCommentCounts(tx, post.id, rootId, 1);
        await store.enqueue(tx, [commentAdded(row)]);
        return row;
      });
    },

    /**
     * Soft-deletes a comment (its author or the post's author may): the body is emptied, author
     * and pseudonym are hidden, and its replies stay. Deleting a deleted comment changes nothing.
     */
    async remove(viewer: Viewer, id: string): Promise<boolean> {
      await store.transaction(async (tx) => {
        const found = await store.commentById(tx, id);
        if (!found) throw errors.notFound('Comment');
        const post = await store.lockPost(tx, found.postId);
        if (!post || !canSeePost(post, viewer.userId)) throw errors.notFound('Comment');
        if (found.authorId !== viewer.userId && post.authorId !== viewer.userId) {
          throw errors.forbidden('Only the comment’s author or the post’s author may delete it.');
        }
        const deleted = await store.softDeleteComment(tx, id);
        if (!deleted) return;
        await store.adjustCommentCounts(tx, post.id, deleted.rootId, -1);
        await store.enqueue(tx, [commentDeleted(deleted)]);
      });
      return true;
    },

    /** A post's root comments, oldest first. */
    async roots(postId: string, args: { first?: number | null; after?: string | null }): Promise<Connection<CommentRow>> {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeTimeIdCursor(ROOT_CURSOR, args.after) : undefined;
      return toConnection(await store.rootComments(postId, first + 1, after), first, rootCursor);
    },

    /** A thread's replies after a cursor, oldest first (the first page comes from the replies loader). */
    async repliesAfter(rootId: string, first: number, after: string): Promise<Connection<CommentRow>> {
      const position = decodeTimeIdCursor(REPLY_CURSOR, after);
      return toConnection(await store.replies(rootId, first + 1, position), first, replyCursor);
    },
  };
}

export type Comments = ReturnType<typeof createComments>;
