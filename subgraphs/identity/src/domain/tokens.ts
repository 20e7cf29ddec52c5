import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { ACCESS_TOKEN_ALG } from '@plaza/common';

export interface AccessToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

export interface TokenIssuer {
  /** A signed access token for a user's session (`sid` = refresh family id). */
  issueAccessToken(userId: string, sessionId: string): Promise<AccessToken>;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export async function createTokenIssuer(opts: {
  privateKeyPem: string;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}): Promise<TokenIssuer> {
  const key = await importPKCS8(opts.privateKeyPem, ACCESS_TOKEN_ALG);
  return {
    accessTtlSeconds: opts.accessTtlSeconds,
    refreshTtlSeconds: opts.refreshTtlSeconds,
    async issueAccessToken(userId, sessionId) {
      const jti = randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const exp = now + opts.accessTtlSeconds;
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: 'JWT' })
        .setSubject(userId)
        .setJti(jti)
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(key);
      return { token, jti, expiresAt: new Date(exp * 1000) };
    },
  };
}

/** An opaque refresh token: 256 random bits. Only its hash is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
