import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { createEventConsumer, type Logger, type Pool } from '@plaza/common';
import type { Topic } from '@plaza/events';
import type { TextAnalyzer } from './analysis/index.js';
import { INDEX_SCHEMA, INDEX_TABLE_NAMES, REBUILD_SUFFIX, REBUILD_TABLES } from './index-tables.js';
import { createIndexer, INDEX_WRITE_LOCK } from './indexer.js';
import { createSearchStore } from './store.js';

/**
 * Rebuilds the search index from the topics into new tables and swaps them in; readers never
 * wait longer than the swap itself (a few catalogue updates in one transaction):
 *
 * 1. `<table>_rebuild` copies of every index table are created empty (columns, defaults, unique
 *    keys; the GIN and prefix indexes come after the bulk load, which builds them faster).
 * 2. A second consumer (`reindex-<time>`: its own group and positions) replays the topics from
 *    their start into the copies with the same indexer, while the live index keeps serving and
 *    the live consumer keeps applying new events to it.
 * 3. When the replay has reached the live consumer's positions and the topics' ends as they
 *    were at the start, the secondary indexes are built on the copies.
 * 4. The swap: an exclusive advisory lock (each live chunk holds it shared, so the live consumer
 *    pauses between two chunks), the replay catches up with where the live consumer paused, then
 *    in one transaction every live table is renamed away and dropped, its copy renamed in, and
 *    the index and constraint names restored. Readers see the old tables until the commit and
 *    the new ones after. The live consumer resumes on the new tables, where re-applying what the
 *    replay already applied changes nothing (row versions, counted event ids).
 *
 * What the topics no longer retain (broker retention) cannot be replayed: keep the retention of
 * the topics the index reads at least as long as the index must reach back.
 */
export interface ReindexOptions {
  /** At least 2 connections: the swap holds one while the replay uses another. */
  pool: Pool;
  kafka: Kafka;
  logger: Logger;
  analyzer: TextAnalyzer;
  topics: readonly Topic[];
  /** The consumer group prefix of the live consumer (`<prefix>.search.<name>`). */
  groupPrefix: string;
  /** The live consumer's name, whose positions the replay must reach. */
  liveConsumer: string;
  /** Longest wait for the replay, in milliseconds. Default 30 minutes. */
  timeoutMs?: number;
  /** Longest wait for the swap's locks (a long-running reader), in milliseconds. Default 10 s. */
  lockTimeoutMs?: number;
}

export interface ReindexResult {
  /** Events the replay applied. */
  events: number;
  /** Searchable posts, users and tags in the new index. */
  posts: number;
  users: number;
  tags: number;
  seconds: number;
  /** How many times the index has been rebuilt. */
  generation: number;
}

interface IndexDefinition {
  table: string;
  name: string;
  definition: string;
  unique: boolean;
  /** The constraint the index backs (a primary key), if any. */
  constraint: string | null;
}

/** `topic:partition` → next offset. */
type Positions = Map<string, bigint>;

type Queryable = Pick<pg.ClientBase, 'query'>;

const CREATE_INDEX = /^CREATE (UNIQUE )?INDEX (\S+) ON (\S+) (USING .*)$/;
const q = (name: string) => `"${INDEX_SCHEMA}"."${name}"`;

/**
 * A consumer's stored positions on this Kafka cluster (positions of another cluster mean nothing)
 * on the topics replayed: a position on any other topic (a consumer of the same name once run
 * with other topic names against this database) is nothing the replay could reach.
 */
async function positions(db: Queryable, consumer: string, clusterId: string, topics: readonly string[]): Promise<Positions> {
  const { rows } = await db.query<{ topic: string; partition: number; next_offset: string }>(
    `select topic, partition, next_offset from ${q('consumer_offsets')} where consumer = $1 and cluster_id = $2 and topic = any($3::text[])`,
    [consumer, clusterId, [...topics]],
  );
  return new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
}

/** Whether `replay` is at or past `target` on every partition. */
function reached(replay: Positions, target: Positions): boolean {
  return [...target].every(([where, next]) => (replay.get(where) ?? 0n) >= next);
}

function copyIndex(index: IndexDefinition): string {
  const m = CREATE_INDEX.exec(index.definition);
  if (!m) throw new Error(`reindex: cannot read the index definition ${index.definition}`);
  return `CREATE ${m[1] ?? ''}INDEX "${index.name}${REBUILD_SUFFIX}" ON ${q(index.table + REBUILD_SUFFIX)} ${m[4]!}`;
}

