import { createEvent, type OutgoingEvent } from '@plaza/events';

export const SOURCE = 'social';

/** `user.followed` / `user.unfollowed`, keyed by the follower. */
export function followEvent(type: 'user.followed' | 'user.unfollowed', followerId: string, followeeId: string): OutgoingEvent {
  return createEvent(type, { followerId, followeeId, at: new Date().toISOString() }, { source: SOURCE });
}

export type ReactionEventType = 'post.liked' | 'post.unliked' | 'post.bookmarked' | 'post.unbookmarked';

/** A like or bookmark change, keyed by the post. */
export function reactionEvent(type: ReactionEventType, postId: string, userId: string): OutgoingEvent {
  return createEvent(type, { postId, userId, at: new Date().toISOString() }, { source: SOURCE });
}

/** `count` counted views of a post since the producer's previous message about it. */
export function viewedEvent(postId: string, count: number, at: Date): OutgoingEvent {
  return createEvent('post.viewed', { postId, count, at: at.toISOString() }, { source: SOURCE });
}
