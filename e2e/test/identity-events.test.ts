import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@plaza/events';
import { registerUser, startPlaza, testPool, waitUntil, watchEvents, type EventWatcher, type Plaza } from '../src/index.js';

let plaza: Plaza;
let users: EventWatcher;
const pool = testPool();
beforeAll(async () => {
  users = await watchEvents(TOPICS.users);
  plaza = await startPlaza();
});
afterAll(async () => {
  await plaza?.close();
  await users?.stop();
  await pool.end();
});

describe('identity events', () => {
  it('publishes user.registered keyed by user id, without the password', async () => {
    const user = await registerUser(plaza.client(), { displayName: '小红' });
    const event = await users.waitFor((e) => e.type === 'user.registered' && e.envelope.key === user.id);
    expect(event.envelope).toMatchObject({ source: 'identity', version: 1, key: user.id });
    expect(event.envelope.data).toMatchObject({ userId: user.id, username: user.username, displayName: '小红', bio: '', avatarUrl: null });
    expect(JSON.stringify(event.envelope)).not.toContain(user.password);
  });

  it('publishes user.updated after a profile change, and marks the outbox rows published', async () => {
    const user = await registerUser(plaza.client());
    await user.client.ok('mutation { updateProfile(input: { bio: "hello" }) { id } }');
    const event = await users.waitFor((e) => e.type === 'user.updated' && e.envelope.key === user.id);
    expect(event.envelope.data).toMatchObject({ userId: user.id, bio: 'hello' });
    const pending = await waitUntil(async () => {
      const { rows } = await pool.query<{ n: string }>(
        "select count(*) as n from identity.outbox where key = $1 and published_at is null",
        [user.id],
      );
      return rows[0]?.n === '0' ? true : undefined;
    });
    expect(pending).toBe(true);
  });
});
