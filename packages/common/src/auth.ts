import { errors as joseErrors, importSPKI, jwtVerify } from 'jose';
import type { Redis } from 'ioredis';
import { errors } from './errors.js';

/** The signed-in user of a request, from a verified access token. */
export interface Viewer {
  userId: string;
  /** The refresh-token family (login session) the token belongs to. */
  sessionId: string;
  /** The token's own id (`jti`). */
  tokenId: string;
  expiresAt: Date;
}

export const ACCESS_TOKEN_ALG = 'EdDSA';

/** Redis keys of the revocation denylists; entries expire with the tokens they revoke. */
export const revocationKeys = {
  token: (jti: string) => `auth:revoked:jti:${jti}`,
  session: (sid: string) => `auth:revoked:sid:${sid}`,
};

/** Verified tokens remembered per process (their claims, a few hundred bytes each). */
const VERIFIED_TOKENS_MAX = 5_000;

interface Claims {
  sub: string;
  jti: string;
  sid: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export interface TokenVerifier {
  /** Verifies a bearer token; throws UNAUTHENTICATED when invalid, expired or revoked. */
  verify(token: string): Promise<Viewer>;
  /**
   * The viewer of an Authorization header: null without one (anonymous); UNAUTHENTICATED for a
   * header that is present but not a valid, live bearer token.
   */
  fromAuthorization(header: string | null | undefined): Promise<Viewer | null>;
}

export async function createTokenVerifier(opts: {
  publicKeyPem: string;
  issuer: string;
  audience: string;
  redis: Redis;
}): Promise<TokenVerifier> {
  const key = await importSPKI(opts.publicKeyPem, ACCESS_TOKEN_ALG);
  /**
   * Claims of tokens whose signature, issuer and audience were verified, by token. A client sends
   * the same token with every request for its lifetime (and the gateway forwards it to every
   * subgraph of a plan), so the signature is checked once per process; expiry is checked on every
   * use, and revocation is always asked of Redis. Bounded: the oldest entry goes first.
   */
  const verified = new Map<string, Claims>();

  async function claimsOf(token: string): Promise<Claims> {
    const cached = verified.get(token);
    if (cached) {
      if (cached.exp * 1000 > Date.now()) return cached;
      verified.delete(token);
      throw errors.invalidToken('The access token has expired.');
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: [ACCESS_TOKEN_ALG],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw errors.invalidToken('The access token has expired.');
      throw errors.invalidToken();
    }
    const { sub, jti, sid, exp } = payload as { sub?: unknown; jti?: unknown; sid?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') {
      throw errors.invalidToken();
    }
    const claims = { sub, jti, sid, exp };
    if (verified.size >= VERIFIED_TOKENS_MAX) {
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    verified.set(token, claims);
    return claims;
  }

  async function verify(token: string): Promise<Viewer> {
    const { sub, jti, sid, exp } = await claimsOf(token);
    let revoked: number;
    try {
      revoked = await opts.redis.exists(revocationKeys.token(jti), revocationKeys.session(sid));
    } catch {
      // Fail closed: a revoked token must not pass because the denylist is unreachable.
      throw errors.unavailable('Cannot verify the access token right now; try again.');
    }
    if (revoked > 0) throw errors.invalidToken('The access token has been revoked.');
    return { userId: sub, sessionId: sid, tokenId: jti, expiresAt: new Date(exp * 1000) };
  }

  return {
    verify,
    async fromAuthorization(header) {
      if (header === undefined || header === null || header.trim() === '') return null;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
      if (!match?.[1]) throw errors.invalidToken('The Authorization header must be "Bearer <access token>".');
      return verify(match[1]);
    },
  };
}

/** The signed-in viewer of a request, or UNAUTHENTICATED. */
export function requireViewer(ctx: { viewer: Viewer | null }): Viewer {
  if (!ctx.viewer) throw errors.unauthenticated();
  return ctx.viewer;
}
