import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FIELDS, errorCode, registerUser, startPlaza, testPool, uniqueName, type AuthPayloadShape, type Plaza } from '../src/index.js';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName bio avatarUrl } }`;

interface UserShape {
  id: string;
  username: string;
  displayName: string;
  bio: string;
  avatarUrl: string | null;
}

let plaza: Plaza;
const pool = testPool();

beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(async () => {
  await plaza?.close();
  await pool.end();
});

describe('register', () => {
  it('creates an account with a token pair, the display name defaulting to the username', async () => {
    const username = uniqueName('reg');
    const res = await plaza.client().request<{ register: AuthPayloadShape }>(REGISTER, { input: { username, password: 'correct horse' } });
    expect(res.errors).toBeUndefined();
    const payload = res.data!.register;
    expect(payload.user).toMatchObject({ username, displayName: username, bio: '', avatarUrl: null });
    expect(payload.accessToken.split('.')).toHaveLength(3);
    expect(payload.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ttl = new Date(payload.accessTokenExpiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
  });

  it('stores the password as an argon2id hash, never in clear', async () => {
    const user = await registerUser(plaza.client(), { password: 'a secret password' });
    const { rows } = await pool.query<{ password_hash: string }>('select password_hash from identity.users where id = $1', [user.id]);
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]?.password_hash).not.toContain('a secret password');
  });

  it('keeps a chosen display name, trimmed, in any script', async () => {
    const res = await plaza.client().request<{ register: AuthPayloadShape }>(REGISTER, {
      input: { username: uniqueName('dn'), password: 'password1', displayName: '  树洞 小明 🌳 ' },
    });
    expect(res.data?.register.user.displayName).toBe('树洞 小明 🌳');
  });

  it('lower-cases usernames and refuses one taken in another case with CONFLICT', async () => {
    const username = uniqueName('case');
    const first = await plaza.client().request<{ register: AuthPayloadShape }>(REGISTER, { input: { username: username.toUpperCase(), password: 'password1' } });
    expect(first.data?.register.user.username).toBe(username);
    const again = await plaza.client().request(REGISTER, { input: { username, password: 'password1' } });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors?.[0]?.extensions?.field).toBe('username');
  });

  it('answers concurrent registrations of one name with one account and CONFLICT for the rest', async () => {
    const username = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => plaza.client().request(REGISTER, { input: { username, password: 'password1' } })),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => errorCode(r) === 'CONFLICT').length).toBe(5);
  });

  it.each([
    ['a username shorter than 3 characters', { username: 'ab' }, 'input.username'],
    ['a username longer than 30 characters', { username: 'a'.repeat(31) }, 'input.username'],
    ['a username with other characters', { username: 'bad-name!' }, 'input.username'],
    ['a password shorter than 8 characters', { password: 'short77' }, 'input.password'],
    ['a password longer than 128 characters', { password: 'x'.repeat(129) }, 'input.password'],
    ['a display name longer than 50 characters', { displayName: '名'.repeat(51) }, 'input.displayName'],
    ['an empty display name', { displayName: '   ' }, 'input.displayName'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_what, override, field) => {
    const res = await plaza.client().request(REGISTER, { input: { username: uniqueName('bad'), password: 'password1', ...override } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(res.errors?.[0]?.message).toContain(field);
  });

  it('accepts passwords of exactly 8 and 128 characters', async () => {
    for (const password of ['p'.repeat(8), 'p'.repeat(128)]) {
      const res = await plaza.client().request(REGISTER, { input: { username: uniqueName('pw'), password } });
      expect(res.errors).toBeUndefined();
    }
  });
});

describe('login', () => {
  it('signs in with the username in any case and returns a working token', async () => {
    const user = await registerUser(plaza.client());
    const res = await plaza.client().request<{ login: AuthPayloadShape }>(LOGIN, { input: { username: user.username.toUpperCase(), password: user.password } });
    expect(res.data?.login.user.id).toBe(user.id);
    const viewer = await plaza.client(res.data!.login.accessToken).ok<{ viewer: { id: string } }>('{ viewer { id } }');
    expect(viewer.viewer.id).toBe(user.id);
  });

  it('gives the same error for an unknown user and a wrong password', async () => {
    const user = await registerUser(plaza.client());
    const wrong = await plaza.client().request(LOGIN, { input: { username: user.username, password: 'not the password' } });
    const unknown = await plaza.client().request(LOGIN, { input: { username: uniqueName('ghost'), password: 'not the password' } });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
  });
});

describe('reading users', () => {
  it('finds a user by id and by username in any case, and null for unknown ones', async () => {
    const user = await registerUser(plaza.client(), { displayName: 'Reader' });
    const client = plaza.client();
    const byId = await client.ok<{ user: UserShape }>('query($id: ID!) { user(id: $id) { id username displayName } }', { id: user.id });
    expect(byId.user).toMatchObject({ id: user.id, username: user.username, displayName: 'Reader' });
    const byName = await client.ok<{ userByUsername: UserShape }>('query($u: String!) { userByUsername(username: $u) { id } }', { u: user.username.toUpperCase() });
    expect(byName.userByUsername.id).toBe(user.id);
    const none = await client.ok<{ user: null; userByUsername: null }>(
      `{ user(id: "00000000-0000-7000-8000-000000000000") { id } userByUsername(username: "${uniqueName('nobody')}") { id } }`,
    );
    expect(none).toEqual({ user: null, userByUsername: null });
  });

  it('refuses a malformed id with BAD_USER_INPUT', async () => {
    const res = await plaza.client().request('{ user(id: "not-an-id") { id } }');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('answers viewer with null when anonymous and the user when signed in', async () => {
    const user = await registerUser(plaza.client());
    expect(await plaza.client().ok('{ viewer { id } }')).toEqual({ viewer: null });
    expect(await user.client.ok('{ viewer { id username } }')).toEqual({ viewer: { id: user.id, username: user.username } });
  });
});

describe('updateProfile', () => {
  it('changes only the given fields and returns the user', async () => {
    const user = await registerUser(plaza.client());
    const a = await user.client.ok<{ updateProfile: UserShape }>(UPDATE, { input: { bio: '你好 👋\nline two', avatarUrl: 'https://cdn.example.com/a.png' } });
    expect(a.updateProfile).toMatchObject({ displayName: user.username, bio: '你好 👋\nline two', avatarUrl: 'https://cdn.example.com/a.png' });
    const b = await user.client.ok<{ updateProfile: UserShape }>(UPDATE, { input: { displayName: 'New Name' } });
    expect(b.updateProfile).toMatchObject({ displayName: 'New Name', bio: '你好 👋\nline two', avatarUrl: 'https://cdn.example.com/a.png' });
    const c = await user.client.ok<{ updateProfile: UserShape }>(UPDATE, { input: { avatarUrl: '' } });
    expect(c.updateProfile.avatarUrl).toBeNull();
  });

  it.each([
    ['a bio over 500 characters', { bio: 'b'.repeat(501) }, 'input.bio'],
    ['an avatar URL that is not http(s)', { avatarUrl: 'javascript:alert(1)' }, 'input.avatarUrl'],
    ['an avatar URL that is not a URL', { avatarUrl: 'not a url' }, 'input.avatarUrl'],
    ['a display name over 50 characters', { displayName: 'd'.repeat(51) }, 'input.displayName'],
  ])('refuses %s with BAD_USER_INPUT and changes nothing', async (_what, input, field) => {
    const user = await registerUser(plaza.client());
    const res = await user.client.request(UPDATE, { input });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    const after = await user.client.ok<{ viewer: UserShape }>('{ viewer { displayName bio avatarUrl } }');
    expect(after.viewer).toEqual({ displayName: user.username, bio: '', avatarUrl: null });
  });

  it('needs a signed-in user', async () => {
    const res = await plaza.client().request(UPDATE, { input: { bio: 'x' } });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});
