import { and, desc, eq, inArray, sql } from 'drizzle-orm';
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

    /**
     * What `sendMessage` checks before it writes, in one round trip: whether the two users follow
     * each other (both ways), and the sender's message with this `clientMessageId` if they already
     * sent one (a retry; as `messageByClientId`).
     */
    async sendChecks(
      tx: MessagingTx,
      senderId: string,
      recipientId: string,
      clientMessageId: string | null,
    ): Promise<{ friends: boolean; existing: MessageRow | null }> {
      const sender = uuidParam(senderId);
      const recipient = uuidParam(recipientId);
      const { rows } = await tx.execute<{
        follows: number;
        id: string | null;
        conversation_id: string | null;
        body: string | null;
        client_message_id: string | null;
        created_at: string | null;
      }>(sql`
        select (select count(*)::int from ${follows}
                 where (${follows.followerId} = ${sender} and ${follows.followeeId} = ${recipient})
                    or (${follows.followerId} = ${recipient} and ${follows.followeeId} = ${sender})) as follows,
               m.id, m.conversation_id, m.body, m.client_message_id,
               to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
          from (select 1) as one
          left join ${messages} m on m.sender_id = ${sender} and m.client_message_id = ${clientMessageId}::text`);
      const row = rows[0]!;
      const existing: MessageRow | null =
        row.id === null
          ? null
          : {
              id: row.id,
              conversationId: row.conversation_id!,
              senderId,
              body: row.body!,
              clientMessageId: row.client_message_id,
              createdAt: new Date(row.created_at!),
            };
      return { friends: row.follows === 2, existing };
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
     * Stores a message and moves its conversation to it, in one statement: the message gets a
     * `createdAt` after the conversation's previous one (the clock may stand still within a
     * millisecond, or step back); the conversation's last message, both participants' `updatedAt`
     * and the recipient's unread count follow it. Returns the message and both participants' views
     * after it, or null when the sender already used the client message id (a concurrent retry
     * that committed first): then nothing is written.
     */
    async insertMessage(
      tx: MessagingTx,
      row: { id: string; conversationId: string; senderId: string; body: string; clientMessageId: string | null },
      previous: Date,
      recipientId: string,
    ): Promise<{ message: MessageRow; views: ConversationView[] } | null> {
      const { rows } = await tx.execute<{
        id: string;
        created_at: string;
        views: { id: string; user_id: string; peer_id: string; unread_count: number; updated_at: string }[] | null;
      }>(sql`
        with inserted as (
          insert into ${messages} (id, conversation_id, sender_id, body, client_message_id, created_at)
          values (${uuidParam(row.id)}, ${uuidParam(row.conversationId)}, ${uuidParam(row.senderId)}, ${row.body}, ${row.clientMessageId},
                  greatest(date_trunc('milliseconds', clock_timestamp()), ${ts(previous)} + interval '1 millisecond'))
          on conflict (sender_id, client_message_id) do nothing
          returning id, conversation_id, created_at
        ), moved as (
          update ${conversations} c set updated_at = i.created_at, last_message_id = i.id
            from inserted i where c.id = i.conversation_id
        ), views as (
          update ${participants} p
             set updated_at = i.created_at,
                 unread_count = p.unread_count + case when p.user_id = ${uuidParam(recipientId)} then 1 else 0 end
            from inserted i where p.conversation_id = i.conversation_id
          returning p.conversation_id as id, p.user_id, p.peer_id, p.unread_count,
                    to_char(p.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as updated_at
        )
        select i.id, to_char(i.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
               (select json_agg(v) from views v) as views
          from inserted i`);
      const inserted = rows[0];
      if (!inserted) return null;
      const createdAt = new Date(inserted.created_at);
      return {
        message: { ...row, createdAt },
        views: (inserted.views ?? []).map((v) => ({
          id: v.id,
          userId: v.user_id,
          peerId: v.peer_id,
          unreadCount: v.unread_count,
          updatedAt: new Date(v.updated_at),
          lastMessageId: row.id,
        })),
      };
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
