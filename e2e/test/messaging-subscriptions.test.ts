import { join } from 'node:path';
import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, resolvePrivateKey } from '@plaza/common';
import { registerUser, startPlaza, waitUntil, wsClient, wsRequest, type Plaza, type TestUser } from '../src/index.js';
import {
  collect,
  connect,
  follow,
  friends,
  MESSAGE_ADDED,
  send,
  sendWhenFriends,
  uniqueBody,
  live,
  type AddedShape,
  type Feed,
} from './messaging-fixtures.js';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
  // Warm-up: social's and messaging's consumers have joined their groups before the tests run.
  await friends(plaza, 'mw');
});
afterAll(async () => {
  await plaza?.close();
});

type Added = { messageAdded: AddedShape };

/** A signed-in connection with `messageAdded` subscribed (all conversations, or one). */
async function subscribe(user: TestUser, conversationId?: string) {
  const connection = await connect(plaza.wsUrl, user);
  const feed: Feed<Added> = collect<Added>(connection.client, MESSAGE_ADDED, conversationId ? { conversationId } : undefined);
  return { ...connection, feed };
}

/** A token like identity's, signed with the development key, expiring in `seconds`. */
async function shortLivedToken(user: TestUser, seconds: number): Promise<string> {
  const { sid } = decodeJwt(user.accessToken) as { sid: string };
  const key = await importPKCS8(resolvePrivateKey({ production: false, home: join(repoRoot(), '.plaza') }), 'EdDSA');
  const exp = Math.floor(Date.now() / 1000) + seconds;
  return new SignJWT({ sid })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject(user.id)
    .setJti(crypto.randomUUID())
    .setIssuer('plaza')
    .setAudience('plaza')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);
}

