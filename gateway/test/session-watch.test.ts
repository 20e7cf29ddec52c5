import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, revocationKeys, type Viewer } from '@plaza/common/core';
import { createSessionWatch } from '../src/subscriptions/session-watch.js';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1', 'session-watch-test');
const used: string[] = [];

afterAll(async () => {
  if (used.length > 0) await redis.del(...used);
  await redis.quit();
});

function viewer(): Viewer {
  return { userId: randomUUID(), sessionId: randomUUID(), tokenId: randomUUID(), expiresAt: new Date(Date.now() + 600_000) };
}

describe('session watch', () => {
  it('closes exactly the connections whose token or session was revoked, across MGET slices', async () => {
    // An hour between timer rounds: the test drives the checks itself.
    const watch = createSessionWatch({ redis, intervalMs: 3_600_000, logger: createLogger('session-watch-test', 'silent') });
    try {
      // More connections than one MGET takes (500), so revocations land in every slice.
      const viewers = Array.from({ length: 1_203 }, viewer);
      const closed = new Map<number, { code: number; reason: string }>();
      const unwatch = viewers.map((v, i) => watch.watch(v, (code, reason) => closed.set(i, { code, reason })));
      expect(watch.size()).toBe(1_203);

      await watch.check();
      expect(closed.size).toBe(0);

      // Revoked by token (the first and last of the second slice), by session (the last one).
      const revoke = async (key: string) => {
        used.push(key);
        await redis.set(key, '1', 'EX', 600);
      };
      await revoke(revocationKeys.token(viewers[0]!.tokenId));
      await revoke(revocationKeys.token(viewers[500]!.tokenId));
      await revoke(revocationKeys.session(viewers[999]!.sessionId));
      await revoke(revocationKeys.session(viewers[1_202]!.sessionId));
      // A connection that went away before the check is not closed again.
      await revoke(revocationKeys.token(viewers[700]!.tokenId));
      unwatch[700]!();

      await watch.check();
      expect([...closed.keys()].sort((a, b) => a - b)).toEqual([0, 500, 999, 1_202]);
      for (const c of closed.values()) expect(c).toEqual({ code: 4401, reason: 'Session revoked' });
      expect(watch.size()).toBe(1_203 - 5);

      // Closed connections are no longer watched: a second round closes nothing more.
      await watch.check();
      expect(closed.size).toBe(4);
    } finally {
      watch.stop();
    }
  });
});
