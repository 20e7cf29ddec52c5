import { randomBytes } from 'node:crypto';
import type { GraphQLClient } from './client.js';

/** A name no other test (or earlier run: the database keeps its data) has used: a–z, 0–9, _. */
export function uniqueName(prefix = 'u'): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 30);
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** Signed in as this user. */
  client: GraphQLClient;
}

export const AUTH_FIELDS = 'accessToken refreshToken accessTokenExpiresAt user { id username displayName bio avatarUrl createdAt }';

export interface AuthPayloadShape {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  user: { id: string; username: string; displayName: string; bio: string; avatarUrl: string | null; createdAt: string };
}

/** Registers a fresh user through the gateway. */
export async function registerUser(
  anonymous: GraphQLClient,
  opts: { prefix?: string; displayName?: string; password?: string } = {},
): Promise<TestUser> {
  const username = uniqueName(opts.prefix ?? 'u');
  const password = opts.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const data = await anonymous.ok<{ register: AuthPayloadShape }>(
    `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
    { input: { username, password, ...(opts.displayName ? { displayName: opts.displayName } : {}) } },
  );
  return {
    id: data.register.user.id,
    username,
    password,
    accessToken: data.register.accessToken,
    refreshToken: data.register.refreshToken,
    client: anonymous.withToken(data.register.accessToken),
  };
}
