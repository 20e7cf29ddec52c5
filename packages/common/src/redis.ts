import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export type { Redis };

/**
 * The one way services open Redis. Commands fail fast (two retries) when Redis is down, so a
 * request degrades instead of hanging on the offline queue.
 */
export function createRedis(url: string, name: string, logger?: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    connectTimeout: 2_000,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Connection errors surface on the commands that need Redis; an unhandled 'error' event would
  // crash the process. An outage is logged once when it starts and once when it ends, not on
  // every reconnection attempt.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ err, redis: name }, 'redis: connection failed; commands fail fast until it is back');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info({ redis: name }, 'redis: connected again');
  });
  return redis;
}

export async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
