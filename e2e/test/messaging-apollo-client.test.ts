import { ApolloClient, InMemoryCache, gql, type TypedDocumentNode } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlaza, waitUntil, type Plaza, type TestUser } from '../src/index.js';
import { friends, send, uniqueBody } from './messaging-fixtures.js';

/**
 * Apollo Client 4 with GraphQLWsLink, as a chat frontend would use it, and the catch-up pattern
 * the README documents ("Realtime chat"), written here as the README writes it.
 */
let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
  await friends(plaza, 'mw');
});
afterAll(async () => {
  await plaza?.close();
});

interface ChatMessage {
  id: string;
  body: string;
  createdAt: string;
  conversation: { id: string };
  sender: { id: string; displayName: string; avatarUrl: string | null };
}

const MESSAGE_ADDED: TypedDocumentNode<{ messageAdded: ChatMessage }> = gql`
  subscription {
    messageAdded {
      id
      body
      createdAt
      conversation { id }
      sender { id displayName avatarUrl }
    }
  }
`;

interface MessagesPage {
  edges: { node: ChatMessage }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const MESSAGES: TypedDocumentNode<{ conversation: { messages: MessagesPage } | null }, { id: string; after: string | null }> = gql`
  query Messages($id: ID!, $after: String) {
    conversation(id: $id) {
      messages(first: 50, after: $after) {
        edges { node { id body createdAt conversation { id } sender { id displayName avatarUrl } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

/** An Apollo Client whose every operation goes over one graphql-ws connection (README). */
function chatClient(user: TestUser, options: { onReconnected: () => void; retryWait?: () => Promise<void> }) {
  let socket: WebSocket | undefined;
  const ws: Client = createClient({
    url: plaza.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: () => ({ authorization: `Bearer ${user.accessToken}` }),
    ...(options.retryWait ? { retryWait: options.retryWait } : {}),
    on: {
      connected: (s, _payload, wasRetry) => {
        socket = s as WebSocket;
        // After graphql-ws has sent the subscriptions again (next tick), catch up.
        if (wasRetry) setTimeout(options.onReconnected, 0);
      },
    },
  });
  const client = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
  return { client, ws, socket: () => socket };
}

/** The README's catch-up: messages newer than the newest one the app has, oldest first. */
async function missedMessages(client: ApolloClient, conversationId: string, newestKnownId: string | undefined): Promise<ChatMessage[]> {
  const missed: ChatMessage[] = [];
  let after: string | null = null;
  for (;;) {
    const variables: { id: string; after: string | null } = { id: conversationId, after };
    const { data } = await client.query({ query: MESSAGES, variables, fetchPolicy: 'network-only' });
    const page = data?.conversation?.messages;
    if (!page) return missed.reverse();
    for (const { node } of page.edges) {
      if (node.id === newestKnownId) return missed.reverse();
      missed.push(node);
    }
    if (!page.pageInfo.hasNextPage) return missed.reverse();
    after = page.pageInfo.endCursor;
  }
}

describe('Apollo Client 4 with GraphQLWsLink', () => {
  it('should receive messageAdded with the sender fields identity owns', async () => {
    const [a, b] = await friends(plaza);
    const { client, ws } = chatClient(b, { onReconnected: () => {} });
    const received: ChatMessage[] = [];
    const subscription = client.subscribe({ query: MESSAGE_ADDED }).subscribe({
      next: ({ data }) => {
        if (data) received.push(data.messageAdded);
      },
    });
    // A query over the socket runs once the subscription is live.
    await client.query({ query: gql`{ __typename }`, fetchPolicy: 'network-only' });
    const sent = await send(a.client, b.id, uniqueBody('to apollo'));
    const got = await waitUntil(() => Promise.resolve(received.find((m) => m.id === sent.id)));
    expect(got).toMatchObject({ body: sent.body, sender: { id: a.id, displayName: a.username, avatarUrl: null }, conversation: { id: sent.conversation.id } });
    subscription.unsubscribe();
    await ws.dispose();
  });

  it('should catch up with no gap after a disconnect: live before, catch-up for the gap, live after', async () => {
    const [a, b, conversationId] = await friends(plaza);
    const live: ChatMessage[] = [];
    let caughtUp: ChatMessage[] | undefined;
    let reconnect: () => void = () => {};
    const mayReconnect = new Promise<void>((resolve) => {
      reconnect = resolve;
    });
    const newestKnown = () => live.at(-1)?.id;
    const chat = chatClient(b, {
      // The README's handler: on a reconnection, fetch what the subscription missed.
      onReconnected: () => {
        missedMessages(chat.client, conversationId, newestKnown()).then(
          (missed) => {
            caughtUp = missed;
          },
          (err: unknown) => {
            throw err;
          },
        );
      },
      // The test decides when the client comes back (graphql-ws waits on this before retrying).
      retryWait: () => mayReconnect,
    });
    const subscription = chat.client.subscribe({ query: MESSAGE_ADDED }).subscribe({
      next: ({ data }) => {
        if (data) live.push(data.messageAdded);
      },
    });
    await chat.client.query({ query: gql`{ __typename }`, fetchPolicy: 'network-only' });
    const before = await send(a.client, b.id, uniqueBody('before'));
    await waitUntil(() => Promise.resolve(live.some((m) => m.id === before.id)));

    // The connection drops; two messages are sent while the client is away.
    const closed = new Promise<void>((resolve) => chat.ws.on('closed', () => resolve()));
    chat.socket()?.terminate();
    await closed;
    const gap = [await send(a.client, b.id, uniqueBody('gap 1')), await send(a.client, b.id, uniqueBody('gap 2'))];
    reconnect();

    const missed = await waitUntil(() => Promise.resolve(caughtUp), 15_000);
    expect(missed.map((m) => m.id)).toEqual(gap.map((m) => m.id));
    const after = await send(a.client, b.id, uniqueBody('after'));
    await waitUntil(() => Promise.resolve(live.some((m) => m.id === after.id)));
    // Live and caught up together: every message once, in order.
    const seen = [...new Map([...live, ...missed].map((m) => [m.id, m])).values()].sort((x, y) => x.createdAt.localeCompare(y.createdAt));
    expect(seen.map((m) => m.id).slice(-4)).toEqual([before.id, ...gap.map((m) => m.id), after.id]);
    subscription.unsubscribe();
    await chat.ws.dispose();
  });
});
