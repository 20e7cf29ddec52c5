import {
  decodeTimeIdCursor,
  emptyConnection,
  encodeTimeIdCursor,
  errors,
  isId,
  pageSize,
  parseId,
  toConnection,
  type Connection,
  type Viewer,
} from '@plaza/common';
import type { CounterCache } from '../cache/counter-cache.js';
import type { PendingRow, ReactionKind, SocialStore, TimedId } from '../store.js';
import { reactionEvent, type ReactionEventType } from './events.js';
import type { PostRef } from './refs.js';
import { canSeePost } from './visibility.js';

export interface ReactionsDeps {
  store: SocialStore;
  /** The request connection's cache: the viewer's flags are set right after a change. */
  cache: CounterCache;
  onRedisError: (err: unknown) => void;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

const EVENT: Record<ReactionKind, { on: ReactionEventType; off: ReactionEventType; flag: 'l' | 'b'; cursor: string }> = {
  likes: { on: 'post.liked', off: 'post.unliked', flag: 'l', cursor: 'liked' },
  bookmarks: { on: 'post.bookmarked', off: 'post.unbookmarked', flag: 'b', cursor: 'bookmarked' },
};

/** Likes and bookmarks: idempotent per (user, post), counted through the outbox and Kafka. */
export function createReactions(deps: ReactionsDeps) {
  const { store, cache } = deps;

  /**
   * Adds or removes the viewer's like or bookmark. The state change, its event and its pending
   * counter rows commit together (nothing changes: no event); the post returned carries the
   * exact counts read right after the commit, so the viewer sees their own change at once.
   */
  async function change(viewer: Viewer, rawPostId: string, kind: ReactionKind, on: boolean): Promise<PostRef> {
    const postId = parseId(rawPostId, 'postId');
    await store.transaction(async (tx) => {
      const [post] = await store.postStates([postId], tx);
      if (!post || !canSeePost(post, viewer.userId)) throw errors.notFound('Post');
      const changed = on
        ? await store.insertReaction(tx, kind, viewer.userId, postId)
        : await store.deleteReaction(tx, kind, viewer.userId, postId);
      if (changed) {
        const event = reactionEvent(on ? EVENT[kind].on : EVENT[kind].off, postId, viewer.userId);
        const delta = on ? 1 : -1;
        const pending: PendingRow[] = [{ eventId: event.envelope.id, subject: postId, counter: kind, delta }];
        // An anonymous post's author is unknown here: its likes count for nobody.
        if (kind === 'likes' && post.authorId !== null && !post.anonymous) {
          pending.push({ eventId: event.envelope.id, subject: post.authorId, counter: 'likes_received', delta });
        }
        await store.enqueue(tx, [event]);
        await store.insertPending(tx, pending);
      }
    });
    // Read after the commit: of concurrent likes, the last to commit answers with all of them.
    const snapshot = await store.postSnapshot(viewer.userId, postId);
    await cache.setFlag(viewer.userId, EVENT[kind].flag, postId, on).catch(deps.onRedisError);
    return { id: postId, snapshot };
  }

  async function list(kind: ReactionKind, userId: string, viewerId: string | null, args: PageArgs): Promise<Connection<PostRef>> {
    const first = pageSize(args.first);
    const cursor = EVENT[kind].cursor;
    const after = args.after != null ? decodeTimeIdCursor(cursor, args.after) : undefined;
    if (!isId(userId)) return emptyConnection();
    const rows = await store.reactionList(kind, userId.toLowerCase(), viewerId, first + 1, after);
    return toConnection(rows, first, (r: TimedId) => encodeTimeIdCursor(cursor, r.at, r.id), (r) => ({ id: r.id }));
  }

  return {
    like: (viewer: Viewer, postId: string) => change(viewer, postId, 'likes', true),
    unlike: (viewer: Viewer, postId: string) => change(viewer, postId, 'likes', false),
    bookmark: (viewer: Viewer, postId: string) => change(viewer, postId, 'bookmarks', true),
    unbookmark: (viewer: Viewer, postId: string) => change(viewer, postId, 'bookmarks', false),

    /** Public: the posts a user likes that the viewer may see, most recent like first. */
    likedPosts: (userId: string, viewerId: string | null, args: PageArgs) => list('likes', userId, viewerId, args),

    /** The owner's only. */
    bookmarkedPosts(userId: string, viewerId: string | null, args: PageArgs): Promise<Connection<PostRef>> {
      if (viewerId === null || viewerId !== userId.toLowerCase()) {
        throw errors.forbidden('Only the user can see their bookmarks.');
      }
      return list('bookmarks', userId, viewerId, args);
    },
  };
}

export type Reactions = ReturnType<typeof createReactions>;
