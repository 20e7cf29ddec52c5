import {
  decodeTimeIdCursor,
  encodeTimeIdCursor,
  errors,
  newId,
  pageSize,
  parseInput,
  toConnection,
  type Connection,
  type Logger,
  type RateLimiter,
  type RateLimitRule,
  type Viewer,
} from '@plaza/common';
import { createEvent } from '@plaza/events';
import type { MessageFeed, MessageAddedEvent } from '../realtime/feed.js';
import type { ConversationView, MessageRow, MessagingStore } from '../store.js';
import { SendMessageInputSchema } from './validation.js';

export const SOURCE = 'messaging';

/** Cursor kinds: a cursor of one list is refused by another. */
const MESSAGE_CURSOR = 'message';
const CONVERSATION_CURSOR = 'conversation';

export const messageCursor = (m: MessageRow): string => encodeTimeIdCursor(MESSAGE_CURSOR, m.createdAt, m.id);
export const conversationCursor = (c: ConversationView): string => encodeTimeIdCursor(CONVERSATION_CURSOR, c.updatedAt, c.id);

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface MessagesDeps {
  store: MessagingStore;
  feed: MessageFeed;
  rateLimiter: RateLimiter;
  /** Messages per sender per window. */
  rateLimit: RateLimitRule;
  logger: Logger;
}

/** What `sendMessage` returns: the message, and the sender's view of its conversation. */
export interface SentMessage {
  message: MessageRow;
  senderView: ConversationView | undefined;
}

const notFriends = () => errors.forbidden('You can only message friends (users you follow who follow you back).');

/** The two participants of a pair in the order the conversations table keeps them. */
function orderedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** Friend chat: sending, reading and listing, independent of GraphQL. */
export function createMessages(deps: MessagesDeps) {
  const { store, feed } = deps;

  async function publish(event: MessageAddedEvent): Promise<void> {
    try {
      await deps.feed.publish(event);
    } catch (err) {
      // Stored and in the outbox already: live subscribers miss it, a catch-up read finds it.
      deps.logger.warn({ err, messageId: event.message.id }, 'could not publish a stored message to the live feed');
    }
  }

  return {
    /**
     * Stores a message to a friend and returns it once committed; then publishes it to the live
     * feed. A retry with a `clientMessageId` the sender already used returns the first message.
     */
    async send(viewer: Viewer, rawInput: unknown): Promise<SentMessage> {
      const input = parseInput(SendMessageInputSchema, rawInput, 'input');
      if (input.toUserId === viewer.userId) throw errors.badInput('input.toUserId', 'you cannot message yourself');
      const [low, high] = orderedPair(viewer.userId, input.toUserId);
      const outcome = await store.transaction(async (tx): Promise<{ message: MessageRow; views: ConversationView[] }> => {
        // A retry returns the first message; otherwise only friends may write. One round trip.
        const { existing, friends } = await store.sendChecks(tx, viewer.userId, input.toUserId, input.clientMessageId);
        if (existing) return { message: existing, views: [] };
        if (!friends) throw notFriends();
        // Refused sends are not messages: they do not count toward the sender's rate limit. A
        // limited send rolls back having written nothing.
        const limit = await deps.rateLimiter.hit(`send:${viewer.userId}`, deps.rateLimit);
        if (!limit.allowed) throw errors.rateLimited(limit.retryAfterSeconds);
        const conversation = await store.lockConversation(tx, newId(), low, high);
        const stored = await store.insertMessage(
          tx,
          {
            id: newId(),
            conversationId: conversation.id,
            senderId: viewer.userId,
            body: input.body,
            clientMessageId: input.clientMessageId,
          },
          conversation.updatedAt,
          input.toUserId,
        );
        if (!stored) {
          // A concurrent retry with the same key committed first (the insert found its row).
          const first = input.clientMessageId !== null ? await store.messageByClientId(viewer.userId, input.clientMessageId, tx) : null;
          if (!first) throw new Error('message insert conflicted without an earlier message');
          return { message: first, views: [] };
        }
        const { message, views } = stored;
        await store.enqueue(tx, [
          createEvent(
            'message.sent',
            {
              messageId: message.id,
              conversationId: message.conversationId,
              senderId: message.senderId,
              recipientId: input.toUserId,
              body: message.body,
              clientMessageId: message.clientMessageId,
              createdAt: message.createdAt.toISOString(),
            },
            { source: SOURCE },
          ),
        ]);
        return { message, views };
      });
      if (outcome.views.length > 0) await publish({ message: outcome.message, views: outcome.views });
      return { message: outcome.message, senderView: outcome.views.find((v) => v.userId === viewer.userId) };
    },

    /** The viewer's conversations, most recently updated first. */
    async conversations(viewer: Viewer, args: PageArgs): Promise<Connection<ConversationView>> {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeTimeIdCursor(CONVERSATION_CURSOR, args.after) : undefined;
      const rows = await store.listViews(viewer.userId, first + 1, after);
      return toConnection(rows, first, conversationCursor);
    },

    /** A conversation's messages, newest first; keyset pages are unaffected by newer messages. */
    async messages(view: ConversationView, args: PageArgs): Promise<Connection<MessageRow>> {
      const first = pageSize(args.first, 50);
      const after = args.after != null ? decodeTimeIdCursor(MESSAGE_CURSOR, args.after) : undefined;
      const rows = await store.listMessages(view.id, first + 1, after);
      return toConnection(rows, first, messageCursor);
    },

    async markRead(viewer: Viewer, conversationId: string): Promise<ConversationView> {
      const view = await store.markRead(viewer.userId, conversationId);
      if (!view) throw errors.notFound('Conversation');
      return view;
    },

    /**
     * Live messages to or from the viewer (one conversation's with `conversationId`, FORBIDDEN
     * unless they take part in it), as a stream that ends when the returned iterator is closed.
     * Resolves once the feed will deliver every message stored from then on.
     */
    async subscribe(viewer: Viewer, conversationId: string | null): Promise<AsyncGenerator<MessageAddedEvent>> {
      if (conversationId !== null) {
        const [view] = await store.viewsOf(viewer.userId, [conversationId]);
        if (!view) throw errors.forbidden('Only the participants of a conversation may follow it.');
      }
      const queue = createEventQueue<MessageAddedEvent>();
      const stop = await feed.listen(viewer.userId, (event) => {
        if (conversationId === null || event.message.conversationId === conversationId) queue.push(event);
      });
      queue.onClose(stop);
      return queue.iterator;
    },
  };
}

export type Messages = ReturnType<typeof createMessages>;

/**
 * An unbounded push queue read as an async generator (graphql-js and graphql-ws call `return()`
 * on it when the subscriber leaves). Bounded in practice by the gateway reading promptly; a
 * gateway that stops reading is disconnected by its socket, which ends the queue.
 */
export function createEventQueue<T>() {
  const pending: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let closed = false;
  const closers: (() => void)[] = [];

  function close(): void {
    if (closed) return;
    closed = true;
    pending.length = 0;
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
    for (const fn of closers) fn();
  }

  const iterator: AsyncGenerator<T> = {
    next(): Promise<IteratorResult<T>> {
      const value = pending.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return(): Promise<IteratorResult<T>> {
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err: unknown): Promise<IteratorResult<T>> {
      close();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    iterator,
    push(value: T): void {
      if (closed) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value, done: false });
      } else {
        pending.push(value);
      }
    },
    close,
    onClose(fn: () => void): void {
      if (closed) fn();
      else closers.push(fn);
    },
  };
}
