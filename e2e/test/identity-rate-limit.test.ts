import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, registerUser, startPlaza, uniqueName, type Plaza } from '../src/index.js';

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza({
    subgraphEnv: { identity: { LOGIN_MAX_FAILURES_PER_USERNAME: '3', LOGIN_MAX_FAILURES_PER_IP: '5', LOGIN_WINDOW_SECONDS: '600' } },
  });
});
afterAll(async () => {
  await plaza?.close();
});

describe('login throttling', () => {
  it('limits failures per username, then refuses even the right password with RATE_LIMITED and retryAfterSeconds', async () => {
    const user = await registerUser(plaza.client());
    for (let i = 0; i < 3; i++) {
      // Each attempt from a different address: the per-username window counts them all.
      const res = await plaza.client().request(LOGIN, { input: { username: user.username, password: `wrong-${i}-password` } });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
    const limited = await plaza.client().request(LOGIN, { input: { username: user.username, password: user.password } });
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    const retry = limited.errors?.[0]?.extensions?.retryAfterSeconds;
    expect(retry).toEqual(expect.any(Number));
    expect(retry as number).toBeGreaterThan(0);
    expect(retry as number).toBeLessThanOrEqual(600);
  });

  it('limits failures per client address across usernames, leaving other addresses alone', async () => {
    const attacker = plaza.client();
    for (let i = 0; i < 5; i++) {
      const res = await attacker.request(LOGIN, { input: { username: uniqueName('victim'), password: 'guessing-123' } });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
    const user = await registerUser(plaza.client());
    const blocked = await attacker.request(LOGIN, { input: { username: user.username, password: user.password } });
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
    const elsewhere = await plaza.client().request(LOGIN, { input: { username: user.username, password: user.password } });
    expect(elsewhere.errors).toBeUndefined();
  });

  it('does not count successful logins', async () => {
    const user = await registerUser(plaza.client());
    const client = plaza.client();
    for (let i = 0; i < 6; i++) {
      const res = await client.request(LOGIN, { input: { username: user.username, password: user.password } });
      expect(res.errors).toBeUndefined();
    }
  });
});