describe('messageAdded through the gateway', () => {
  it('should be in the composed API: introspection through the gateway shows it', async () => {
    const data = await plaza.client().ok<{ __schema: { subscriptionType: { fields: { name: string; args: { name: string }[] }[] } } }>(
      '{ __schema { subscriptionType { fields { name args { name } } } } }',
    );
    expect(data.__schema.subscriptionType.fields).toContainEqual({ name: 'messageAdded', args: [{ name: 'conversationId' }] });
  });

  it('should deliver a message to both participants with the fields identity owns, each with their own view', async () => {
    const [a, b, conversationId] = await friends(plaza);
    const subA = await subscribe(a);
    const subB = await subscribe(b);
    await live(subB.client);
    await live(subA.client);

    const key = `k-${Date.now()}`;
    const sent = await send(a.client, b.id, 'hello, with fields from identity', key);
    const atB = (await subB.feed.next((d) => d.messageAdded.id === sent.id)).messageAdded;
    const atA = (await subA.feed.next((d) => d.messageAdded.id === sent.id)).messageAdded;
    expect(atB).toEqual({
      id: sent.id,
      body: 'hello, with fields from identity',
      clientMessageId: null,
      createdAt: sent.createdAt,
      // Registered without a display name: identity shows the username.
      sender: { id: a.id, username: a.username, displayName: a.username, avatarUrl: null },
      conversation: { id: conversationId, unreadCount: atB.conversation.unreadCount, peer: { id: a.id, username: a.username } },
    });
    expect(atA).toMatchObject({
      id: sent.id,
      clientMessageId: key,
      sender: { id: a.id, username: a.username },
      conversation: { id: conversationId, peer: { id: b.id, username: b.username } },
    });
    expect(atB.conversation.unreadCount).toBeGreaterThan(atA.conversation.unreadCount);
    await Promise.all([subA.client.dispose(), subB.client.dispose()]);
  });

  it('should deliver every conversation in the all-conversations form, and one conversation with conversationId', async () => {
    const [me, f1, withF1] = await friends(plaza);
    const f2 = await registerUser(plaza.client(), { prefix: 'ms' });
    await follow(me, f2);
    await follow(f2, me);
    const all = await subscribe(me);
    const one = await subscribe(me, withF1);
    await live(all.client);
    await live(one.client);

    const fromF2 = await sendWhenFriends(f2, me, uniqueBody('from f2'));
    const fromF1 = await send(f1.client, me.id, uniqueBody('from f1'));
    await all.feed.next((d) => d.messageAdded.id === fromF2.id);
    await all.feed.next((d) => d.messageAdded.id === fromF1.id);
    await one.feed.next((d) => d.messageAdded.id === fromF1.id);
    // Delivery is prompt; give a stray message from the other conversation time to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(one.feed.results.every((r) => r.data?.messageAdded.conversation.id === withF1)).toBe(true);
    await Promise.all([all.client.dispose(), one.client.dispose()]);
  });

  it('should deliver every message of a concurrent burst exactly once to each connection of each participant', async () => {
    const [me, f1] = await friends(plaza);
    const f2 = await registerUser(plaza.client(), { prefix: 'ms' });
    await follow(me, f2);
    await follow(f2, me);
    await sendWhenFriends(f2, me, uniqueBody('first'));
    // Two connections of mine (one group at the gateway), one of f1's.
    const phone = await subscribe(me);
    const laptop = await subscribe(me);
    const atF1 = await subscribe(f1);
    await Promise.all([live(phone.client), live(laptop.client), live(atF1.client)]);

    // All at once, within the rate limit (20 per sender per 10 s): both friends to me, me to f1.
    const sent = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => send(f1.client, me.id, uniqueBody(`f1 ${i}`))),
      ...Array.from({ length: 8 }, (_, i) => send(f2.client, me.id, uniqueBody(`f2 ${i}`))),
      ...Array.from({ length: 4 }, (_, i) => send(me.client, f1.id, uniqueBody(`me ${i}`))),
    ]);
    const mine = sent.map((m) => m.id);
    const f1s = sent.filter((m) => m.conversation.id !== sent[8]!.conversation.id).map((m) => m.id);
    const received = (feed: Feed<Added>) => feed.results.flatMap((r) => (r.data ? [r.data.messageAdded.id] : []));
    await waitUntil(() => Promise.resolve([phone, laptop].every((s) => mine.every((id) => received(s.feed).includes(id))) || undefined), 15_000, 50);
    await waitUntil(() => Promise.resolve(f1s.every((id) => received(atF1.feed).includes(id)) || undefined), 15_000, 50);
    // Anything extra (a duplicate) would arrive with the rest; give it time to show up.
    await new Promise((r) => setTimeout(r, 300));
    for (const s of [phone, laptop]) expect([...received(s.feed)].sort()).toEqual([...mine].sort());
    expect([...received(atF1.feed)].sort()).toEqual([...f1s].sort());
    await Promise.all([phone.client.dispose(), laptop.client.dispose(), atF1.client.dispose()]);
  });

  it('should answer FORBIDDEN to a subscription to a conversation the viewer is not part of', async () => {
    const [, , conversationId] = await friends(plaza);
    const outsider = await registerUser(plaza.client(), { prefix: 'ms' });
    const sub = await subscribe(outsider, conversationId);
    await sub.feed.ended;
    expect(sub.feed.results).toHaveLength(1);
    expect(sub.feed.results[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(sub.feed.results[0]?.data ?? null).toBeNull();

    const invalid = collect<Added>(sub.client, MESSAGE_ADDED, { conversationId: 'not-an-id' });
    await invalid.ended;
    expect(invalid.results[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await sub.client.dispose();
  });

  it('should apply the gateway query limits and variable checks to subscriptions', async () => {
    const user = await registerUser(plaza.client(), { prefix: 'ms' });
    const { client } = await connect(plaza.wsUrl, user);
    let deep = 'id';
    for (let i = 0; i < 8; i++) deep = `conversation { lastMessage { ${deep} } }`;
    const tooDeep = collect<Added>(client, `subscription { messageAdded { ${deep} } }`);
    const badVariable = collect<Added>(client, MESSAGE_ADDED, { conversationId: { not: 'an id' } });
    for (const feed of [tooDeep, badVariable]) {
      const ended = await feed.ended;
      const errors = Array.isArray(ended) ? (ended as { message: string }[]) : feed.results[0]?.errors;
      expect(errors?.length).toBeGreaterThan(0);
    }
    // Queries still run over the same socket.
    expect((await wsRequest<{ viewer: { id: string } }>(client, '{ viewer { id } }')).data).toEqual({ viewer: { id: user.id } });
    await client.dispose();
  });
});

describe('sessions of subscribers', () => {
  it('should close with 4401 and stop delivering when the subscriber logs out', async () => {
    const [a, b] = await friends(plaza);
    const subB = await subscribe(b);
    await live(subB.client);
    await b.client.ok('mutation { logout }');
    const loggedOutAt = Date.now();
    const closed = await subB.closed;
    expect(closed.closeCode).toBe(4401);
    expect(Date.now() - loggedOutAt).toBeLessThan(5_000);
    const after = await send(a.client, b.id, uniqueBody('after logout'));
    await new Promise((r) => setTimeout(r, 500));
    expect(subB.feed.results.some((r) => r.data?.messageAdded.id === after.id)).toBe(false);
    await subB.client.dispose();
  });

  it('should close with 4401 when the subscriber changes their password on another device (its other sessions are revoked)', async () => {
    const b = await registerUser(plaza.client(), { prefix: 'ms' });
    const phone = await plaza.client().ok<{ login: { accessToken: string } }>(
      'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
      { input: { username: b.username, password: b.password } },
    );
    const subB = await subscribe({ ...b, accessToken: phone.login.accessToken });
    await live(subB.client);
    await b.client.ok('mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) }', {
      old: b.password,
      new: `${b.password}-changed`,
    });
    expect((await subB.closed).closeCode).toBe(4401);
    await subB.client.dispose();
  });

  it('should close with 4401 when the access token expires during the subscription', async () => {
    const user = await registerUser(plaza.client(), { prefix: 'ms' });
    const token = await shortLivedToken(user, 3);
    const { client, outcome } = wsClient(plaza.wsUrl, { authorization: `Bearer ${token}` });
    expect(await outcome).toMatchObject({ acknowledged: true });
    const closed = new Promise<number | undefined>((resolve) => client.on('closed', (e) => resolve((e as { code?: number }).code)));
    const feed = collect<Added>(client, MESSAGE_ADDED);
    expect(await closed).toBe(4401);
    expect(await feed.ended).toBeDefined();
    await client.dispose();
  });
});
