import { createEvent } from '@plaza/events';
import {
  errors,
  newId,
  parseInput,
  revocationKeys,
  type Logger,
  type RateLimiter,
  type Redis,
  type Viewer,
} from '@plaza/common';
import type { IdentityStore, IdentityTx, UserRow } from '../store.js';
import type { PasswordHasher } from './passwords.js';
import { hashRefreshToken, newRefreshToken, type TokenIssuer } from './tokens.js';
import { PasswordSchema, RegisterInputSchema, UpdateProfileInputSchema, UsernameSchema } from './validation.js';

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  user: UserRow;
}

export interface AccountsDeps {
  store: IdentityStore;
  hasher: PasswordHasher;
  issuer: TokenIssuer;
  redis: Redis;
  limiter: RateLimiter;
  login: { maxFailuresPerUsername: number; maxFailuresPerIp: number; windowSeconds: number };
  logger: Logger;
}

const SOURCE = 'identity';

function snapshot(user: UserRow) {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    avatarUrl: user.avatarUrl,
    createdAt: user.createdAt.toISOString(),
  };
}

const INVALID_LOGIN = 'Invalid username or password.';

/** Accounts, sessions and tokens: the identity rules, independent of GraphQL. */
export function createAccounts(deps: AccountsDeps) {
  const { store, hasher, issuer, redis, limiter } = deps;
  const usernameRule = { limit: deps.login.maxFailuresPerUsername, windowSeconds: deps.login.windowSeconds };
  const ipRule = { limit: deps.login.maxFailuresPerIp, windowSeconds: deps.login.windowSeconds };

  /** Starts a session (refresh family) inside `tx` and signs its first token pair. */
  async function openSession(tx: IdentityTx, user: UserRow): Promise<AuthResult> {
    const sessionId = await store.createSession(tx, user.id);
    const refresh = newRefreshToken();
    await store.insertRefreshToken(tx, sessionId, refresh.hash, new Date(Date.now() + issuer.refreshTtlSeconds * 1000));
    const access = await issuer.issueAccessToken(user.id, sessionId);
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken: refresh.token, user };
  }

  /**
   * Puts sessions (and optionally one access token) on the Redis denylist that every service
   * checks. A session entry lives as long as the longest access token it may have issued.
   */
  async function denylist(sessionIds: readonly string[], token?: { jti: string; expiresAt: Date }): Promise<void> {
    if (sessionIds.length === 0 && !token) return;
    const multi = redis.multi();
    for (const sid of sessionIds) multi.set(revocationKeys.session(sid), '1', 'EX', issuer.accessTtlSeconds);
    if (token) {
      const ttl = Math.max(1, Math.ceil((token.expiresAt.getTime() - Date.now()) / 1000));
      multi.set(revocationKeys.token(token.jti), '1', 'EX', ttl);
    }
    try {
      await multi.exec();
    } catch {
      throw errors.unavailable('Cannot revoke tokens right now; try again.');
    }
  }

  async function throttleCheck(username: string, ip: string): Promise<void> {
    const [byUser, byIp] = await Promise.all([
      limiter.peek(`login:user:${username}`, usernameRule),
      limiter.peek(`login:ip:${ip}`, ipRule),
    ]);
    if (!byUser.allowed || !byIp.allowed) {
      throw errors.rateLimited(Math.max(byUser.retryAfterSeconds, byIp.retryAfterSeconds));
    }
  }

  async function recordFailure(username: string, ip: string): Promise<void> {
    await Promise.all([limiter.hit(`login:user:${username}`, usernameRule), limiter.hit(`login:ip:${ip}`, ipRule)]);
  }

  return {
    async register(rawInput: unknown): Promise<AuthResult> {
      const input = parseInput(RegisterInputSchema, rawInput, 'input');
      const passwordHash = await hasher.hash(input.password);
      return store.transaction(async (tx) => {
        const user = await store.insertUser(tx, {
          id: newId(),
          username: input.username,
          passwordHash,
          displayName: input.displayName ?? input.username,
          bio: '',
          avatarUrl: null,
        });
        await store.enqueue(tx, [createEvent('user.registered', snapshot(user), { source: SOURCE })]);
        return openSession(tx, user);
      });
    },

    async login(rawInput: { username: string; password: string }, ip: string): Promise<AuthResult> {
      // A name that cannot exist is throttled and answered like any unknown user.
      const username = rawInput.username.toLowerCase().slice(0, 64);
      await throttleCheck(username, ip);
      const valid = UsernameSchema.safeParse(rawInput.username).success;
      const user = valid ? await store.userByUsername(username) : null;
      const ok = user ? await hasher.verify(user.passwordHash, rawInput.password) : (await hasher.burn(rawInput.password), false);
      if (!user || !ok) {
        await recordFailure(username, ip);
        throw errors.unauthenticated(INVALID_LOGIN);
      }
      return store.transaction((tx) => openSession(tx, user));
    },

    async refresh(token: string): Promise<AuthResult> {
      const hash = hashRefreshToken(token);
      const outcome = await store.transaction(async (tx) => {
        const state = await store.refreshTokenForUpdate(tx, hash);
        if (!state || state.sessionRevokedAt || state.expiresAt.getTime() <= Date.now()) {
          return { kind: 'invalid' as const };
        }
        if (state.usedAt) {
          // Reuse of a rotated token: someone else may hold this family. End it (OAuth 2.0
          // Security BCP, refresh token rotation with reuse detection).
          await store.revokeSessions(tx, [state.sessionId], 'reuse_detected');
          return { kind: 'reused' as const, sessionId: state.sessionId };
        }
        await store.markRefreshTokenUsed(tx, state.id);
        const [user] = await store.usersByIds([state.userId]);
        if (!user) return { kind: 'invalid' as const };
        const next = newRefreshToken();
        await store.insertRefreshToken(tx, state.sessionId, next.hash, new Date(Date.now() + issuer.refreshTtlSeconds * 1000));
        const access = await issuer.issueAccessToken(user.id, state.sessionId);
        return {
          kind: 'ok' as const,
          result: { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken: next.token, user },
        };
      });
      if (outcome.kind === 'reused') {
        deps.logger.warn({ sessionId: outcome.sessionId }, 'refresh token reuse detected; session revoked');
        await denylist([outcome.sessionId]).catch((err: unknown) =>
          deps.logger.error({ err }, 'could not denylist a reused session in Redis'),
        );
        throw errors.unauthenticated('This refresh token was already used; the session has been revoked. Sign in again.');
      }
      if (outcome.kind === 'invalid') throw errors.unauthenticated('The refresh token is invalid, expired or revoked.');
      return outcome.result;
    },

    async logout(viewer: Viewer | null, refreshToken: string | null | undefined): Promise<boolean> {
      const sessionIds = new Set<string>();
      if (viewer) sessionIds.add(viewer.sessionId);
      if (refreshToken) {
        const state = await store.transaction((tx) => store.refreshTokenForUpdate(tx, hashRefreshToken(refreshToken)));
        // Signed in, one may only end one's own sessions; signed out, the refresh token itself
        // is the proof of the session.
        if (state && (!viewer || state.userId === viewer.userId)) sessionIds.add(state.sessionId);
      }
      if (!viewer && sessionIds.size === 0) {
        throw errors.unauthenticated('Sign in, or pass a valid refresh token, to log out.');
      }
      // The denylist first: if Redis is down nothing changes and the client can retry.
      await denylist([...sessionIds], viewer ? { jti: viewer.tokenId, expiresAt: viewer.expiresAt } : undefined);
      await store.transaction((tx) => store.revokeSessions(tx, [...sessionIds], 'logout'));
      return true;
    },

    async updateProfile(viewer: Viewer, rawInput: unknown): Promise<UserRow> {
      const input = parseInput(UpdateProfileInputSchema, rawInput, 'input');
      const patch: Partial<Pick<UserRow, 'displayName' | 'bio' | 'avatarUrl'>> = {};
      if (input.displayName !== undefined && input.displayName !== null) patch.displayName = input.displayName;
      if (input.bio !== undefined && input.bio !== null) patch.bio = input.bio;
      if (input.avatarUrl !== undefined) patch.avatarUrl = input.avatarUrl;
      return store.transaction(async (tx) => {
        const updated = await store.updateUser(tx, viewer.userId, patch);
        if (!updated) throw errors.notFound('User');
        await store.enqueue(tx, [
          createEvent('user.updated', { ...snapshot(updated), updatedAt: updated.updatedAt.toISOString() }, { source: SOURCE }),
        ]);
        return updated;
      });
    },

    async changePassword(viewer: Viewer, oldPassword: string, newPassword: string, ip: string): Promise<boolean> {
      const password = parseInput(PasswordSchema, newPassword, 'newPassword');
      const [user] = await store.usersByIds([viewer.userId]);
      if (!user) throw errors.notFound('User');
      await throttleCheck(user.username, ip);
      if (!(await hasher.verify(user.passwordHash, oldPassword))) {
        await recordFailure(user.username, ip);
        throw errors.badInput('oldPassword', 'is not the current password');
      }
      const passwordHash = await hasher.hash(password);
      const others = await store.activeSessionIds(user.id, viewer.sessionId);
      await denylist(others);
      await store.transaction(async (tx) => {
        await store.updateUser(tx, user.id, { passwordHash });
        // Sessions opened since the list above are ended too.
        const late = (await store.activeSessionIds(user.id, viewer.sessionId)).filter((s) => !others.includes(s));
        await store.revokeSessions(tx, [...others, ...late], 'password_change');
      });
      return true;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
