import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { createStoreBase, type Pool, type StoreDb, type StoreTx } from '@plaza/common';
import * as schema from './db/schema.js';
import { conversations, follows, messages, outbox, participants, type MessageRow } from './db/schema.js';

export type MessagingDb = StoreDb<typeof schema>;
export type MessagingTx = StoreTx<typeof schema>;
type Db = MessagingDb | MessagingTx;

export type { MessageRow };

/** A conversation as one participant sees it: what `Conversation` resolves from. */
export interface ConversationView {
  /** The conversation's id. */
  id: string;
  /** The participant whose view this is. */
  userId: string;
  peerId: string;
  unreadCount: number;
  updatedAt: Date;
  lastMessageId: string | null;
}

/** A keyset position: the sort key of the last row of the previous page. */
export interface Keyset {
  at: Date;
  id: string;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const uuidParam = (id: string) => sql`${id}::uuid`;

const viewColumns = {
  id: participants.conversationId,
  userId: participants.userId,
  peerId: participants.peerId,
  unreadCount: participants.unreadCount,
  updatedAt: participants.updatedAt,
  lastMessageId: conversations.lastMessageId,
};

/**
 * Every read and write of the messaging schema. `onEventsCommitted` runs after a transaction that
 * wrote events commits (to wake the outbox relay).
 */
export function createMessagingStore(pool: Pool, onEventsCommitted?: () => void) {
  const { db, transaction, enqueue } = createStoreBase({ pool, schema, outbox, onEventsCommitted });

  return {
    db,
    transaction,
    enqueue,

    // ----------------------------------------------------------------- follows

    async addFollow(tx: Db, followerId: string, followeeId: string, at: Date): Promise<void> {
      await tx.insert(follows).values({ followerId, followeeId, at }).onConflictDoUpdate({
        target: [follows.followerId, follows.followeeId],
        set: { at },
      });
    },

    async removeFollow(tx: Db, followerId: string, followeeId: string): Promise<void> {
      await tx.delete(follows).where(and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId)));
    },

    /** Whether the two users follow each other. */
    async areFriends(tx: Db, a: string, b: string): Promise<boolean> {
      const rows = await tx
        .select({ followerId: follows.followerId })
        .from(follows)
        .where(
          or(
            and(eq(follows.followerId, a), eq(follows.followeeId, b)),
            and(eq(follows.followerId, b), eq(follows.followeeId, a)),
          ),
        );
      return rows.length === 2;
    },

    // ----------------------------------------------------------- conversations

    /**
     * The pair's conversation, created (with both participants) if it does not exist, and locked
     * for the rest of the transaction: every message of a conversation is written under this lock,
     * so messages get their `createdAt` in commit order.
     */
    async lockConversation(
      tx: MessagingTx,
      newId: string,
      userLow: string,
      userHigh: string,
    ): Promise<{ id: string; updatedAt: Date; lastMessageId: string | null }> {
      // One statement: inserts the pair's conversation, or (on conflict) locks the existing row by
      // updating it to itself. `xmax = 0` only for a row this statement inserted.
      const { rows } = await tx.execute<{ id: string; updated_at: string; last_message_id: string | null; created: boolean }>(sql`
        insert into ${conversations} (id, user_low, user_high) values (${uuidParam(newId)}, ${uuidParam(userLow)}, ${uuidParam(userHigh)})
        on conflict (user_low, user_high) do update set user_low = excluded.user_low
        returning id, updated_at, last_message_id, (xmax = 0) as created`);
      const row = rows[0]!;
      if (row.created) {
        await tx.insert(participants).values([
          { conversationId: row.id, userId: userLow, peerId: userHigh },
          { conversationId: row.id, userId: userHigh, peerId: userLow },
        ]);
      }
      return { id: row.id, updatedAt: new Date(row.updated_at), lastMessageId: row.last_message_id };
    },

    /** The viewer's views of conversations (by id); conversations they are not part of are absent. */
    viewsOf: (userId: string, conversationIds: readonly string[]): Promise<ConversationView[]> =>
      db
        .select(viewColumns)
        .from(participants)
        .innerJoin(conversations, eq(conversations.id, participants.conversationId))
        .where(and(eq(participants.userId, userId), inArray(participants.conversationId, [...conversationIds]))),

