import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, registerUser, startPlaza, type Plaza, type TestUser } from '../src/index.js';
import {
  CONVERSATION,
  CONVERSATIONS,
  follow,
  friends,
  MARK_READ,
  MESSAGES,
  SEND,
  send,
  sendWhenFriends,
  unfollow,
  uniqueBody,
  type Connection,
  type ConversationShape,
  type MessageShape,
} from './messaging-fixtures.js';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
  // Warm-up: social's and messaging's consumers have joined their groups before anything is timed.
  await friends(plaza, 'mw');
});
afterAll(async () => {
  await plaza?.close();
});

async function conversations(user: TestUser, first = 20, after?: string): Promise<Connection<ConversationShape>> {
  return (await user.client.ok<{ conversations: Connection<ConversationShape> }>(CONVERSATIONS, { first, after })).conversations;
}

async function messages(user: TestUser, conversationId: string, first: number, after?: string): Promise<Connection<{ id: string; body: string }>> {
  const data = await user.client.ok<{ conversation: { messages: Connection<{ id: string; body: string }> } | null }>(MESSAGES, {
    id: conversationId,
    first,
    after,
  });
  if (!data.conversation) throw new Error('conversation not visible');
  return data.conversation.messages;
}

describe('friends only', () => {
  it('should refuse a message to someone who is not a friend, and let it through within a second of the second follow', async () => {
    const [a, b] = await Promise.all([registerUser(plaza.client(), { prefix: 'mr' }), registerUser(plaza.client(), { prefix: 'mr' })]);
    const stranger = await a.client.request(SEND, { input: { toUserId: b.id, body: 'hello?' } });
    expect(errorCode(stranger)).toBe('FORBIDDEN');

    await follow(a, b);
    const oneWay = await a.client.request(SEND, { input: { toUserId: b.id, body: 'hello?' } });
    expect(errorCode(oneWay)).toBe('FORBIDDEN');

    await follow(b, a);
    const followedAt = Date.now();
    const message = await sendWhenFriends(a, b, 'we are friends now', 5_000);
    expect(Date.now() - followedAt).toBeLessThan(1_000);
    expect(message).toMatchObject({ body: 'we are friends now', sender: { id: a.id } });
  });

  it('should refuse new messages once either friend unfollows, both ways', async () => {
    const [a, b] = await friends(plaza);
    await unfollow(b, a);
    await expect
      .poll(async () => errorCode(await a.client.request(SEND, { input: { toUserId: b.id, body: 'still there?' } })), { timeout: 5_000, interval: 100 })
      .toBe('FORBIDDEN');
    expect(errorCode(await b.client.request(SEND, { input: { toUserId: a.id, body: 'bye' } }))).toBe('FORBIDDEN');
  });

  it('should refuse messaging oneself and anonymous senders', async () => {
    const a = await registerUser(plaza.client(), { prefix: 'mr' });
    expect(errorCode(await a.client.request(SEND, { input: { toUserId: a.id, body: 'me' } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await plaza.client().request(SEND, { input: { toUserId: a.id, body: 'me' } }))).toBe('UNAUTHENTICATED');
  });
});

describe('message bodies', () => {
  it('should store a body exactly as sent, white space and all, and count its length after trimming', async () => {
    const [a, b] = await friends(plaza);
    const padded = `  第一行 line one 🎉\n\tsecond line  `;
    expect((await send(a.client, b.id, padded)).body).toBe(padded);
    // 2,000 code points of text (emoji count as one) plus surrounding white space are accepted.
    const longest = `   ${'😀'.repeat(2_000)}   `;
    expect((await send(a.client, b.id, longest)).body).toBe(longest);
  });

  it('should refuse an empty or blank body, and one over 2,000 characters after trimming', async () => {
    const [a, b] = await friends(plaza);
    for (const body of ['', '   \n\t ', 'x'.repeat(2_001)]) {
      const res = await a.client.request(SEND, { input: { toUserId: b.id, body } });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.field).toBe('input.body');
    }
  });
});

describe('idempotency', () => {
  it('should store one message for concurrent retries with the same clientMessageId and return it to each', async () => {
    const [a, b, conversationId] = await friends(plaza);
    const key = `client-${uniqueBody('k').replace(' ', '-')}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => send(a.client, b.id, 'once only', key)));
    const ids = new Set(results.map((m) => m.id));
    expect(ids.size).toBe(1);
    expect(results[0]).toMatchObject({ body: 'once only', clientMessageId: key });
    // A later retry, even with another body, is the same first message.
    expect((await send(a.client, b.id, 'changed my mind', key)).id).toBe(results[0]!.id);
    const page = await messages(b, conversationId, 10);
    expect(page.edges.filter((e) => e.node.body === 'once only')).toHaveLength(1);
    // The key is the sender's: the other participant does not see it.
    const LAST = 'query($id: ID!) { conversation(id: $id) { lastMessage { id clientMessageId } } }';
    expect((await a.client.ok<{ conversation: { lastMessage: unknown } }>(LAST, { id: conversationId })).conversation.lastMessage).toEqual({
      id: results[0]!.id,
      clientMessageId: key,
    });
    expect((await b.client.ok<{ conversation: { lastMessage: unknown } }>(LAST, { id: conversationId })).conversation.lastMessage).toEqual({
      id: results[0]!.id,
      clientMessageId: null,
    });
  });

  it('should keep keys per sender: the same key from two senders makes two messages', async () => {
    const [a, b] = await friends(plaza);
    const key = `shared-${Date.now()}`;
    const fromA = await send(a.client, b.id, 'from a', key);
    const fromB = await send(b.client, a.id, 'from b', key);
    expect(fromA.id).not.toBe(fromB.id);
  });
});

describe('conversations and unread counts', () => {
  it('should list the viewer conversations most recently updated first, with peer, lastMessage and unreadCount', async () => {
    const [me, first, conversation1] = await friends(plaza); // me sent the opening "hi"
    const second = await registerUser(plaza.client(), { prefix: 'mr' });
    await follow(me, second);
    await follow(second, me);
    const opener = await sendWhenFriends(second, me, 'hello from second');
    await send(first.client, me.id, 'newest, from first');

    const page = await conversations(me);
    expect(page.edges.map((e) => e.node.id)).toEqual([conversation1, opener.conversation.id]);
    const [c1, c2] = page.edges.map((e) => e.node);
    expect(c1).toMatchObject({ peer: { id: first.id, username: first.username }, lastMessage: { body: 'newest, from first' }, unreadCount: 1 });
    expect(c2).toMatchObject({ peer: { id: second.id, username: second.username }, lastMessage: { body: 'hello from second' }, unreadCount: 1 });

    // Paged one at a time, the same order.
    const p1 = await conversations(me, 1);
    const p2 = await conversations(me, 1, p1.pageInfo.endCursor ?? undefined);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    expect([...p1.edges, ...p2.edges].map((e) => e.node.id)).toEqual([conversation1, opener.conversation.id]);
    expect(p2.pageInfo.hasNextPage).toBe(false);

    // A new message moves a conversation to the top.
    await send(second.client, me.id, 'bump');
    expect((await conversations(me)).edges.map((e) => e.node.id)).toEqual([opener.conversation.id, conversation1]);
  });

  it('should count unread messages from the peer only, and reset the viewer count on markConversationRead', async () => {
    const [a, b, conversationId] = await friends(plaza); // a sent "hi"
    await send(a.client, b.id, 'two');
    await send(a.client, b.id, 'three');
    await send(b.client, a.id, 'reply');
    const read = async (user: TestUser) =>
      (await user.client.ok<{ conversation: ConversationShape }>(CONVERSATION, { id: conversationId })).conversation.unreadCount;
    expect(await read(b)).toBe(3);
    expect(await read(a)).toBe(1);

    const marked = await b.client.ok<{ markConversationRead: { id: string; unreadCount: number } }>(MARK_READ, { id: conversationId });
    expect(marked.markConversationRead).toEqual({ id: conversationId, unreadCount: 0 });
    expect(await read(b)).toBe(0);
    expect(await read(a)).toBe(1);
    await send(a.client, b.id, 'four');
    expect(await read(b)).toBe(1);
  });
});

describe('messages pages', () => {
  it('should page newest first with cursors that stay correct while new messages arrive', async () => {
    const [a, b, conversationId] = await friends(plaza); // "hi" is the oldest
    const sent: MessageShape[] = [];
    for (let i = 1; i <= 9; i++) sent.push(await send(i % 2 ? a.client : b.client, i % 2 ? b.id : a.id, `m${i}`));
    const expected = ['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1', 'hi'];

    const page1 = await messages(a, conversationId, 4);
    expect(page1.edges.map((e) => e.node.body)).toEqual(expected.slice(0, 4));
    // Messages arriving between pages never shift the pages that follow.
    await send(b.client, a.id, 'new 1');
    await send(a.client, b.id, 'new 2');
    const page2 = await messages(a, conversationId, 4, page1.pageInfo.endCursor ?? undefined);
    const page3 = await messages(a, conversationId, 4, page2.pageInfo.endCursor ?? undefined);
    expect(page2.edges.map((e) => e.node.body)).toEqual(expected.slice(4, 8));
    expect(page3.edges.map((e) => e.node.body)).toEqual(expected.slice(8));
    expect(page2.pageInfo.hasNextPage).toBe(true);
    expect(page3.pageInfo.hasNextPage).toBe(false);

    expect((await messages(b, conversationId, 2)).edges.map((e) => e.node.body)).toEqual(['new 2', 'new 1']);
  });

  it('should refuse a cursor of another list and a page over 100', async () => {
    const [a, , conversationId] = await friends(plaza);
    const convCursor = (await conversations(a, 1)).pageInfo.endCursor;
    const wrong = await a.client.request(MESSAGES, { id: conversationId, first: 5, after: convCursor });
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(errorCode(await a.client.request(MESSAGES, { id: conversationId, first: 101 }))).toBe('BAD_USER_INPUT');
  });
});

describe('conversation authorization', () => {
  it('should show a conversation to its participants only: null for anyone else, NOT_FOUND to mark it read', async () => {
    const [a, b, conversationId] = await friends(plaza);
    const outsider = await registerUser(plaza.client(), { prefix: 'mr' });
    expect((await a.client.ok<{ conversation: ConversationShape | null }>(CONVERSATION, { id: conversationId })).conversation?.peer.id).toBe(b.id);
    expect((await outsider.client.ok<{ conversation: unknown }>(CONVERSATION, { id: conversationId })).conversation).toBeNull();
    expect((await plaza.client().ok<{ conversation: unknown }>(CONVERSATION, { id: conversationId })).conversation).toBeNull();
    expect(errorCode(await outsider.client.request(MARK_READ, { id: conversationId }))).toBe('NOT_FOUND');
    expect((await conversations(outsider)).edges).toEqual([]);
    expect(errorCode(await plaza.client().request(CONVERSATIONS, {}))).toBe('UNAUTHENTICATED');
  });
});

describe('rate limit', () => {
  it('should allow 20 messages per 10 seconds per sender, then answer RATE_LIMITED with retryAfterSeconds', async () => {
    const [a, b] = await friends(plaza); // "hi" counted
    for (let i = 0; i < 19; i++) await send(a.client, b.id, `burst ${i}`);
    const limited = await a.client.request(SEND, { input: { toUserId: b.id, body: 'one too many' } });
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    const retryAfter = limited.errors?.[0]?.extensions?.retryAfterSeconds;
    expect(typeof retryAfter === 'number' && retryAfter >= 1 && retryAfter <= 10).toBe(true);
    // Per sender: the other participant is not limited.
    expect((await send(b.client, a.id, 'my turn')).body).toBe('my turn');
  });
});
