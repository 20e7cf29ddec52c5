import type { Redis } from '@plaza/common';

export type ScriptArg = string | number;
/** A Lua script on one connection: one command (EVALSHA, EVAL once after a script flush) per call. */
export type RedisScript = (keys: readonly string[], args: readonly ScriptArg[]) => Promise<unknown>;

/**
 * Fails at once when the connection is not up. ioredis would queue the command and retry it on
 * reconnection for seconds; a request would rather answer from Postgres now (and a consumer
 * leave its refresh marks for later). Call before every Redis command social sends.
 */
export function assertRedisReady(redis: Redis): void {
  if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
}

/**
 * Registers a Lua script on a connection under `name` (ioredis sends EVALSHA and falls back to
 * EVAL when Redis does not know the script yet).
 */
export function defineScript(redis: Redis, name: string, lua: string): RedisScript {
  const commands = redis as unknown as Record<string, ((...args: ScriptArg[]) => Promise<unknown>) | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { lua });
  return (keys, args) => {
    assertRedisReady(redis);
    const command = commands[name];
    if (!command) throw new Error(`redis script ${name} is not defined`);
    return command.call(redis, keys.length, ...keys, ...args);
  };
}

/** HMGET of the same fields from many hashes: one array of values (or nils) per key. */
export const HASHES_GET = `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, unpack(ARGV)) end
return out
`;

/**
 * Writes many hashes whose first field is 'ver', each only when its version is newer than the
 * stored one (ARGV: mode, ttl, field count F, F field names, then F values per key). Mode 'fill'
 * (a copy read from Postgres on a miss) writes only strictly newer versions; mode 'put' (a
 * consumer's fresh totals) also rewrites an equal version, so a fill of the same version cannot
 * stop a consumer from placing the post on the hot list. With KEYS[1], KEYS[2] the hot list and
 * its published-time set ('put' of posts), each key's values are followed by its post id and its
 * hot-list score ('' when it is not on the list).
 */
export const HASHES_PUT = `
local mode = ARGV[1]
local ttl = tonumber(ARGV[2])
local f = tonumber(ARGV[3])
local hot = mode == 'put-hot'
local first = hot and 3 or 1
local per = hot and (f + 2) or f
local written = 0
for i = first, #KEYS do
  local key = KEYS[i]
  local base = 3 + f + (i - first) * per
  local ver = tonumber(ARGV[base + 1])
  local cur = tonumber(redis.call('HGET', key, 'ver') or '-1')
  if ver > cur or (mode ~= 'fill' and ver == cur) then
    local args = {}
    for j = 1, f do
      args[#args + 1] = ARGV[3 + j]
      args[#args + 1] = ARGV[base + j]
    end
    redis.call('HSET', key, unpack(args))
    redis.call('EXPIRE', key, ttl)
    if hot then
      local id = ARGV[base + f + 1]
      local score = ARGV[base + f + 2]
      if score == '' then
        redis.call('ZREM', KEYS[1], id)
        redis.call('ZREM', KEYS[2], id)
      else
        redis.call('ZADD', KEYS[1], score, id)
        redis.call('ZADD', KEYS[2], redis.call('HGET', key, 'p'), id)
      end
    end
    written = written + 1
  end
end
return written
`;

/**
 * Sets fields of one hash (ARGV: ttl, 'nx' or 'set', then field/value pairs): 'nx' only where the
 * field is absent (a copy from Postgres must not overwrite a newer write), 'set' always. The TTL
 * is set when the hash is created and not pushed back, so a busy viewer's hash stays bounded.
 */
export const FLAGS_PUT = `
local ttl = tonumber(ARGV[1])
local nx = ARGV[2] == 'nx'
for i = 3, #ARGV, 2 do
  if nx then redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return 1
`;

/**
 * Reads a page of an inbox (KEYS: inbox, meta; ARGV: max score (inclusive), count, ttl): nil when
 * the inbox does not exist or is being rebuilt, else {epoch, floor, [id, score, ...]} with the
 * entries above the floor, newest first. Reading keeps the inbox alive.
 */
