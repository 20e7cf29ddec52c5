import { Redis } from 'ioredis';

export type { Redis };

/**
 * The one way services open Redis. Commands fail fast (two retries) when Redis is down, so a
 * request degrades instead of hanging on the offline queue.
 */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    connectTimeout: 2_000,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Connection errors surface on the commands that need Redis; an unhandled 'error' event would
  // crash the process.
  redis.on('error', () => {});
  return redis;
}

export async function pingRedis(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
