/**
 * The prefix of every topic name, `plaza` by default. One Kafka cluster can carry several Plaza
 * environments that must not see each other's events (on a developer's machine: `npm start`'s
 * demo and `npm test`, which uses `plaza-test`): each sets its own `KAFKA_TOPIC_PREFIX`. Read once,
 * when this module loads, like the topic names themselves (every process of an environment has
 * the same environment variables).
 */
function topicPrefix(): string {
  const prefix = process.env.KAFKA_TOPIC_PREFIX ?? 'plaza';
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) {
    throw new Error(`KAFKA_TOPIC_PREFIX must be letters, digits, '_' or '-' (got '${prefix}')`);
  }
  return prefix;
}

const prefix = topicPrefix();

/**
 * Kafka topics, one per aggregate. Every event of an aggregate goes to its topic keyed by the
 * aggregate's id, so one aggregate's events are consumed in order.
 */
export const TOPICS = {
  /** identity: `user.registered`/`user.updated`, keyed by user id. */
  users: `${prefix}.identity.users.v1`,
  /** content: `post.*` and `comment.*`, keyed by post id. */
  posts: `${prefix}.content.posts.v1`,
  /** social: `user.followed`/`user.unfollowed`, keyed by the follower's id. */
  follows: `${prefix}.social.follows.v1`,
  /** social: likes and bookmarks (`post.liked`, `post.unbookmarked`, …), keyed by post id. */
  reactions: `${prefix}.social.reactions.v1`,
  /** social: counted views (`post.viewed`), keyed by post id; produced directly, not via the outbox. */
  views: `${prefix}.social.views.v1`,
  /** messaging: `message.sent`, keyed by conversation id. */
  messages: `${prefix}.messaging.messages.v1`,
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);
