import { revocationKeys, type Logger, type Redis, type Viewer } from '@plaza/common/core';

/** How a watched connection is closed: the WebSocket close code and reason. */
export type CloseConnection = (code: number, reason: string) => void;

export interface SessionWatch {
  /** Watches a signed-in connection until the returned function is called. */
  watch(viewer: Viewer, close: CloseConnection): () => void;
  /** Connections watched. */
  size(): number;
  /** Checks every watched connection now (the timer does it every interval). */
  check(): Promise<void>;
  stop(): void;
}

/** 4401 (graphql-ws `CloseCode.Unauthorized`): the client signs in again before reconnecting. */
const UNAUTHORIZED = 4401;

/** Connections whose two keys go into one MGET. */
const CONNECTIONS_PER_COMMAND = 500;

/**
 * Re-checks the revocation denylist (the keys identity writes on logout, password change and
 * refresh-token reuse) for every open connection, `intervalMs` apart, with one pipelined Redis
 * round trip for all of them (an MGET per 500 connections). A connection whose token or session
 * was revoked is closed with 4401, so its subscriptions stop within one interval. When Redis
 * cannot be reached the round is skipped: nothing can be revoked meanwhile either (identity writes
 * revocations there).
 */
export function createSessionWatch(opts: { redis: Redis; intervalMs: number; logger: Logger }): SessionWatch {
  const watched = new Map<CloseConnection, Viewer>();
  let running: Promise<void> | undefined;

  async function checkNow(): Promise<void> {
    if (watched.size === 0) return;
    const entries = [...watched];
    // Both keys of every connection, read with MGET in slices: one command per slice rather than
    // one per connection (1,000 subscribers cost 2 commands, not 1,000 command objects, promises
    // and replies every interval).
    const pipeline = opts.redis.pipeline();
    for (let i = 0; i < entries.length; i += CONNECTIONS_PER_COMMAND) {
      const keys = entries
        .slice(i, i + CONNECTIONS_PER_COMMAND)
        .flatMap(([, viewer]) => [revocationKeys.token(viewer.tokenId), revocationKeys.session(viewer.sessionId)]);
      pipeline.mget(keys);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      opts.logger.warn({ err }, 'subscriptions: could not check revocations; will retry');
      return;
    }
    entries.forEach(([close, viewer], i) => {
      const [err, values] = results?.[Math.floor(i / CONNECTIONS_PER_COMMAND)] ?? [null, null];
      if (err || !Array.isArray(values)) return;
      const at = (i % CONNECTIONS_PER_COMMAND) * 2;
      if (values[at] == null && values[at + 1] == null) return;
      if (!watched.delete(close)) return;
      opts.logger.info({ userId: viewer.userId, sessionId: viewer.sessionId }, 'subscriptions: closing a connection whose session was revoked');
      close(UNAUTHORIZED, 'Session revoked');
    });
  }

  const timer = setInterval(() => {
    // One round at a time: a slow Redis never stacks them up.
    running ??= checkNow().finally(() => {
      running = undefined;
    });
  }, opts.intervalMs);
  timer.unref();

  return {
    watch(viewer, close) {
      watched.set(close, viewer);
      return () => {
        watched.delete(close);
      };
    },
    size: () => watched.size,
    check: checkNow,
    stop() {
      clearInterval(timer);
      watched.clear();
    },
  };
}
