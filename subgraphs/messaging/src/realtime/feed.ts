import { z } from 'zod';
import { createRedis, type Logger, type Redis } from '@plaza/common';
import type { ConversationView, MessageRow } from '../store.js';

/**
 * The live feed of stored messages across every messaging instance, over Redis pub/sub: the
 * instance that stored a message publishes it (after the commit) on both participants' channels,
 * and every instance with a subscriber of either participant receives it. An instance listens
 * (SUBSCRIBE) only to the users it has subscribers for, so a message costs nothing on instances
 * that have nobody to deliver it to.
 *
 * Delivery is at most once: a message published while an instance's subscriber connection is
 * down is not delivered there. The instance learns that its connection dropped (`onLost`) and
 * ends its live subscriptions, so clients reconnect and catch up from Postgres (see the README,
 * "Realtime chat").
 */

/** What is published per message: the message and both participants' views after it. */
export interface MessageAddedEvent {
  message: MessageRow;
  /** Both participants' views of the conversation right after the message. */
  views: ConversationView[];
}

const date = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const WireSchema = z.object({
  message: z.object({
    id: z.string(),
    conversationId: z.string(),
    senderId: z.string(),
    body: z.string(),
    clientMessageId: z.string().nullable(),
    createdAt: date,
  }),
  views: z.array(
    z.object({
      id: z.string(),
      userId: z.string(),
      peerId: z.string(),
      unreadCount: z.number().int(),
      updatedAt: date,
      lastMessageId: z.string().nullable(),
    }),
  ),
});

export type FeedListener = (event: MessageAddedEvent) => void;

export interface MessageFeed {
  /** Publishes a stored message to its participants' channels. */
  publish(event: MessageAddedEvent): Promise<void>;
  /**
   * Calls `listener` for every message to or from `userId` until the returned function is called.
   * Resolves once Redis confirmed the subscription: a message stored afterwards is delivered.
   */
  listen(userId: string, listener: FeedListener): Promise<() => void>;
  /** Called when the subscriber connection dropped: messages may have been missed. */
  onLost(handler: () => void): void;
  /** Users with at least one listener on this instance. */
  listenedUsers(): number;
  close(): Promise<void>;
}

export interface MessageFeedOptions {
  /** Publishes (the subgraph's shared connection). */
  redis: Redis;
  /** URL for the subscriber connection (a connection in subscriber mode can do nothing else). */
  redisUrl: string;
  /** Channel names are `<prefix>:user:<userId>`. */
  channelPrefix: string;
  logger: Logger;
}

export function createMessageFeed(opts: MessageFeedOptions): MessageFeed {
  const subscriber = createRedis(opts.redisUrl, 'plaza-messaging-feed', opts.logger);
  const listeners = new Map<string, Set<FeedListener>>();
  const lostHandlers: (() => void)[] = [];
  const channelOf = (userId: string) => `${opts.channelPrefix}:user:${userId}`;
  const userOf = (channel: string) => channel.slice(channelOf('').length);
  let wasReady = false;

  subscriber.on('ready', () => {
    wasReady = true;
  });
  subscriber.on('close', () => {
    // Only a connection that was up can lose messages; ioredis resubscribes once it is back.
    if (!wasReady) return;
    wasReady = false;
    if (listeners.size === 0) return;
    opts.logger.warn({ users: listeners.size }, 'message feed: Redis subscriber connection lost; ending live subscriptions');
    for (const handler of lostHandlers) handler();
  });
  /**
   * The last payload decoded: a message is published on both participants' channels, so an
   * instance with listeners of both receives the same payload twice in a row; it decodes it once.
   */
  let last: { raw: string; event: MessageAddedEvent } | undefined;
  subscriber.on('message', (channel: string, raw: string) => {
    const users = listeners.get(userOf(channel));
    if (!users || users.size === 0) return;
    let event: MessageAddedEvent;
    if (last?.raw === raw) {
      event = last.event;
    } else {
      try {
        event = WireSchema.parse(JSON.parse(raw));
      } catch (err) {
        opts.logger.error({ err, channel }, 'message feed: undecodable message');
        return;
      }
      last = { raw, event };
    }
    for (const listener of users) {
      try {
        listener(event);
      } catch (err) {
        opts.logger.error({ err }, 'message feed: listener failed');
      }
    }
  });

  return {
    async publish(event) {
      const payload = JSON.stringify(event);
      const recipients = new Set(event.views.map((v) => v.userId));
      await Promise.all([...recipients].map((userId) => opts.redis.publish(channelOf(userId), payload)));
    },
    async listen(userId, listener) {
      let users = listeners.get(userId);
      const first = !users;
      if (!users) {
        users = new Set();
        listeners.set(userId, users);
      }
      users.add(listener);
      const stop = () => {
        const current = listeners.get(userId);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(userId);
        // Commands on one connection run in order: a later SUBSCRIBE of the same user wins.
        subscriber.unsubscribe(channelOf(userId)).catch((err: unknown) => {
          opts.logger.debug({ err }, 'message feed: unsubscribe failed');
        });
      };
      try {
        // Every listener waits for its own SUBSCRIBE (or a later one on the same channel), so
        // none returns before Redis will deliver to it.
        await subscriber.subscribe(channelOf(userId));
      } catch (err) {
        stop();
        throw err;
      }
      if (first) opts.logger.debug({ userId }, 'message feed: listening');
      return stop;
    },
    onLost(handler) {
      lostHandlers.push(handler);
    },
    listenedUsers: () => listeners.size,
    async close() {
      listeners.clear();
      await subscriber.quit().catch(() => {
        subscriber.disconnect();
      });
    },
  };
}
