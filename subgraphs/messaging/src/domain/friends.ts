import type { ConsumedEvent } from '@plaza/common';
import type { MessagingStore, MessagingTx } from '../store.js';

/** The consumer that keeps messaging's projection of the follow graph (`messaging.follows`). */
export const FRIENDS_CONSUMER = 'friends';

/**
 * Applies social's follow events to the projection, in the consumer's transaction. One
 * follower's events arrive in order (they are keyed by follower), and each pair belongs to one
 * follower, so the last event of a pair decides whether the row exists.
 */
export function createFriendsProjection(store: MessagingStore) {
  return {
    async apply(tx: MessagingTx, events: readonly ConsumedEvent[]): Promise<void> {
      for (const event of events) {
        switch (event.type) {
          case 'user.followed': {
            const { followerId, followeeId, at } = event.envelope.data;
            await store.addFollow(tx, followerId, followeeId, new Date(at));
            break;
          }
          case 'user.unfollowed': {
            const { followerId, followeeId } = event.envelope.data;
            await store.removeFollow(tx, followerId, followeeId);
            break;
          }
          default:
            // Other events on the topic (none today) are not about friendship.
            break;
        }
      }
    },
  };
}
