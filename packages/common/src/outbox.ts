import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, text, timestamp, uuid, type PgSchema } from 'drizzle-orm/pg-core';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { eventHeaders, type OutgoingEvent } from '@plaza/events';
import type pg from 'pg';
import type { Producer } from './kafka.js';
import type { Logger } from './logger.js';

/**
 * The transactional outbox table, one per subgraph schema: an event row is written in the same
 * transaction as the change it describes, and a relay publishes it to Kafka afterwards. Nothing
 * is lost while Kafka is down; the relay catches up when it returns.
 */
export function defineOutboxTable(schema: PgSchema<string>) {
  return schema.table(
    'outbox',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      eventId: uuid('event_id').notNull().unique(),
      topic: text('topic').notNull(),
      key: text('key').notNull(),
      type: text('type').notNull(),
      /** The whole event envelope, published as the message value. */
      payload: jsonb('payload').notNull(),
      headers: jsonb('headers').$type<Record<string, string>>().notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      publishedAt: timestamp('published_at', { withTimezone: true }),
      attempts: integer('attempts').notNull().default(0),
    },
    (t) => [index('outbox_pending_idx').on(t.id).where(sql`${t.publishedAt} is null`)],
  );
}

type OutboxTable = ReturnType<typeof defineOutboxTable>;
// eslint-style note: any drizzle database or transaction works here.
type AnyPgDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** Writes events into the outbox with the caller's database or transaction handle. */
export async function enqueueEvents(
  db: Pick<AnyPgDatabase, 'insert'>,
  table: OutboxTable,
  events: readonly OutgoingEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await db.insert(table).values(
    events.map((e) => ({
      eventId: e.envelope.id,
      topic: e.topic,
      key: e.key,
      type: e.envelope.type,
      payload: e.envelope,
      headers: eventHeaders(e.envelope),
    })),
  );
}

/**
 * A store's transactions and its outbox writes, together: a transaction that enqueued events
 * calls `onCommit` once it has committed (never before, when the relay would find nothing, and
 * never after a rollback), so the relay publishes now instead of at its next poll.
 */
export function createOutboxWriter<Tx extends Pick<AnyPgDatabase, 'insert'>>(opts: {
  table: OutboxTable;
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  onCommit: () => void;
}) {
  const wrote = new WeakSet<Tx>();
  return {
    transaction: async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
      let used: Tx | undefined;
      const result = await opts.transaction((tx) => {
        used = tx;
        return fn(tx);
      });
      if (used && wrote.has(used)) opts.onCommit();
      return result;
    },
    enqueue: async (tx: Tx, events: readonly OutgoingEvent[]): Promise<void> => {
      await enqueueEvents(tx, opts.table, events);
      if (events.length > 0) wrote.add(tx);
    },
  };
}

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** The Postgres schema holding the `outbox` table. */
  schema: string;
  producer: Producer;
  logger: Logger;
  /** Rows per Kafka batch. Default 500. */
  batchSize?: number;
  /** Poll interval when the outbox is empty, ms. Default 200. */
  idleMs?: number;
  /** Published rows are deleted after this many hours. Default 24. */
  retentionHours?: number;
}

export interface OutboxRelay {
  /** Publishes at most one batch; returns how many events it published. */
  runOnce(): Promise<number>;
  /** Runs until stop(), backing off while Kafka or Postgres is unreachable. */
  start(): void;
  /** Asks a running relay to look now instead of at its next poll (after a commit, say). */
  wake(): void;
  stop(): Promise<void>;
  /** Events written but not yet published. */
  backlog(): Promise<number>;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  payload: unknown;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows in id order. One relay per schema works at a time (a transaction-scoped
 * advisory lock), which keeps each key's events in order across several service instances; the
 * rows are locked while Kafka acknowledges them and marked published in the same transaction.
 * Delivery is at least once: consumers deduplicate by the envelope's event id.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const batchSize = opts.batchSize ?? 500;
  const idleMs = opts.idleMs ?? 200;
  const retentionMs = (opts.retentionHours ?? 24) * 3_600_000;
  const table = `"${opts.schema}"."outbox"`;
  const lockKey = `plaza.outbox.${opts.schema}`;
  let connected = false;
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  /** A wake that came while the relay was publishing: it looks again at once instead of sleeping. */
  let wokenWhileBusy = false;
  let lastPurge = 0;

