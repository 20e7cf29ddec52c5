import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter, createRedis } from '../src/index.js';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'plaza-test');
const limiter = createRateLimiter(redis, `test:${randomUUID()}`);
afterAll(() => redis.disconnect());

describe('sliding-window rate limiter', () => {
  it('allows `limit` hits per window, then refuses with the seconds until the oldest expires', async () => {
    const rule = { limit: 3, windowSeconds: 60 };
    for (let i = 0; i < 3; i++) expect((await limiter.hit('k1', rule)).allowed).toBe(true);
    const refused = await limiter.hit('k1', rule);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(55);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('counts nothing on peek', async () => {
    const rule = { limit: 1, windowSeconds: 60 };
    for (let i = 0; i < 5; i++) expect((await limiter.peek('k2', rule)).allowed).toBe(true);
    expect((await limiter.hit('k2', rule)).allowed).toBe(true);
    expect((await limiter.peek('k2', rule)).allowed).toBe(false);
  });

  it('stays exact under concurrent hits', async () => {
    const rule = { limit: 10, windowSeconds: 60 };
    const results = await Promise.all(Array.from({ length: 40 }, () => limiter.hit('k3', rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('frees the window as time passes', async () => {
    const rule = { limit: 1, windowSeconds: 1 };
    expect((await limiter.hit('k4', rule)).allowed).toBe(true);
    expect((await limiter.hit('k4', rule)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await limiter.hit('k4', rule)).allowed).toBe(true);
  });
});
