import { DateTimeScalar, errors, parseId, requireViewer } from '@plaza/common';
import type { Resolvers } from './__generated__/resolvers.js';
import type { MessagingContext } from './context.js';
import type { MessageAddedEvent } from './realtime/feed.js';
import type { ConversationView, MessageRow } from './store.js';

/** A user this subgraph knows by id only (identity owns the rest). */
export interface UserRef {
  id: string;
}

/** What a `messageAdded` event is to graphql-js: the root value of one event's execution. */
export interface MessageAddedPayload {
  messageAdded: MessageRow;
  /** Both participants' views right after the message (primes the event's loaders). */
  event: MessageAddedEvent;
}

const userRef = (id: string) => ({ __typename: 'User' as const, id });

/** The viewer's view of a conversation they are part of, or null. */
async function viewerView(ctx: MessagingContext, id: string): Promise<ConversationView | null> {
  return ctx.viewer ? ctx.loaders.viewById.load(id) : null;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    conversations: (_, args, ctx) => ctx.messages.conversations(requireViewer(ctx), args),
    conversation: (_, { id }, ctx) => viewerView(ctx, parseId(id, 'id')),
  },
  Mutation: {
    sendMessage: async (_, { input }, ctx) => {
      const { message, senderView } = await ctx.messages.send(requireViewer(ctx), input);
      if (senderView) ctx.loaders.viewById.prime(senderView.id, senderView);
      return message;
    },
    markConversationRead: (_, { conversationId }, ctx) =>
      ctx.messages.markRead(requireViewer(ctx), parseId(conversationId, 'conversationId')),
  },
  Subscription: {
    messageAdded: {
      subscribe: async (_, { conversationId }, ctx) => {
        const viewer = requireViewer(ctx);
        const stream = await ctx.messages.subscribe(viewer, conversationId != null ? parseId(conversationId, 'conversationId') : null);
        return mapStream(stream, (event): MessageAddedPayload => ({ messageAdded: event.message, event }));
      },
    },
  },
  Conversation: {
    peer: (view) => userRef(view.peerId),
    lastMessage: (view, _, ctx) => (view.lastMessageId ? ctx.loaders.messageById.load(view.lastMessageId) : null),
    messages: (view, args, ctx) => ctx.messages.messages(view, args),
  },
  Message: {
    // Only participants reach a message, so the viewer always has a view of its conversation.
    conversation: async (message, _, ctx) =>
      (await viewerView(ctx, message.conversationId)) ?? Promise.reject(errors.notFound('Conversation')),
    sender: (message) => userRef(message.senderId),
    clientMessageId: (message, _, ctx) => (message.senderId === ctx.viewer?.userId ? message.clientMessageId : null),
  },
};

/** `source` with `fn` applied to each value; closing the result closes the source. */
function mapStream<T, U>(source: AsyncGenerator<T>, fn: (value: T) => U): AsyncGenerator<U> {
  const mapped: AsyncGenerator<U> = {
    async next() {
      const result = await source.next();
      return result.done ? { value: undefined, done: true } : { value: fn(result.value), done: false };
    },
    async return() {
      await source.return(undefined);
      return { value: undefined, done: true };
    },
    async throw(err: unknown) {
      await source.return(undefined);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
