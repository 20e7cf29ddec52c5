import { sql } from 'drizzle-orm';
import { check, index, integer, pgSchema, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { defineConsumerTables, defineOutboxTable } from '@plaza/common';

export const messaging = pgSchema('messaging');

/**
 * Millisecond timestamps: cursors carry JavaScript dates (ms), so a sort key stored with
 * microseconds would compare unequal to its own cursor and repeat the row on the next page.
 */
const ms = { withTimezone: true, precision: 3 } as const;

/**
 * messaging's projection of social's follow graph (`user.followed` / `user.unfollowed`): a row
 * while `followerId` follows `followeeId`. Two users are friends when both rows exist.
 */
export const follows = messaging.table(
  'follows',
  {
    followerId: uuid('follower_id').notNull(),
    followeeId: uuid('followee_id').notNull(),
    /** When social recorded the follow. */
    at: timestamp('at', ms).notNull(),
  },
  (t) => [primaryKey({ columns: [t.followerId, t.followeeId] })],
);

/**
 * One conversation per pair of users, created by their first message. `userLow < userHigh`
 * (as UUID text) makes the pair unique whoever writes first.
 */
export const conversations = messaging.table(
  'conversations',
  {
    id: uuid('id').primaryKey(),
    userLow: uuid('user_low').notNull(),
    userHigh: uuid('user_high').notNull(),
    createdAt: timestamp('created_at', ms).notNull().defaultNow(),
    /** The newest message's `createdAt`: strictly increasing, set under the conversation's row lock. */
    updatedAt: timestamp('updated_at', ms).notNull().defaultNow(),
    lastMessageId: uuid('last_message_id'),
  },
  (t) => [
    unique('conversations_pair_key').on(t.userLow, t.userHigh),
    check('conversations_pair_order_check', sql`${t.userLow} < ${t.userHigh}`),
  ],
);

/**
 * Each participant's side of a conversation: their peer, unread count and the conversation's
 * `updatedAt` copied in, so a user's conversation list is one index range scan.
 */
export const participants = messaging.table(
  'participants',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    peerId: uuid('peer_id').notNull(),
    /** Messages from the peer since this user last marked the conversation read. */
    unreadCount: integer('unread_count').notNull().default(0),
    lastReadAt: timestamp('last_read_at', ms),
    /** Copy of `conversations.updated_at`, written in the same transaction. */
    updatedAt: timestamp('updated_at', ms).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userId] }),
    // A user's conversations, most recently updated first.
    index('participants_user_updated_idx').on(t.userId, t.updatedAt.desc().nullsFirst(), t.conversationId.desc().nullsFirst()),
  ],
);

export const messages = messaging.table(
  'messages',
  {
    /** UUIDv7. */
    id: uuid('id').primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    senderId: uuid('sender_id').notNull(),
    /** Exactly as sent (the 1–2,000 character rule applies to the trimmed text). */
    body: text('body').notNull(),
    /** The sender's idempotency key: one message per (sender, key). */
    clientMessageId: text('client_message_id'),
    /** Assigned under the conversation's row lock, so it orders messages as they committed. */
    createdAt: timestamp('created_at', ms).notNull(),
  },
  (t) => [
    // Unique per sender; NULL keys never conflict.
    unique('messages_sender_client_id_key').on(t.senderId, t.clientMessageId),
    // One conversation's messages, newest first.
    index('messages_conversation_idx').on(t.conversationId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export const outbox = defineOutboxTable(messaging);
export const { consumerOffsets, deadLetters } = defineConsumerTables(messaging);

export type MessageRow = typeof messages.$inferSelect;
export type ParticipantRow = typeof participants.$inferSelect;
