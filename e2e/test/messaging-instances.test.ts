import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, type Closer, type RunningServer } from '@plaza/common';
import { loadConfig as gatewayConfig, startGateway, type RunningGateway } from '@plaza/gateway';
import { SUBGRAPHS } from '@plaza/schema';
import { startPlaza, waitUntil, type Plaza } from '../src/index.js';
import { collect, connect, friends, MESSAGE_ADDED, send, uniqueBody, live, type AddedShape } from './messaging-fixtures.js';

/**
 * Several gateways and several messaging instances at once: the harness starts one of each; the
 * tests start more, on the same Postgres, Redis and Kafka.
 */
let plaza: Plaza;
const extra: Closer[] = [];

const base = (): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  PORT: '0',
  PG_POOL_MAX: '2',
  KAFKA_GROUP_PREFIX: `plaza-e2e-${randomBytes(6).toString('hex')}`,
});

async function startMessaging(): Promise<RunningServer> {
  const definition = SUBGRAPHS.find((s) => s.name === 'messaging');
  if (!definition) throw new Error('messaging is not in the registry');
  const server = await definition.start(base());
  // A test may stop it before afterAll does: closing is done once.
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close());
  extra.unshift(close);
  return { ...server, close };
}

/** A gateway whose messaging is `messagingUrl`; the other subgraphs are the harness's (or `overrides`). */
async function startGatewayOn(messagingUrl: string, executor: 'plaza' | 'apollo' = 'plaza', overrides: Record<string, string> = {}): Promise<RunningGateway> {
  const urls = { ...plaza.subgraphUrls, messaging: messagingUrl, ...overrides };
  const gateway = await startGateway(
    gatewayConfig({
      ...base(),
      HOST: '127.0.0.1',
      TRUST_PROXY: 'true',
      GATEWAY_EXECUTOR: executor,
      ...Object.fromEntries(Object.entries(urls).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase()}`, url])),
    }),
  );
  extra.unshift(() => gateway.close());
  return gateway;
}

/** The URL of a port nothing listens on (connections are refused at once). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

let second: { messaging: RunningServer; gateway: RunningGateway };

beforeAll(async () => {
  plaza = await startPlaza();
  const messaging = await startMessaging();
  // Warm-up: social's and messaging's consumers have joined their groups before the tests run.
  await friends(plaza, 'mw');
  // The second gateway runs plans with stock @apollo/gateway's executor, the first with Plaza's.
  second = { messaging, gateway: await startGatewayOn(messaging.url, 'apollo') };
});
afterAll(async () => {
  await closeAll(extra);
  await plaza?.close();
});

type Added = { messageAdded: AddedShape };

describe('several gateways and messaging instances', () => {
  it('should deliver a message stored by one messaging instance to a subscriber of another gateway and instance, both ways', async () => {
    const [a, b, conversationId] = await friends(plaza);
    // a: first gateway and first messaging instance; b: second gateway and second instance.
    const atA = await connect(plaza.wsUrl, a);
    const atB = await connect(second.gateway.wsUrl, b);
    const feedA = collect<Added>(atA.client, MESSAGE_ADDED);
    const feedB = collect<Added>(atB.client, MESSAGE_ADDED);
    await live(atB.client);
    await live(atA.client);

    const fromA = await send(a.client, b.id, uniqueBody('via gateway 1'));
    const gotB = await feedB.next((d) => d.messageAdded.id === fromA.id);
    expect(gotB.messageAdded).toMatchObject({ sender: { id: a.id, username: a.username }, conversation: { id: conversationId, peer: { id: a.id } } });

    // b sends through the second gateway (and so the second messaging instance).
    const bOnSecond = b.client.withToken(b.accessToken);
    const viaSecond = await fetch(second.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bOnSecond.token}` },
      body: JSON.stringify({
        query: 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
        variables: { input: { toUserId: a.id, body: uniqueBody('via gateway 2') } },
      }),
    });
    const sent = (await viaSecond.json()) as { data: { sendMessage: { id: string } } };
    const gotA = await feedA.next((d) => d.messageAdded.id === sent.data.sendMessage.id);
    expect(gotA.messageAdded).toMatchObject({ sender: { id: b.id, username: b.username }, conversation: { peer: { id: b.id } } });
    await Promise.all([atA.client.dispose(), atB.client.dispose()]);
  });

  it('should give the same answer whichever executor runs the rest of the plan (Plaza on one gateway, Apollo on the other)', async () => {
    const [a, b] = await friends(plaza);
    expect(second.gateway.subscriptions.stats().executor).toBe('apollo');
    const onPlaza = await connect(plaza.wsUrl, b);
    const onApollo = await connect(second.gateway.wsUrl, b);
    const feeds = [collect<Added>(onPlaza.client, MESSAGE_ADDED), collect<Added>(onApollo.client, MESSAGE_ADDED)];
    await live(onPlaza.client);
    await live(onApollo.client);
    const message = await send(a.client, b.id, uniqueBody('either executor'));
    const [viaPlaza, viaApollo] = await Promise.all(feeds.map((f) => f.next((d) => d.messageAdded.id === message.id)));
    expect(viaApollo).toEqual(viaPlaza);
    expect(viaPlaza?.messageAdded.sender).toEqual({ id: a.id, username: a.username, displayName: a.username, avatarUrl: null });
    await onPlaza.client.dispose();
    await onApollo.client.dispose();
  });

  it('should complete an event once for all of one user subscribers of the same operation on a gateway', async () => {
    const [a, b] = await friends(plaza);
    const connections = await Promise.all([connect(second.gateway.wsUrl, b), connect(second.gateway.wsUrl, b), connect(second.gateway.wsUrl, b)]);
    const feeds = connections.map((c) => collect<Added>(c.client, MESSAGE_ADDED));
    for (const c of connections) await live(c.client);
    const stats = () => second.gateway.subscriptions.stats();
    await waitUntil(() => Promise.resolve(stats().subscribers >= 3));
    const before = stats();

    const message = await send(a.client, b.id, uniqueBody('shared'));
    for (const feed of feeds) await feed.next((d) => d.messageAdded.id === message.id);
    const after = stats();
    // One upstream event, one rest run (identity's fields fetched once), three deliveries.
    expect(after.upstreamEvents - before.upstreamEvents).toBe(1);
    expect(after.eventsResolved - before.eventsResolved).toBe(1);
    expect(after.deliveries - before.deliveries).toBe(3);
    expect(after.restFetches - before.restFetches).toBeLessThanOrEqual(2);
    for (const c of connections) await c.client.dispose();
  });

  it('should close its subscribers sockets with 1012 when the messaging instance behind a gateway goes away', async () => {
    const [a, b] = await friends(plaza);
    const messaging = await startMessaging();
    const gateway = await startGatewayOn(messaging.url);
    const sub = await connect(gateway.wsUrl, b);
    const feed = collect<Added>(sub.client, MESSAGE_ADDED);
    await live(sub.client);
    const before = await send(a.client, b.id, uniqueBody('before the restart'));
    await feed.next((d) => d.messageAdded.id === before.id);
    await messaging.close();
    // Results may have been missed: the client is told to reconnect (and then catch up).
    expect((await sub.closed).closeCode).toBe(1012);
    await sub.client.dispose();
  });

  it('should close its subscribers sockets with 1013 when it cannot complete an event (identity unreachable), never send an event without its message', async () => {
    const [a, b] = await friends(plaza);
    const gateway = await startGatewayOn(plaza.subgraphUrls.messaging!, 'plaza', { identity: await deadUrl() });
    const sub = await connect(gateway.wsUrl, b);
    const feed = collect<Added>(sub.client, MESSAGE_ADDED);
    await live(sub.client);
    await send(a.client, b.id, uniqueBody('while identity is away'));
    // The client reconnects and catches up (the README's pattern) and so misses nothing.
    expect((await sub.closed).closeCode).toBe(1013);
    expect(feed.results).toEqual([]);
    await sub.client.dispose();
  });
});
