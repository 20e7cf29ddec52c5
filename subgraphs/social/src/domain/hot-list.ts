import { z } from 'zod';
import { decodeCursor, encodeCursor, pageSize, type Connection, type Logger, type Redis } from '@plaza/common';
import { keys } from '../cache/keys.js';
import { assertRedisReady, defineScript, HOT_LOAD, HOT_TRIM, TRENDING_PAGE } from '../cache/scripts.js';
import type { SocialStore } from '../store.js';
import { hotRank } from './hot-score.js';
import type { PostRef } from './refs.js';

export interface HotListSettings {
  halfLifeHours: number;
  windowHours: number;
  listMax: number;
  snapshotSize: number;
  snapshotSeconds: number;
  snapshotTtlSeconds: number;
}

const TRENDING_CURSOR = 'trending';
/** How long one instance may hold the rebuild, s. */
const REBUILD_LOCK_SECONDS = 30;
/** Hot-list entries per Redis command while loading it from Postgres. */
const LOAD_CHUNK = 1_000;

/**
 * Where a page of `trending` ends: `s`napshot pages go by position in a frozen order (never
 * skipping or repeating); `l`ive (the snapshot expired) and `p`ostgres (Redis unavailable) pages
 * go by (rank, id) after the last post shown, best effort while ranks move.
 */
const CursorSchema = z.tuple([z.enum(['s', 'l', 'p']), z.number().int(), z.number().int().min(0), z.number(), z.uuid()]);
type Position = z.infer<typeof CursorSchema>;

interface Ranked {
  id: string;
  rank: number;
}

/**
 * The hot list: a Redis sorted set of listed posts of the window by rank (domain/hot-score.ts),
 * kept by the consumers as counts change, trimmed periodically, rebuilt from Postgres when lost.
 * `trending` pages through a frozen copy of its top (a snapshot shared by every first page asked
 * for within `snapshotSeconds`), so a reader paging through it sees every post once even while
 * scores move; posts deleted or made private since the snapshot are left out.
 */
