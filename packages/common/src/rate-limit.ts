import type { Redis } from 'ioredis';

/**
 * A sliding-window log in a Redis sorted set, checked and updated atomically in Lua with the
 * server's clock (so several instances agree). `peek` only checks; `hit` checks and records.
 * Returns {allowed, retryAfterMs}.
 */
const SLIDING_WINDOW_LUA = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local mode = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  local retry = tonumber(oldest[2]) + window - now
  if retry < 1 then retry = 1 end
  return {0, retry}
end
if mode == 'hit' then
  redis.call('ZADD', key, now, now .. '-' .. ARGV[4])
  redis.call('PEXPIRE', key, window)
end
return {1, 0}
`;

export interface RateLimitRule {
  /** Events allowed per window. */
  limit: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Whole seconds until one more event is allowed (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  peek(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  hit(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
}

export function createRateLimiter(redis: Redis, prefix = 'ratelimit'): RateLimiter {
  let seq = 0;
  async function run(mode: 'peek' | 'hit', key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    const [allowed, retryMs] = (await redis.eval(
      SLIDING_WINDOW_LUA,
      1,
      `${prefix}:${key}`,
      rule.windowSeconds * 1000,
      rule.limit,
      mode,
      `${process.pid}-${++seq}-${Math.random().toString(36).slice(2)}`,
    )) as [number, number];
    return { allowed: allowed === 1, retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(retryMs / 1000)) };
  }
  return {
    peek: (key, rule) => run('peek', key, rule),
    hit: (key, rule) => run('hit', key, rule),
  };
}
