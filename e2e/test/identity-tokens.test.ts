import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, resolvePrivateKey } from '@plaza/common';
import { AUTH_FIELDS, errorCode, registerUser, startPlaza, type AuthPayloadShape, type Plaza } from '../src/index.js';
import { join } from 'node:path';

const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const CHANGE = 'mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(async () => {
  await plaza?.close();
});

async function viewerStatus(token: string): Promise<string> {
  const res = await plaza.client(token).request<{ viewer: { id: string } | null }>('{ viewer { id } }');
  return res.data?.viewer ? 'ok' : (errorCode(res) ?? 'none');
}

/** Signs a token with the development key, as identity would, with chosen claims. */
async function signWithDevKey(claims: { sub: string; sid: string; exp: number }, keyPem?: string): Promise<string> {
  const pem = keyPem ?? resolvePrivateKey({ production: false, home: join(repoRoot(), '.plaza') });
  const key = await importPKCS8(pem, 'EdDSA');
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject(claims.sub)
    .setJti(crypto.randomUUID())
    .setIssuer('plaza')
    .setAudience('plaza')
    .setIssuedAt(claims.exp - 1800)
    .setExpirationTime(claims.exp)
    .sign(key);
}

describe('access tokens', () => {
  it('are EdDSA JWTs with sub, jti and a 30-minute lifetime', async () => {
    const user = await registerUser(plaza.client());
    expect(decodeProtectedHeader(user.accessToken).alg).toBe('EdDSA');
    const claims = decodeJwt(user.accessToken);
    expect(claims.sub).toBe(user.id);
    expect(claims.jti).toEqual(expect.any(String));
    expect(claims.exp! - claims.iat!).toBe(30 * 60);
  });

  it('are refused with UNAUTHENTICATED when expired, forged, malformed or not Bearer', async () => {
    const user = await registerUser(plaza.client());
    const { sid } = decodeJwt(user.accessToken) as { sid: string };
    const expired = await signWithDevKey({ sub: user.id, sid, exp: Math.floor(Date.now() / 1000) - 60 });
    const otherKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = await signWithDevKey({ sub: user.id, sid, exp: Math.floor(Date.now() / 1000) + 600 }, otherKey);
    for (const token of [expired, forged, 'not.a.jwt', user.accessToken.slice(0, -4) + 'AAAA']) {
      const res = await plaza.client(token).request('{ viewer { id } }');
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
      expect(res.data ?? null).toBeNull();
    }
    const basic = await plaza.client().request('{ viewer { id } }', undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(errorCode(basic)).toBe('UNAUTHENTICATED');
  });

  it('are verified by every subgraph itself, not only by the gateway', async () => {
    const res = await fetch(plaza.subgraphUrls.identity!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer forged.token.here' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('refresh token rotation', () => {
  it('trades a refresh token for a new pair once; the old one stops working', async () => {
    const user = await registerUser(plaza.client());
    const first = await plaza.client().request<{ refreshToken: AuthPayloadShape }>(REFRESH, { t: user.refreshToken });
    const pair = first.data!.refreshToken;
    expect(pair.user.id).toBe(user.id);
    expect(pair.refreshToken).not.toBe(user.refreshToken);
    expect(await viewerStatus(pair.accessToken)).toBe('ok');
    const second = await plaza.client().request<{ refreshToken: AuthPayloadShape }>(REFRESH, { t: pair.refreshToken });
    expect(second.errors).toBeUndefined();
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const user = await registerUser(plaza.client());
    const rotated = (await plaza.client().ok<{ refreshToken: AuthPayloadShape }>(REFRESH, { t: user.refreshToken })).refreshToken;
    // An attacker replays the stolen, already-rotated token.
    const replay = await plaza.client().request(REFRESH, { t: user.refreshToken });
    expect(errorCode(replay)).toBe('UNAUTHENTICATED');
    // The legitimate holder's newer tokens of that family are dead too.
    const legit = await plaza.client().request(REFRESH, { t: rotated.refreshToken });
    expect(errorCode(legit)).toBe('UNAUTHENTICATED');
    expect(await viewerStatus(rotated.accessToken)).toBe('UNAUTHENTICATED');
    expect(await viewerStatus(user.accessToken)).toBe('UNAUTHENTICATED');
    // Other sessions of the same user are untouched.
    const other = await plaza.client().ok<{ login: AuthPayloadShape }>(LOGIN, { input: { username: user.username, password: user.password } });
    expect(await viewerStatus(other.login.accessToken)).toBe('ok');
  });

  it('lets exactly one of two concurrent rotations of one token through', async () => {
    const user = await registerUser(plaza.client());
    const results = await Promise.all([0, 1].map(() => plaza.client().request(REFRESH, { t: user.refreshToken })));
    expect(results.filter((r) => !r.errors).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => errorCode(r) === 'UNAUTHENTICATED').length).toBeGreaterThanOrEqual(1);
  });

  it('refuses an unknown refresh token', async () => {
    const res = await plaza.client().request(REFRESH, { t: 'A'.repeat(43) });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});

describe('logout', () => {
  it('revokes the current access token and its refresh family, not other sessions', async () => {
    const user = await registerUser(plaza.client());
    const other = (await plaza.client().ok<{ login: AuthPayloadShape }>(LOGIN, { input: { username: user.username, password: user.password } })).login;
    expect(await user.client.ok('mutation { logout }')).toEqual({ logout: true });
    expect(await viewerStatus(user.accessToken)).toBe('UNAUTHENTICATED');
    expect(errorCode(await plaza.client().request(REFRESH, { t: user.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(await viewerStatus(other.accessToken)).toBe('ok');
    expect((await plaza.client().request(REFRESH, { t: other.refreshToken })).errors).toBeUndefined();
  });

  it('works with a refresh token alone, and needs one of the two', async () => {
    const user = await registerUser(plaza.client());
    const out = await plaza.client().request('mutation($t: String) { logout(refreshToken: $t) }', { t: user.refreshToken });
    expect(out.data).toEqual({ logout: true });
    expect(errorCode(await plaza.client().request(REFRESH, { t: user.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await plaza.client().request('mutation { logout }'))).toBe('UNAUTHENTICATED');
  });
});

describe('changePassword', () => {
  it('needs the current password', async () => {
    const user = await registerUser(plaza.client());
    const res = await user.client.request(CHANGE, { o: 'wrong password', n: 'a new password' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe('oldPassword');
  });

  it('validates the new password like registration does', async () => {
    const user = await registerUser(plaza.client());
    const res = await user.client.request(CHANGE, { o: user.password, n: 'short' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe('newPassword');
  });

  it('revokes every other session and keeps the current one', async () => {
    const user = await registerUser(plaza.client());
    const other = (await plaza.client().ok<{ login: AuthPayloadShape }>(LOGIN, { input: { username: user.username, password: user.password } })).login;
    expect(await user.client.ok(CHANGE, { o: user.password, n: 'brand new password' })).toEqual({ changePassword: true });
    expect(await viewerStatus(other.accessToken)).toBe('UNAUTHENTICATED');
    expect(errorCode(await plaza.client().request(REFRESH, { t: other.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(await viewerStatus(user.accessToken)).toBe('ok');
    expect((await plaza.client().request(REFRESH, { t: user.refreshToken })).errors).toBeUndefined();
    const oldLogin = await plaza.client().request(LOGIN, { input: { username: user.username, password: user.password } });
    expect(errorCode(oldLogin)).toBe('UNAUTHENTICATED');
    const newLogin = await plaza.client().request(LOGIN, { input: { username: user.username, password: 'brand new password' } });
    expect(newLogin.errors).toBeUndefined();
  });

  it('needs a signed-in user', async () => {
    const res = await plaza.client().request(CHANGE, { o: 'x', n: 'yyyyyyyyyy' });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});
