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
import type { FollowList, SocialStore, TimedId } from '../store.js';
import { followEvent } from './events.js';
import type { Feed } from './feed.js';
import type { UserRef } from './refs.js';

export interface FollowsDeps {
  store: SocialStore;
  feed: Feed;
}

/** The follow graph: idempotent follows, mutual friends, newest-first lists. */
export function createFollows(deps: FollowsDeps) {
  const { store, feed } = deps;

  /**
   * Follows or unfollows. The change, its event (`user.followed`/`user.unfollowed`, for
   * messaging and the counters) and its pending counter rows commit together; the user returned
   * carries the exact counts read right after the commit. The follower's inbox is updated afterwards.
   */
  async function change(viewer: Viewer, rawUserId: string, on: boolean): Promise<UserRef> {
    const userId = parseId(rawUserId, 'userId');
    if (userId === viewer.userId) throw errors.badInput('userId', 'you cannot follow yourself');
    const changed = await store.transaction(async (tx) => {
      if (!(await store.userExists(tx, userId))) throw errors.notFound('User');
      await store.lockPair(tx, viewer.userId, userId);
      const changed = on
        ? await store.insertFollow(tx, viewer.userId, userId)
        : await store.deleteFollow(tx, viewer.userId, userId);
      if (changed) {
        const event = followEvent(on ? 'user.followed' : 'user.unfollowed', viewer.userId, userId);
        const delta = on ? 1 : -1;
        await store.enqueue(tx, [event]);
        await store.insertPending(tx, [
          { eventId: event.envelope.id, subject: userId, counter: 'followers', delta },
          { eventId: event.envelope.id, subject: viewer.userId, counter: 'following', delta },
        ]);
      }
      return changed;
    });
    // Read after the commit: of concurrent follows, the last to commit answers with all of them.
    const snapshot = await store.userSnapshot(viewer.userId, userId);
    if (changed) {
      // Whatever fails here (Redis, or Postgres reading the posts to move) leaves the inbox
      // unknown: invalidate inboxes so it is rebuilt from Postgres on its next read.
      await (on ? feed.followed(viewer.userId, userId) : feed.unfollowed(viewer.userId, userId)).catch(feed.invalidate);
    }
    return { id: userId, snapshot };
  }

  const CURSORS: Record<FollowList, string> = { followers: 'followers', following: 'following', friends: 'friends' };

  return {
    follow: (viewer: Viewer, userId: string) => change(viewer, userId, true),
    unfollow: (viewer: Viewer, userId: string) => change(viewer, userId, false),

    async list(list: FollowList, userId: string, args: { first?: number | null; after?: string | null }): Promise<Connection<UserRef>> {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeTimeIdCursor(CURSORS[list], args.after) : undefined;
      if (!isId(userId)) return emptyConnection();
      const rows = await store.followList(list, userId.toLowerCase(), first + 1, after);
      return toConnection(rows, first, (r: TimedId) => encodeTimeIdCursor(CURSORS[list], r.at, r.id), (r) => ({ id: r.id }));
    },
  };
}

export type Follows = ReturnType<typeof createFollows>;
