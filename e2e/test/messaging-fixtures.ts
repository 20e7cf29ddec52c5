import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { errorCode, registerUser, waitUntil, wsClient, wsRequest, type GraphQLClient, type Plaza, type TestUser, type WsOutcome } from '../src/index.js';

/** Shared by the messaging-*.test.ts files: the chat API's shapes and helpers, all through the gateway. */

export const MESSAGE_FIELDS = 'id body clientMessageId createdAt sender { id } conversation { id }';

export interface MessageShape {
  id: string;
  body: string;
  clientMessageId: string | null;
  createdAt: string;
  sender: { id: string };
  conversation: { id: string };
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface ConversationShape {
  id: string;
  peer: { id: string; username: string };
  lastMessage: { id: string; body: string } | null;
  unreadCount: number;
  updatedAt: string;
}

export const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;
export const MARK_READ = 'mutation($id: ID!) { markConversationRead(conversationId: $id) { id unreadCount } }';
export const CONVERSATION_FIELDS = 'id peer { id username } lastMessage { id body } unreadCount updatedAt';
export const CONVERSATIONS = `query($first: Int, $after: String) {
  conversations(first: $first, after: $after) { edges { cursor node { ${CONVERSATION_FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;
export const CONVERSATION = `query($id: ID!) { conversation(id: $id) { ${CONVERSATION_FIELDS} } }`;
export const MESSAGES = `query($id: ID!, $first: Int, $after: String) {
  conversation(id: $id) { id messages(first: $first, after: $after) { edges { cursor node { id body } } pageInfo { hasNextPage endCursor } } }
}`;
export const FOLLOW = 'mutation($id: ID!) { follow(userId: $id) { id } }';
export const UNFOLLOW = 'mutation($id: ID!) { unfollow(userId: $id) { id } }';

/** The subscription the tests use: messaging's fields and identity's, in one event. */
export const MESSAGE_ADDED = `subscription($conversationId: ID) {
  messageAdded(conversationId: $conversationId) {
    id body clientMessageId createdAt
    sender { id username displayName avatarUrl }
    conversation { id unreadCount peer { id username } }
  }
}`;

export interface AddedShape {
  id: string;
  body: string;
  clientMessageId: string | null;
  createdAt: string;
  sender: { id: string; username: string; displayName: string; avatarUrl: string | null };
  conversation: { id: string; unreadCount: number; peer: { id: string; username: string } };
}

export const uniqueBody = (prefix = 'msg') => `${prefix} ${randomBytes(4).toString('hex')}`;

/**
 * Follows `whom` through the gateway (social's real `follow`). A user registered a moment ago may
 * not be known to social yet (it learns users from identity's events): NOT_FOUND is retried.
 */
export async function follow(who: TestUser, whom: TestUser): Promise<void> {
  await waitUntil(async () => {
    const res = await who.client.request(FOLLOW, { id: whom.id });
    if (!res.errors) return true;
    if (errorCode(res) === 'NOT_FOUND') return false;
    throw new Error(`follow failed: ${JSON.stringify(res.errors)}`);
  }, 30_000, 100);
}

export async function unfollow(who: TestUser, whom: TestUser): Promise<void> {
  await who.client.ok(UNFOLLOW, { id: whom.id });
}

/** Sends until it goes through: used once two users followed each other (messaging's projection follows social's events). */
export async function sendWhenFriends(from: TestUser, to: TestUser, body = uniqueBody(), timeoutMs = 15_000): Promise<MessageShape> {
  return waitUntil(async () => {
    const res = await from.client.request<{ sendMessage: MessageShape }>(SEND, { input: { toUserId: to.id, body } });
    if (res.data?.sendMessage) return res.data.sendMessage;
    if (errorCode(res) === 'FORBIDDEN') return undefined;
    throw new Error(`sendMessage failed: ${JSON.stringify(res.errors)}`);
  }, timeoutMs, 50);
}

/** Two fresh users who follow each other, and whose friendship messaging already knows of. */
export async function friends(plaza: Plaza, prefix = 'mf'): Promise<[TestUser, TestUser, string]> {
  const [a, b] = await Promise.all([registerUser(plaza.client(), { prefix }), registerUser(plaza.client(), { prefix })]);
  await follow(a, b);
  await follow(b, a);
  const first = await sendWhenFriends(a, b, 'hi');
  return [a, b, first.conversation.id];
}

export async function send(client: GraphQLClient, toUserId: string, body: string, clientMessageId?: string): Promise<MessageShape> {
  const data = await client.ok<{ sendMessage: MessageShape }>(SEND, { input: { toUserId, body, ...(clientMessageId ? { clientMessageId } : {}) } });
  return data.sendMessage;
}

/** A subscription's results as they arrive, and how it ended. */
export interface Feed<T> {
  results: { data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }[];
  /** Resolves when the subscription completes or errors (the error, if any). */
  ended: Promise<unknown>;
  /** Waits until a result satisfies `match`. */
  next(match: (data: T) => boolean, timeoutMs?: number): Promise<T>;
  stop(): void;
}

export function collect<T>(client: Client, query: string, variables?: Record<string, unknown>): Feed<T> {
  const results: Feed<T>['results'] = [];
  let settle: (value: unknown) => void = () => {};
  const ended = new Promise<unknown>((resolve) => {
    settle = resolve;
  });
  const stop = client.subscribe<T>(
    { query, ...(variables ? { variables } : {}) },
    {
      next: (value) => {
        results.push(value);
      },
      error: (err) => settle(err ?? 'error'),
      complete: () => settle(undefined),
    },
  );
  return {
    results,
    ended,
    stop,
    next: (match, timeoutMs = 10_000) =>
      waitUntil(() => Promise.resolve(results.map((r) => r.data).find((d): d is T => d !== null && d !== undefined && match(d))), timeoutMs, 20),
  };
}

/** A signed-in graphql-ws connection to a gateway (no retries, so tests see close codes). */
export async function connect(url: string, user: Pick<TestUser, 'accessToken'>): Promise<{ client: Client; outcome: Promise<WsOutcome>; closed: Promise<WsOutcome> }> {
  let onClosed: (o: WsOutcome) => void = () => {};
  const closed = new Promise<WsOutcome>((resolve) => {
    onClosed = resolve;
  });
  const { client, outcome } = wsClient(url, { authorization: `Bearer ${user.accessToken}` });
  client.on('closed', (event) => {
    const e = event as { code?: number; reason?: string };
    onClosed({ acknowledged: true, closeCode: e.code, closeReason: e.reason });
  });
  const first = await outcome;
  if (!first.acknowledged) throw new Error(`connection refused: ${first.closeCode} ${first.closeReason}`);
  return { client, outcome, closed };
}

/**
 * Waits until every subscription started on `client` is live. graphql-ws has no message for it;
 * the gateway runs a query on a socket only after the subscriptions that socket started before
 * are live, so a query's answer says so (the same ordering makes a client's catch-up gap-free).
 */
export async function live(client: Client): Promise<void> {
  const result = await wsRequest<{ __typename: string }>(client, '{ __typename }');
  if (result.errors?.length) throw new Error(`query over the socket failed: ${JSON.stringify(result.errors)}`);
}