  async function ensureConnected(): Promise<void> {
    if (connected) return;
    await opts.producer.connect();
    connected = true;
  }

  async function purge(): Promise<void> {
    if (Date.now() - lastPurge < 60_000) return;
    lastPurge = Date.now();
    await opts.pool.query(
      `delete from ${table} where published_at is not null and published_at < now() - ($1::bigint * interval '1 millisecond')`,
      [retentionMs],
    );
  }

  async function runOnce(): Promise<number> {
    const client = await opts.pool.connect();
    try {
      await client.query('begin');
      const lock = await client.query<{ ok: boolean }>('select pg_try_advisory_xact_lock(hashtext($1)) as ok', [lockKey]);
      if (!lock.rows[0]?.ok) {
        await client.query('rollback');
        return 0;
      }
      const { rows } = await client.query<OutboxRow>(
        `select id, topic, key, payload, headers from ${table}
          where published_at is null order by id limit $1 for update`,
        [batchSize],
      );
      if (rows.length === 0) {
        await client.query('commit');
        return 0;
      }
      try {
        await ensureConnected();
        const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
        for (const row of rows) {
          const list = byTopic.get(row.topic) ?? [];
          list.push({ key: row.key, value: JSON.stringify(row.payload), headers: row.headers });
          byTopic.set(row.topic, list);
        }
        await opts.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      } catch (err) {
        await client.query('rollback');
        await opts.pool
          .query(`update ${table} set attempts = attempts + 1 where id = any($1::bigint[])`, [rows.map((r) => r.id)])
          .catch(() => {});
        throw err;
      }
      await client.query(`update ${table} set published_at = now() where id = any($1::bigint[])`, [rows.map((r) => r.id)]);
      await client.query('commit');
      return rows.length;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Resolves `true` when woken (a commit wrote events), `false` when the time ran out. */
  function sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      function done(woken: boolean) {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve(woken);
      }
      wakeUp = () => done(true);
    });
  }

  /** One statement on the partial index: whether any event waits (the idle poll's whole cost). */
  async function anyPending(): Promise<boolean> {
    const { rows } = await opts.pool.query<{ any: boolean }>(`select exists(select 1 from ${table} where published_at is null) as any`);
    return rows[0]?.any ?? false;
  }

  async function run(): Promise<void> {
    let failures = 0;
    // The first pass, a wake or a full batch go straight to publishing; a poll that found the
    // time run out asks first whether anything waits (one statement instead of a transaction).
    let look = true;
    while (running) {
      try {
        wokenWhileBusy = false;
        const n = look || (await anyPending()) ? await runOnce() : 0;
        if (failures > 0) opts.logger.info({ schema: opts.schema }, 'outbox relay: publishing again');
        failures = 0;
        await purge();
        if (n >= batchSize || wokenWhileBusy) look = true;
        else look = await sleep(idleMs);
      } catch (err) {
        failures++;
        // Log the first failure and then every 20th, so an outage does not flood the log.
        if (failures === 1 || failures % 20 === 0) {
          opts.logger.warn({ err, schema: opts.schema, failures }, 'outbox relay: publish failed, will retry');
        }
        await sleep(Math.min(200 * 2 ** Math.min(failures, 4), 3_000));
        look = true;
      }
    }
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake() {
      if (wakeUp) wakeUp();
      else wokenWhileBusy = true;
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
      if (connected) await opts.producer.disconnect().catch(() => {});
      connected = false;
    },
    async backlog() {
      const { rows } = await opts.pool.query<{ n: string }>(`select count(*) as n from ${table} where published_at is null`);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
