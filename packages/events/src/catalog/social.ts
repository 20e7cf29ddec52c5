import { z } from 'zod';
import { TOPICS } from '../topics.js';
import { defineEvent, id, timestamp } from './define.js';

const FollowSchema = z.object({ followerId: id, followeeId: id, at: timestamp });
const ReactionSchema = z.object({ postId: id, userId: id, at: timestamp });

/**
 * social's events. Follows are keyed by the follower, so one user's follow and unfollow of
 * another stay in order; reactions (likes, bookmarks) and views are keyed by post. A like's or a
 * bookmark's event exists only when the state really changed (liking twice emits one event).
 */
export const SOCIAL_EVENTS = {
  'user.followed': defineEvent({
    type: 'user.followed',
    version: 1,
    topic: TOPICS.follows,
    schema: FollowSchema,
    key: (d) => d.followerId,
  }),
  'user.unfollowed': defineEvent({
    type: 'user.unfollowed',
    version: 1,
    topic: TOPICS.follows,
    schema: FollowSchema,
    key: (d) => d.followerId,
  }),
  'post.liked': defineEvent({
    type: 'post.liked',
    version: 1,
    topic: TOPICS.reactions,
    schema: ReactionSchema,
    key: (d) => d.postId,
  }),
  'post.unliked': defineEvent({
    type: 'post.unliked',
    version: 1,
    topic: TOPICS.reactions,
    schema: ReactionSchema,
    key: (d) => d.postId,
  }),
  'post.bookmarked': defineEvent({
    type: 'post.bookmarked',
    version: 1,
    topic: TOPICS.reactions,
    schema: ReactionSchema,
    key: (d) => d.postId,
  }),
  'post.unbookmarked': defineEvent({
    type: 'post.unbookmarked',
    version: 1,
    topic: TOPICS.reactions,
    schema: ReactionSchema,
    key: (d) => d.postId,
  }),
  /**
   * Counted views of one post (already deduplicated per viewer and window by social), produced
   * straight to Kafka in small batches rather than through the outbox: `count` views since the
   * producer's previous message for this post.
   */
  'post.viewed': defineEvent({
    type: 'post.viewed',
    version: 1,
    topic: TOPICS.views,
    schema: z.object({ postId: id, count: z.number().int().positive(), at: timestamp }),
    key: (d) => d.postId,
  }),
} as const;
