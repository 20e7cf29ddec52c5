/**
 * Kafka topics, one per aggregate. Every event of an aggregate goes to its topic keyed by the
 * aggregate's id, so one aggregate's events are consumed in order.
 */
export const TOPICS = {
  /** identity: `user.registered`/`user.updated`, keyed by user id. */
  users: 'plaza.identity.users.v1',
  /** content: `post.*` and `comment.*`, keyed by post id. */
  posts: 'plaza.content.posts.v1',
  /** social: `user.followed`/`user.unfollowed`, keyed by the follower's id. */
  follows: 'plaza.social.follows.v1',
  /** social: likes and bookmarks (`post.liked`, `post.unbookmarked`, …), keyed by post id. */
  reactions: 'plaza.social.reactions.v1',
  /** social: counted views (`post.viewed`), keyed by post id; produced directly, not via the outbox. */
  views: 'plaza.social.views.v1',
  /** messaging: `message.sent`, keyed by conversation id. */
  messages: 'plaza.messaging.messages.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);
