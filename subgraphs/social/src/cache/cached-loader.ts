import DataLoader from 'dataloader';
import type { Logger } from '@plaza/common';

/**
 * Logs a recurring failure (Redis unreachable, say) at most once per `everyMs`, with how many
 * times it happened since the last line, so an outage does not flood the log.
 */
export function createThrottledWarning(logger: Logger, message: string, everyMs = 10_000) {
  let last = 0;
  let suppressed = 0;
  return (err: unknown): void => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    logger.warn({ err, suppressed }, message);
    last = now;
    suppressed = 0;
  };
}

export interface CachedLoaderOptions<T> {
  /** Cached values in key order, null for a miss; one Redis command. Throws when Redis fails. */
  get: (ids: readonly string[]) => Promise<(T | null)[]>;
  /** The misses from Postgres, in one query; ids without a row get `zero`. */
  load: (ids: readonly string[]) => Promise<Map<string, T>>;
  /** Writes the values read from Postgres back to Redis (one command). */
  fill: (entries: readonly (readonly [string, T])[]) => Promise<void>;
  zero: T;
  onRedisError: (err: unknown) => void;
}

/**
 * A per-request DataLoader over Redis with Postgres behind it: a batch (every key one resolver
 * tick asked for, e.g. one `_entities` request's posts) costs one Redis read whatever its size;
 * the misses are read from Postgres in one query and written back in one command. When Redis
 * fails, the batch is answered from Postgres alone: slower, never different.
 */
export function createCachedLoader<T>(opts: CachedLoaderOptions<T>): DataLoader<string, T> {
  return new DataLoader<string, T>(
    async (ids) => {
      let cached: (T | null)[];
      let redisUp = true;
      try {
        cached = await opts.get(ids);
      } catch (err) {
        opts.onRedisError(err);
        redisUp = false;
        cached = ids.map(() => null);
      }
      const misses = ids.filter((_, i) => cached[i] === null);
      if (misses.length === 0) return cached as T[];
      const loaded = await opts.load(misses);
      const filled = misses.map((id) => [id, loaded.get(id) ?? opts.zero] as const);
      if (redisUp) await opts.fill(filled).catch(opts.onRedisError);
      const byId = new Map(filled);
      return ids.map((id, i) => cached[i] ?? byId.get(id) ?? opts.zero);
    },
    // One `_entities` batch of the largest page (100) with room to spare.
    { maxBatchSize: 1_000 },
  );
}
