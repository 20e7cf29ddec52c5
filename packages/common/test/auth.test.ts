import { randomUUID } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_ALG, createRedis, createTokenVerifier, revocationKeys, type Redis, type TokenVerifier } from '../src/index.js';

/** The token verifier against the real Redis denylist, with keys made for this file. */
let redis: Redis;
let verifier: TokenVerifier;
let sign: (claims: { sub: string; jti: string; sid: string }, expiresInSeconds: number) => Promise<string>;
const used: string[] = [];

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'plaza-auth-test');
  await redis.ping();
  const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { crv: 'Ed25519' });
  verifier = await createTokenVerifier({ publicKeyPem: await exportSPKI(publicKey), issuer: 'plaza', audience: 'plaza', redis });
  sign = (claims, expiresInSeconds) =>
    new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuer('plaza')
      .setAudience('plaza')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
      .sign(privateKey);
});

afterAll(async () => {
  if (used.length > 0) await redis.del(...used);
  redis.disconnect();
});

const ids = () => ({ sub: randomUUID(), jti: randomUUID(), sid: randomUUID() });

describe('the token verifier', () => {
  it('accepts a token again and again, and refuses it once revoked, though its signature was checked before', async () => {
    const claims = ids();
    const token = await sign(claims, 600);
    for (let i = 0; i < 3; i++) expect((await verifier.verify(token)).userId).toBe(claims.sub);
    used.push(revocationKeys.session(claims.sid));
    await redis.set(revocationKeys.session(claims.sid), '1', 'EX', 600);
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a token that expired after it was first verified', async () => {
    const token = await sign(ids(), 2);
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(verifier.verify(token)).rejects.toThrow(/expired/);
  });

  it('refuses a token signed by another key, or altered, every time', async () => {
    const claims = ids();
    const token = await sign(claims, 600);
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const altered = `${header}.${payload}.${signature?.slice(0, -4)}AAAA`;
    for (let i = 0; i < 2; i++) await expect(verifier.verify(altered)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const other = await generateKeyPair(ACCESS_TOKEN_ALG, { crv: 'Ed25519' });
    const foreign = await new SignJWT({ sid: claims.sid })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuer('plaza')
      .setAudience('plaza')
      .setExpirationTime('10m')
      .sign(other.privateKey);
    await expect(verifier.verify(foreign)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
