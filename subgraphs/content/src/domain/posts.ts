import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  errors,
  newId,
  pageSize,
  parseId,
  parseInput,
  toConnection,
  type Connection,
  type Viewer,
} from '@plaza/common';
import type { EventData } from '@plaza/events';
import type { ContentStore, ContentTx, PostRow } from '../store.js';
import { postDeleted, postPublished, postUpdated } from './events.js';
import { CreatePostInputSchema, normalizeTag, UpdatePostInputSchema, type UpdatePostInput } from './validation.js';
import { canSeePost } from './visibility.js';

export interface PostsDeps {
  store: ContentStore;
}

/** Cursor kinds: a cursor of one list is refused by another. */
const POST_CURSOR = 'post';
const DRAFT_CURSOR = 'draft';

export const postCursor = (post: PostRow): string => encodeTimeIdCursor(POST_CURSOR, post.publishedAt ?? post.createdAt, post.id);
const draftCursor = (post: PostRow): string => encodeTimeIdCursor(DRAFT_CURSOR, post.createdAt, post.id);

export interface PostListArgs {
  first?: number | null;
  after?: string | null;
  tag?: string | null;
  authorId?: string | null;
}

type Changed = EventData<'post.updated'>['changed'];
type PostPatch = Partial<Pick<PostRow, 'title' | 'body' | 'tags' | 'mediaUrls' | 'visibility'>>;

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The fields an update really changes (omitted, null and equal values change nothing). */
function diffPost(current: PostRow, input: UpdatePostInput): { patch: PostPatch; changed: Changed } {
  const patch: PostPatch = {};
  const changed: Changed = [];
  if (input.title != null && input.title !== current.title) {
    patch.title = input.title;
    changed.push('title');
  }
  if (input.body != null && input.body !== current.body) {
    patch.body = input.body;
    changed.push('body');
  }
  if (input.tags != null && !sameList(input.tags, current.tags)) {
    patch.tags = input.tags;
    changed.push('tags');
  }
  if (input.mediaUrls != null && !sameList(input.mediaUrls, current.mediaUrls)) {
    patch.mediaUrls = input.mediaUrls;
    changed.push('mediaUrls');
  }
  if (input.visibility != null && input.visibility !== current.visibility) {
    patch.visibility = input.visibility;
    changed.push('visibility');
  }
  return { patch, changed };
}

/** Posts: writing, publishing, deleting and listing, independent of GraphQL. */
export function createPosts(deps: PostsDeps) {
  const { store } = deps;

  /**
   * Locks a post the viewer is about to change. A post they cannot see is NOT_FOUND (nothing
   * leaks); one they can see but did not write is FORBIDDEN.
   */
  async function lockOwnPost(tx: ContentTx, viewer: Viewer, id: string): Promise<PostRow> {
    const post = await store.lockPost(tx, id);
    if (!post || !canSeePost(post, viewer.userId)) throw errors.notFound('Post');
    if (post.authorId !== viewer.userId) throw errors.forbidden('Only the author may change this post.');
    return post;
  }

  return {
    async create(viewer: Viewer, rawInput: unknown): Promise<PostRow> {
      const input = parseInput(CreatePostInputSchema, rawInput, 'input');
      return store.transaction(async (tx) => {
        const inserted = await store.insertPost(tx, {
          id: newId(),
          authorId: viewer.userId,
          anonymous: input.anonymous,
          title: input.title,
          body: input.body,
          tags: input.tags,
          mediaUrls: input.mediaUrls,
          status: input.publish ? 'PUBLISHED' : 'DRAFT',
          visibility: input.visibility,
        });
        if (inserted.status === 'PUBLISHED') {
          await store.syncPostTags(tx, inserted);
          await store.enqueue(tx, [postPublished(inserted)]);
        }
        return inserted;
      });
    },

    /** Drafts change silently; a published post's change is a `post.updated` event. */
    async update(viewer: Viewer, id: string, rawInput: unknown): Promise<PostRow> {
      const input = parseInput(UpdatePostInputSchema, rawInput, 'input');
      return store.transaction(async (tx) => {
        const current = await lockOwnPost(tx, viewer, id);
        const { patch, changed } = diffPost(current, input);
        if (changed.length === 0) return current;
        const updated = await store.updatePost(tx, current.id, patch);
        if (changed.includes('tags') || changed.includes('visibility')) await store.syncPostTags(tx, updated);
        if (updated.status === 'PUBLISHED') {
          await store.enqueue(tx, [postUpdated(updated, changed)]);
        }
        return updated;
      });
    },

    /** Publishes a draft; `publishedAt` is set once, and publishing a published post changes nothing. */
    async publish(viewer: Viewer, id: string): Promise<PostRow> {
      return store.transaction(async (tx) => {
        const current = await lockOwnPost(tx, viewer, id);
        if (current.status === 'PUBLISHED') return current;
        const published = await store.updatePost(tx, current.id, { publish: true });
        await store.syncPostTags(tx, published);
        await store.enqueue(tx, [postPublished(published)]);
        return published;
      });
    },

    /** Soft-deletes a post: it leaves every read path at once. */
    async remove(viewer: Viewer, id: string): Promise<boolean> {
      await store.transaction(async (tx) => {
        const current = await lockOwnPost(tx, viewer, id);
        const deleted = await store.updatePost(tx, current.id, { delete: true });
        await store.syncPostTags(tx, deleted);
        // Others never saw a post that was never published; they get no event for it.
        if (deleted.publishedAt !== null) {
          await store.enqueue(tx, [postDeleted(deleted)]);
        }
      });
      return true;
    },

    /** Published public posts, newest first; optionally one tag's and/or one author's (never anonymous ones). */
    async list(args: PostListArgs): Promise<Connection<PostRow>> {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeTimeIdCursor(POST_CURSOR, args.after) : undefined;
      let tag: string | undefined;
      if (args.tag != null) {
        tag = normalizeTag(args.tag) ?? undefined;
        if (tag === undefined) throw errors.badInput('tag', 'not a valid tag');
      }
      const authorId = args.authorId != null ? parseId(args.authorId, 'authorId') : undefined;
      const rows = await store.listPosts({ limit: first + 1, after, tag, authorId });
      return toConnection(rows, first, postCursor);
    },

    /** The viewer's own drafts, newest first. */
    async drafts(viewer: Viewer, args: { first?: number | null; after?: string | null }): Promise<Connection<PostRow>> {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeTimeIdCursor(DRAFT_CURSOR, args.after) : undefined;
      const rows = await store.listDrafts(viewer.userId, first + 1, after);
      return toConnection(rows, first, draftCursor);
    },
  };
}

export type Posts = ReturnType<typeof createPosts>;