export async function reindex(opts: ReindexOptions): Promise<ReindexResult> {
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 30 * 60_000);
  const { pool } = opts;
  const rebuildName = `reindex-${started}`;
  const log = opts.logger.child({ reindex: rebuildName });
  const tableNames = Object.values(INDEX_TABLE_NAMES);

  // The live tables' indexes: copied onto the new tables, and their names restored after the swap.
  const { rows: indexRows } = await pool.query<{
    table: string;
    name: string;
    definition: string;
    unique: boolean;
    constraint: string | null;
  }>(
    `select t.relname as "table", i.relname as name, pg_get_indexdef(i.oid) as definition,
            ix.indisunique as "unique", c.conname as "constraint"
       from pg_index ix
       join pg_class i on i.oid = ix.indexrelid
       join pg_class t on t.oid = ix.indrelid
       join pg_namespace n on n.oid = t.relnamespace
       left join pg_constraint c on c.conindid = ix.indexrelid and c.conrelid = t.oid
      where n.nspname = $1 and t.relname = any($2::text[])`,
    [INDEX_SCHEMA, tableNames],
  );
  const indexes: IndexDefinition[] = indexRows;

  // 1. Empty copies with their unique keys (the indexer's upserts need them).
  const setup = await pool.connect();
  try {
    await setup.query('begin');
    for (const name of tableNames) {
      await setup.query(`drop table if exists ${q(name + REBUILD_SUFFIX)}`);
      await setup.query(`create table ${q(name + REBUILD_SUFFIX)} (like ${q(name)} including defaults including constraints including storage)`);
    }
    for (const index of indexes.filter((i) => i.unique)) await setup.query(copyIndex(index));
    await setup.query('commit');
  } catch (err) {
    await setup.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    setup.release();
  }

  // Where the replay must get to: the live consumer's positions, and the topics' ends now (the
  // live consumer may be behind, or not running).
  const admin = opts.kafka.admin();
  await admin.connect();
  let clusterId: string;
  let target: Positions;
  try {
    clusterId = (await admin.describeCluster()).clusterId;
    target = await positions(pool, opts.liveConsumer, clusterId, opts.topics);
    for (const topic of opts.topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const where = `${topic}:${p.partition}`;
        const high = BigInt(p.high);
        if (high > (target.get(where) ?? 0n)) target.set(where, high);
      }
    }
  } finally {
    await admin.disconnect();
  }

  // 2. The replay, into the copies.
  const rebuilder = createIndexer({ analyzer: opts.analyzer, tables: REBUILD_TABLES, swappable: false });
  const replay = createEventConsumer({
    name: rebuildName,
    subgraph: INDEX_SCHEMA,
    kafka: opts.kafka,
    logger: log,
    topics: opts.topics,
    groupPrefix: opts.groupPrefix,
    transaction: createSearchStore(pool).transaction,
    handle: (tx, events) => rebuilder.apply(tx, events),
  });
  let replaying = false;
  try {
    await replay.start();
    replaying = true;
    log.info('replaying the topics into new tables');
    while (!reached(await positions(pool, rebuildName, clusterId, opts.topics), target)) {
      if (Date.now() > deadline) throw new Error('reindex: the replay did not reach the end of the topics in time');
      await sleep(250);
    }

    // 3. Secondary indexes on the loaded copies; primary keys from their unique indexes.
    for (const index of indexes.filter((i) => !i.unique)) await pool.query(copyIndex(index));
    for (const index of indexes.filter((i) => i.constraint !== null)) {
      await pool.query(
        `alter table ${q(index.table + REBUILD_SUFFIX)} add constraint "${index.constraint}${REBUILD_SUFFIX}" primary key using index "${index.name}${REBUILD_SUFFIX}"`,
      );
    }

    // 4. The swap, between two live chunks.
    const client = await pool.connect();
    let generation = 0;
    try {
      await client.query('begin');
      await client.query(`set local lock_timeout = ${Math.max(1, Math.round(opts.lockTimeoutMs ?? 10_000))}`);
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [INDEX_WRITE_LOCK]);
      // The live consumer is paused now: catch up with where it stopped.
      while (!reached(await positions(client, rebuildName, clusterId, opts.topics), await positions(client, opts.liveConsumer, clusterId, opts.topics))) {
        if (Date.now() > deadline) throw new Error('reindex: the replay did not reach the live consumer in time');
        await sleep(100);
      }
      await replay.stop();
      replaying = false;
      for (const name of tableNames) {
        await client.query(`alter table ${q(name)} rename to "${name}_retired"`);
        await client.query(`alter table ${q(name + REBUILD_SUFFIX)} rename to "${name}"`);
        await client.query(`drop table ${q(`${name}_retired`)}`);
      }
      for (const index of indexes) {
        await client.query(
          index.constraint !== null
            ? `alter table ${q(index.table)} rename constraint "${index.constraint}${REBUILD_SUFFIX}" to "${index.constraint}"`
            : `alter index ${q(index.name + REBUILD_SUFFIX)} rename to "${index.name}"`,
        );
      }
      await client.query(`delete from ${q('consumer_offsets')} where consumer = $1`, [rebuildName]);
      const state = await client.query<{ generation: number }>(
        `insert into ${q('index_state')} (name, generation, rebuilt_at, events) values ('index', 1, now(), $1)
         on conflict (name) do update set generation = index_state.generation + 1, rebuilt_at = now(), events = excluded.events
         returning generation`,
        [replay.stats().applied],
      );
      generation = state.rows[0]?.generation ?? 0;
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }

    const { rows } = await pool.query<{ posts: number; users: number; tags: number }>(
      `select (select count(*) from ${q('posts')} where searchable)::int as posts,
              (select count(*) from ${q('users')})::int as users,
              (select count(*) from ${q('tags')} where post_count > 0)::int as tags`,
    );
    const result: ReindexResult = {
      events: replay.stats().applied,
      posts: rows[0]?.posts ?? 0,
      users: rows[0]?.users ?? 0,
      tags: rows[0]?.tags ?? 0,
      seconds: (Date.now() - started) / 1000,
      generation,
    };
    log.info(result, 'index rebuilt and swapped in');
    return result;
  } catch (err) {
    // Leave the live index as it was: drop the copies and the replay's positions.
    if (replaying) await replay.stop().catch(() => undefined);
    await pool
      .query(
        `${tableNames.map((name) => `drop table if exists ${q(name + REBUILD_SUFFIX)};`).join(' ')}
         delete from ${q('consumer_offsets')} where consumer = '${rebuildName}'`,
      )
      .catch((cleanErr: unknown) => log.warn({ err: cleanErr }, 'cleaning up the failed rebuild also failed'));
    throw err;
  }
}