    /** A user's conversations, most recently updated first by (updatedAt, id). */
    listViews: (userId: string, limit: number, after?: Keyset): Promise<ConversationView[]> =>
      db
        .select(viewColumns)
        .from(participants)
        .innerJoin(conversations, eq(conversations.id, participants.conversationId))
        .where(
          and(
            eq(participants.userId, userId),
            after
              ? sql`(${participants.updatedAt}, ${participants.conversationId}) < (${ts(after.at)}, ${uuidParam(after.id)})`
              : undefined,
          ),
        )
        .orderBy(desc(participants.updatedAt), desc(participants.conversationId))
        .limit(limit),

    /** Sets the user's unread count to 0; null when they are not part of the conversation. */
    async markRead(userId: string, conversationId: string): Promise<ConversationView | null> {
      return db.transaction(async (tx) => {
        const updated = await tx
          .update(participants)
          .set({ unreadCount: 0, lastReadAt: sql`now()` })
          .where(and(eq(participants.userId, userId), eq(participants.conversationId, conversationId)))
          .returning({ id: participants.conversationId });
        if (updated.length === 0) return null;
        const [view] = await tx
          .select(viewColumns)
          .from(participants)
          .innerJoin(conversations, eq(conversations.id, participants.conversationId))
          .where(and(eq(participants.userId, userId), eq(participants.conversationId, conversationId)));
        return view ?? null;
      });
    },

    // ---------------------------------------------------------------- messages

    async messageByClientId(senderId: string, clientMessageId: string, tx: Db = db): Promise<MessageRow | null> {
      const [row] = await tx
        .select()
        .from(messages)
        .where(and(eq(messages.senderId, senderId), eq(messages.clientMessageId, clientMessageId)));
      return row ?? null;
    },

    messagesByIds: (ids: readonly string[]): Promise<MessageRow[]> =>
      db.select().from(messages).where(inArray(messages.id, [...ids])),

    /**
     * Inserts a message with a `createdAt` after the conversation's previous one (the clock may
     * stand still within a millisecond, or step back). Returns null when the sender already used
     * the client message id (a concurrent retry that committed first).
     */
    async insertMessage(
      tx: MessagingTx,
      row: Omit<typeof messages.$inferInsert, 'createdAt'>,
      previous: Date,
    ): Promise<MessageRow | null> {
      const [inserted] = await tx
        .insert(messages)
        .values({
          ...row,
          createdAt: sql`greatest(date_trunc('milliseconds', clock_timestamp()), ${ts(previous)} + interval '1 millisecond')`,
        })
        .onConflictDoNothing({ target: [messages.senderId, messages.clientMessageId] })
        .returning();
      return inserted ?? null;
    },

    /**
     * Moves the conversation to its new last message: both participants' `updatedAt`, and the
     * recipient's unread count, in one statement. Returns both participants' views after it.
     */
    async recordMessage(tx: MessagingTx, message: MessageRow, recipientId: string): Promise<ConversationView[]> {
      const at = ts(message.createdAt);
      const { rows } = await tx.execute<{ id: string; user_id: string; peer_id: string; unread_count: number; updated_at: string }>(sql`
        with moved as (
          update ${conversations} set updated_at = ${at}, last_message_id = ${uuidParam(message.id)}
           where id = ${uuidParam(message.conversationId)}
        )
        update ${participants}
           set updated_at = ${at},
               unread_count = unread_count + case when user_id = ${uuidParam(recipientId)} then 1 else 0 end
         where conversation_id = ${uuidParam(message.conversationId)}
        returning conversation_id as id, user_id, peer_id, unread_count, updated_at`);
      return rows.map((r) => ({
        id: r.id,
        userId: r.user_id,
        peerId: r.peer_id,
        unreadCount: r.unread_count,
        updatedAt: new Date(r.updated_at),
        lastMessageId: message.id,
      }));
    },

    /** One conversation's messages, newest first by (createdAt, id). */
    listMessages: (conversationId: string, limit: number, after?: Keyset): Promise<MessageRow[]> =>
      db
        .select()
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, conversationId),
            after ? sql`(${messages.createdAt}, ${messages.id}) < (${ts(after.at)}, ${uuidParam(after.id)})` : undefined,
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(limit),
  };
}

export type MessagingStore = ReturnType<typeof createMessagingStore>;