export function createHotList(deps: { store: SocialStore; redis: Redis; settings: HotListSettings; logger: Logger; onRedisError: (err: unknown) => void }) {
  const { store, redis, settings } = deps;
  const pageScript = defineScript(redis, 'socialTrendingPage', TRENDING_PAGE);
  const loadScript = defineScript(redis, 'socialHotLoad', HOT_LOAD);
  const trimScript = defineScript(redis, 'socialHotTrim', HOT_TRIM);
  const windowStart = (now: number) => new Date(now - settings.windowHours * 3_600_000);

  /** Builds the hot list from Postgres; false when another instance is doing it. */
  async function rebuild(): Promise<boolean> {
    assertRedisReady(redis);
    const locked = await redis.set(keys.hotLock, String(process.pid), 'EX', REBUILD_LOCK_SECONDS, 'NX');
    if (locked !== 'OK') return false;
    try {
      const rows = await store.hotCandidates(windowStart(Date.now()), settings.listMax, settings.halfLifeHours);
      const triples = rows.flatMap((r) => {
        const rank = hotRank(r, settings.halfLifeHours);
        return rank === null || r.publishedAt === null ? [] : [[r.id, rank, r.publishedAt] as const];
      });
      for (let i = 0; i === 0 || i < triples.length; i += LOAD_CHUNK) {
        const chunk = triples.slice(i, i + LOAD_CHUNK);
        const last = i + LOAD_CHUNK >= triples.length;
        await loadScript([keys.hot, keys.hotPublished, keys.hotBuilt], [last ? 'mark' : '', ...chunk.flat()]);
      }
      deps.logger.info({ posts: triples.length }, 'hot list rebuilt from Postgres');
      return true;
    } finally {
      await redis.del(keys.hotLock);
    }
  }

  /** A snapshot's entries from `offset`: 'unbuilt' when the hot list is lost, 'gone' when the snapshot expired. */
  async function snapshotEntries(snapshot: number, offset: number, count: number, create: boolean): Promise<Ranked[] | 'unbuilt' | 'gone'> {
    const [status, flat] = (await pageScript(
      [keys.hot, keys.hotBuilt, keys.hotSnapshot(snapshot)],
      [settings.snapshotSize, settings.snapshotTtlSeconds, offset, count, create ? 1 : 0],
    )) as [string, string[] | undefined];
    if (status !== 'ok') return status === 'unbuilt' ? 'unbuilt' : 'gone';
    return pairs(flat ?? []);
  }

  function pairs(flat: readonly string[]): Ranked[] {
    const out: Ranked[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i] ?? '', rank: Number(flat[i + 1]) });
    return out;
  }

  /** Live entries after (rank, id), highest first. */
  async function liveEntries(after: Ranked, count: number): Promise<Ranked[]> {
    assertRedisReady(redis);
    const flat = await redis.zrevrangebyscore(keys.hot, after.rank, '-inf', 'WITHSCORES', 'LIMIT', 0, count);
    return pairs(flat).filter((e) => e.rank < after.rank || (e.rank === after.rank && e.id < after.id));
  }

  /** Keeps the listed ones, in order, until `want` are found, reading `fetch` in chunks. */
  async function collect(
    want: number,
    fetch: (skip: number, count: number) => Promise<Ranked[]>,
  ): Promise<{ entry: Ranked; index: number }[]> {
    const out: { entry: Ranked; index: number }[] = [];
    let skip = 0;
    for (let reads = 0; reads < 5 && out.length < want; reads++) {
      const count = want - out.length + 5;
      const entries = await fetch(skip, count);
      const listed = await store.listedAmong(entries.map((e) => e.id));
      entries.forEach((entry, i) => {
        if (listed.has(entry.id)) out.push({ entry, index: skip + i });
      });
      skip += entries.length;
      if (entries.length < count) break;
    }
    return out;
  }

  function connection(rows: { entry: Ranked; position: Position }[], first: number): Connection<PostRef> {
    const page = rows.slice(0, first);
    const edges = page.map((r) => ({ cursor: encodeCursor(TRENDING_CURSOR, r.position), node: { id: r.entry.id } }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  async function fromPostgres(first: number, after: Ranked | undefined): Promise<Connection<PostRef>> {
    const rows = await store.hotPage(windowStart(Date.now()), first + 1, settings.halfLifeHours, after);
    return connection(rows.map((entry) => ({ entry, position: ['p', 0, 0, entry.rank, entry.id] as Position })), first);
  }

  async function fromLive(first: number, after: Ranked): Promise<Connection<PostRef>> {
    let from = after;
    const found = await collect(first + 1, async (_skip, count) => {
      const entries = await liveEntries(from, count);
      from = entries.at(-1) ?? from;
      return entries;
    });
    return connection(found.map(({ entry }) => ({ entry, position: ['l', 0, 0, entry.rank, entry.id] as Position })), first);
  }

  async function page(args: { first?: number | null; after?: string | null }): Promise<Connection<PostRef>> {
    const first = pageSize(args.first);
    const at = args.after != null ? decodeCursor(TRENDING_CURSOR, args.after, CursorSchema) : undefined;
    const last: Ranked | undefined = at ? { rank: at[3], id: at[4] } : undefined;
    if (at && at[0] === 'p') return fromPostgres(first, last);
    try {
      if (at && last && at[0] === 'l') return await fromLive(first, last);
      // A first page's snapshot is named by the start of its interval (ms), shared by every first page in it.
      const interval = settings.snapshotSeconds * 1_000;
      const snapshot = at ? at[1] : Math.floor(Date.now() / interval) * interval;
      const offset = at ? at[2] : 0;
      for (let attempt = 0; attempt < 2; attempt++) {
        const outcome: { state: 'ok' | 'unbuilt' | 'gone' } = { state: 'ok' };
        const found = await collect(first + 1, async (skip, count) => {
          const entries = await snapshotEntries(snapshot, offset + skip, count, !at);
          if (typeof entries === 'string') {
            outcome.state = entries;
            return [];
          }
          return entries;
        });
        const { state } = outcome;
        if (state === 'ok') {
          return connection(found.map(({ entry, index }) => ({ entry, position: ['s', snapshot, offset + index + 1, entry.rank, entry.id] as Position })), first);
        }
        if (state === 'gone' && last) return await fromLive(first, last);
        if (!(await rebuild())) break;
      }
    } catch (err) {
      deps.onRedisError(err);
    }
    return fromPostgres(first, last);
  }

  return {
    page,
    rebuild,
    /** Drops posts that left the window or the top `listMax`; rebuilds a lost hot list. */
    async maintain(): Promise<void> {
      assertRedisReady(redis);
      if ((await redis.exists(keys.hotBuilt)) === 0) await rebuild();
      const dropped = (await trimScript([keys.hot, keys.hotPublished], [Date.now() - settings.windowHours * 3_600_000, settings.listMax])) as number;
      if (dropped > 0) deps.logger.debug({ dropped }, 'hot list trimmed');
    },
  };
}

export type HotList = ReturnType<typeof createHotList>;