export const INBOX_READ = `
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'floor', 'building')
if not meta[1] or meta[3] then return false end
local floor = meta[2] or '0'
local rows = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '(' .. floor, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {meta[1], floor, rows}
`;

/**
 * Adds entries to an inbox that exists (KEYS: inbox, meta; ARGV: cap, then score/id pairs) and
 * trims it to the cap, raising its floor to the newest entry trimmed. An inbox that does not exist
 * is left alone: it is built from Postgres, with these entries, on its next read.
 */
export const INBOX_PUSH = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local cap = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
local n = redis.call('ZCARD', KEYS[1])
if n > cap then
  local cut = redis.call('ZRANGE', KEYS[1], 0, n - cap - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  local top = tonumber(cut[#cut])
  local floor = tonumber(redis.call('HGET', KEYS[2], 'floor') or '0')
  if top > floor then redis.call('HSET', KEYS[2], 'floor', cut[#cut]) end
end
return 1
`;

/**
 * Starts rebuilding an inbox (KEYS: inbox, meta; ARGV: epoch, ttl): empties it and marks it as
 * being built, so pushes from now on land in it while readers do not trust it yet. Returns 0 when
 * another reader is already building it.
 */
export const INBOX_BEGIN = `
local building = redis.call('HGET', KEYS[2], 'building')
if building then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'floor', '0', 'building', '1')
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

/**
 * Finishes a rebuild (KEYS: inbox, meta; ARGV: cap, floor, ttl, then score/id pairs from Postgres):
 * adds the entries, trims to the cap and makes the inbox readable.
 */
export const INBOX_FINISH = `
if redis.call('HGET', KEYS[2], 'building') ~= '1' then return 0 end
local cap = tonumber(ARGV[1])
for i = 4, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
local floor = tonumber(ARGV[2])
local n = redis.call('ZCARD', KEYS[1])
if n > cap then
  local cut = redis.call('ZRANGE', KEYS[1], 0, n - cap - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  local top = tonumber(cut[#cut])
  if top > floor then floor = top end
end
redis.call('HSET', KEYS[2], 'floor', floor)
redis.call('HDEL', KEYS[2], 'building')
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
`;

/**
 * A page of the hot list from a frozen snapshot (KEYS: hot list, built marker, snapshot; ARGV:
 * snapshot size, snapshot ttl, offset, count, create). Returns {'unbuilt'} when the hot list was
 * lost, {'gone'} when the snapshot expired, else {'ok', [id, score, ...]}. With create = 1 a
 * missing snapshot is taken now from the top of the hot list (shared by every first page asked
 * for in the same interval).
 */
export const TRENDING_PAGE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return {'unbuilt'} end
if redis.call('EXISTS', KEYS[3]) == 0 then
  if ARGV[5] ~= '1' then return {'gone'} end
  redis.call('ZRANGESTORE', KEYS[3], KEYS[1], 0, tonumber(ARGV[1]) - 1, 'REV')
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
local offset = tonumber(ARGV[3])
return {'ok', redis.call('ZRANGE', KEYS[3], offset, offset + tonumber(ARGV[4]) - 1, 'REV', 'WITHSCORES')}
`;

/**
 * Loads entries read from Postgres into the hot list (KEYS: hot list, published set, built
 * marker; ARGV: 'mark' or '', then id/rank/published triples), marking it built with 'mark' (the
 * last chunk). Entries written by consumers meanwhile stay, unless Postgres gave the same post.
 */
export const HOT_LOAD = `
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
end
if ARGV[1] == 'mark' then redis.call('SET', KEYS[3], '1') end
return 1
`;

/**
 * Drops posts that left the hot list's window or fell below its top (KEYS: hot list, published
 * set; ARGV: oldest published time kept (ms), size kept). Returns how many were dropped.
 */
export const HOT_TRIM = `
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
for _, id in ipairs(old) do redis.call('ZREM', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
local keep = tonumber(ARGV[2])
local dropped = #old
if n > keep then
  local cut = redis.call('ZRANGE', KEYS[1], 0, n - keep - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - keep - 1)
  for _, id in ipairs(cut) do redis.call('ZREM', KEYS[2], id) end
  dropped = dropped + #cut
end
return dropped
`;
