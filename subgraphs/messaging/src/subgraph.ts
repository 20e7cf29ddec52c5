import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { createEventConsumer, createRateLimiter, defineSubgraph, envInt, type RequestIdentity } from '@plaza/common';
import { TOPICS } from '@plaza/events';
import { createLoaders, type MessagingContext } from './context.js';
import { createFriendsProjection, FRIENDS_CONSUMER } from './domain/friends.js';
import { createMessages } from './domain/messages.js';
import { createMessageFeed } from './realtime/feed.js';
import { attachMessagingWebSocket } from './realtime/websocket.js';
import { resolvers, type MessageAddedPayload } from './resolvers.js';
import { createMessagingStore } from './store.js';

/** Friend chat: conversations, messages, unread counts, and live `messageAdded` over graphql-ws. */
export const messaging = defineSubgraph({
  name: 'messaging',
  port: 4005,
  moduleUrl: import.meta.url,
  resolvers,
  env: {
    /** Messages one sender may send per window. */
    MESSAGE_RATE_LIMIT: envInt(20, 1),
    /** The rate limit's sliding window, seconds. */
    MESSAGE_RATE_WINDOW_SECONDS: envInt(10, 1),
    /** Prefix of the Redis pub/sub channels of the live feed (`<prefix>:user:<id>`). */
    MESSAGE_FEED_CHANNEL_PREFIX: z.string().min(1).default('plaza:messaging'),
  },
  settings: (env) => ({
    rateLimit: { limit: env.MESSAGE_RATE_LIMIT, windowSeconds: env.MESSAGE_RATE_WINDOW_SECONDS },
    feedChannelPrefix: env.MESSAGE_FEED_CHANNEL_PREFIX,
    redisUrl: env.REDIS_URL,
  }),
  projections: {
    // `npm run replay -- messaging friends` rebuilds the follow graph from social's events.
    [FRIENDS_CONSUMER]: async (tx) => {
      await tx.execute(sql`truncate messaging.follows`);
    },
  },
  wire({ runtime, settings, logger }) {
    const store = createMessagingStore(runtime.pool, () => runtime.outbox.wake());
    const feed = createMessageFeed({ redis: runtime.redis, redisUrl: settings.redisUrl, channelPrefix: settings.feedChannelPrefix, logger });
    const messages = createMessages({
      store,
      feed,
      rateLimiter: createRateLimiter(runtime.redis, 'messaging:rate'),
      rateLimit: settings.rateLimit,
      logger,
    });
    const friends = createFriendsProjection(store);
    const consumer = createEventConsumer({
      name: FRIENDS_CONSUMER,
      subgraph: 'messaging',
      kafka: runtime.kafka,
      logger,
      topics: [TOPICS.follows],
      groupPrefix: runtime.config.kafka.groupPrefix,
      transaction: store.transaction,
      handle: (tx, events) => friends.apply(tx, events),
      // Friendship must be visible within a second of the second follow.
      sessionTimeoutMs: 10_000,
    });
    const context = (identity: RequestIdentity): MessagingContext => ({
      ...identity,
      messages,
      loaders: createLoaders(store, identity.viewer?.userId ?? null),
    });
    return {
      context,
      workers: [
        consumer,
        { name: 'message-feed', start: async () => {}, stop: () => feed.close() },
      ],
      attach: ({ httpServer, schema, path }) =>
        attachMessagingWebSocket<MessagingContext>({
          httpServer,
          schema,
          path,
          verifier: runtime.verifier,
          context,
          contextForEvent: (ctx, payload) => {
            const loaders = createLoaders(store, ctx.viewer?.userId ?? null);
            const { event } = payload as MessageAddedPayload;
            loaders.messageById.prime(event.message.id, event.message);
            for (const view of event.views) if (view.userId === ctx.viewer?.userId) loaders.viewById.prime(view.id, view);
            return { ...ctx, loaders };
          },
          onFeedLost: (handler) => feed.onLost(handler),
          logger,
        }),
    };
  },
});
