import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startPlaza, wsClient, wsRequest, type Plaza } from '../src/index.js';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(async () => {
  await plaza?.close();
});

describe('graphql-ws on the gateway', () => {
  it('should acknowledge a connection with a valid token and run operations over it', async () => {
    const user = await registerUser(plaza.client());
    const { client, outcome } = wsClient(plaza.wsUrl, { authorization: `Bearer ${user.accessToken}` });
    expect(await outcome).toMatchObject({ acknowledged: true });
    const result = await wsRequest<{ viewer: { id: string; postCount: number } }>(client, '{ viewer { id postCount } }');
    expect(result.data).toEqual({ viewer: { id: user.id, postCount: 0 } });
    await client.dispose();
  });

  it('should close with 4401 when connection_init carries no token', async () => {
    const { client, outcome } = wsClient(plaza.wsUrl);
    expect(await outcome).toMatchObject({ acknowledged: false, closeCode: 4401 });
    await client.dispose();
  });

  it('should close with 4401 for an invalid token', async () => {
    const { client, outcome } = wsClient(plaza.wsUrl, { authorization: 'Bearer not.a.token' });
    expect(await outcome).toMatchObject({ acknowledged: false, closeCode: 4401 });
    await client.dispose();
  });

  it('should close with 4401 for a revoked token', async () => {
    const user = await registerUser(plaza.client());
    await user.client.ok('mutation { logout }');
    const { client, outcome } = wsClient(plaza.wsUrl, { authorization: `Bearer ${user.accessToken}` });
    expect(await outcome).toMatchObject({ acknowledged: false, closeCode: 4401 });
    await client.dispose();
  });

  it('should report validation errors for operations the graph cannot run', async () => {
    const user = await registerUser(plaza.client());
    const { client } = wsClient(plaza.wsUrl, { authorization: `Bearer ${user.accessToken}` });
    const result = await wsRequest(client, '{ nope }');
    expect(result.errors?.[0]?.message).toMatch(/nope/);
    // The same text again (its parse and validation are remembered): the same errors, and a
    // valid operation on the same socket still runs.
    const again = await wsRequest(client, '{ nope }');
    expect(again.errors?.map((e) => e.message)).toEqual(result.errors?.map((e) => e.message));
    const ok = await wsRequest<{ viewer: { id: string } }>(client, '{ viewer { id } }');
    expect(ok.data).toEqual({ viewer: { id: user.id } });
    await client.dispose();
  });
});
