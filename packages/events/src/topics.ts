/**
 * Kafka topics, one per aggregate. Every event of an aggregate goes to its topic keyed by the
 * aggregate's id, so one post's events (and its comments') are consumed in order.
 */
export const TOPICS = {
  /** identity: `user.*`, keyed by user id. */
  users: 'plaza.identity.users.v1',
  /** content: `post.*` and `comment.*`, keyed by post id. */
  posts: 'plaza.content.posts.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);
