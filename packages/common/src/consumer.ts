import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type SQL } from 'drizzle-orm';
import { bigint, bigserial, integer, jsonb, primaryKey, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';
import { decodeEvent, type DecodedEvent } from '@plaza/events';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from './logger.js';
import type { Worker } from './subgraph.js';

/**
 * The consuming half of the event plumbing: a consumer-group runner that applies Kafka events to
 * state kept in Postgres **effectively once**. The handler's writes and the consumed position
 * (next offset per topic partition, in `<schema>.consumer_offsets`) commit in one transaction;
 * Kafka's own committed offset is only a hint, written afterwards. A batch redelivered after a
 * crash between the two commits finds its offsets already consumed in Postgres and changes
 * nothing. A message that cannot be decoded, or whose handling keeps failing after a bounded
 * number of attempts, goes to `<schema>.dead_letters` with its error (in the transaction that
 * moves the position past it): it never blocks its partition and is never silently dropped.
 */

/** The two tables a consuming subgraph adds to its drizzle schema (`defineConsumerTables(itsPgSchema)`). */
export function defineConsumerTables(schema: PgSchema<string>) {
  return {
    consumerOffsets: schema.table(
      'consumer_offsets',
      {
        /** The consumer's name within the subgraph (`projection`, `feed`, …). */
        consumer: text('consumer').notNull(),
        topic: text('topic').notNull(),
        partition: integer('partition').notNull(),
        /** The offset of the next message to apply. */
        nextOffset: bigint('next_offset', { mode: 'bigint' }).notNull(),
        /**
         * The Kafka cluster the offset belongs to: a position from another cluster (a broker whose
         * storage was recreated, say) means nothing here, and the partition starts from 0.
         */
        clusterId: text('cluster_id').notNull().default(''),
        updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
      },
      (t) => [primaryKey({ columns: [t.consumer, t.topic, t.partition] })],
    ),
    deadLetters: schema.table('dead_letters', {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      consumer: text('consumer').notNull(),
      topic: text('topic').notNull(),
      partition: integer('partition').notNull(),
      offset: bigint('offset', { mode: 'bigint' }).notNull(),
      key: text('key'),
      /** The raw message value (UTF-8), as it was on the topic. */
      value: text('value'),
      headers: jsonb('headers').$type<Record<string, string>>().notNull(),
      error: text('error').notNull(),
      attempts: integer('attempts').notNull(),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    }),
  };
}

/** A decoded event of a known type, with where it came from. */
export type ConsumedEvent = Extract<DecodedEvent, { known: true }> & {
  topic: string;
  partition: number;
  offset: bigint;
};

/** What the consumer needs of a transaction: raw SQL (a drizzle transaction has it). */
export interface SqlExecutor {
  execute(query: SQL): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface EventConsumerOptions<Tx extends SqlExecutor> {
  /** The consumer's name within its subgraph: positions and dead letters are kept under it. */
  name: string;
  /** The subgraph: the Postgres schema with `consumer_offsets` and `dead_letters`, and the group id. */
  subgraph: string;
  kafka: Kafka;
  logger: Logger;
  topics: readonly string[];
  /** Kafka consumer group: `<groupPrefix>.<subgraph>.<name>`. */
  groupPrefix: string;
  /** Runs `fn` in a database transaction (the subgraph store's `transaction`). */
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  /**
   * Applies events (in offset order, one partition's at a time) within the transaction that also
   * records the position. Throwing rolls both back; the batch is tried again.
   */
  handle: (tx: Tx, events: readonly ConsumedEvent[]) => Promise<void>;
  /**
   * After the transaction committed and before Kafka's offset is committed: derived state that
   * is not the source of truth (Redis counters, notifications). A failure here is logged and the
   * events are not applied again; such state must be rebuildable from Postgres.
   */
  afterCommit?: (events: readonly ConsumedEvent[]) => Promise<void>;
  /** Attempts at a failing batch before its messages are tried one by one and the failing one dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Messages applied per transaction at most. Default 1,000. */
  chunkSize?: number;
  /** Partitions processed at once (each partition still strictly in order). Default 1. */
  partitionsConsumedConcurrently?: number;
  /**
   * Bytes fetched per partition per request at most (kafkajs' `maxBytesPerPartition`), and per
   * request in all (`maxBytes`): a batch is at most this big. Defaults 1 MiB and 10 MiB. A
   * consumer that aggregates its batches (many small events) gains from larger ones.
   */
  maxBytesPerPartition?: number;
  maxBytes?: number;
  /**
   * Decodes and validates a message value (default: the catalog's `decodeEvent`). A consumer of
   * one very frequent event type may pass a faster decoder that accepts exactly what the catalog
   * accepts for that type and hands everything else to `decodeEvent`.
   */
  decode?: (value: Buffer) => DecodedEvent;
  /**
   * How long the group waits for a silent member (a crashed process) before giving its
   * partitions to another, ms. Default 30,000; the broker allows 6,000 at least.
   */
  sessionTimeoutMs?: number;
}

export interface EventConsumer extends Worker {
  /** Messages applied (or skipped as already applied, or dead-lettered) since start. */
  stats(): { applied: number; redelivered: number; deadLettered: number };
}

type ChunkResult = { applied: ConsumedEvent[] } | { error: unknown } | { rewind: bigint };

interface RawMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

/** `next_offset` of a position row (bigint columns come back as strings), 0 without one. */
function nextOffsetOf(rows: readonly Record<string, unknown>[]): bigint {
  const value = rows[0]?.next_offset;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? BigInt(value) : 0n;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Starts a consumer's projection over: empties it (`reset`) and forgets the consumer's positions,
 * in one transaction. Every instance that joins the group afterwards (start, restart, rebalance)
 * reads the topics from their beginning into the empty projection.
 */
export async function resetProjection<Tx extends SqlExecutor>(opts: {
  subgraph: string;
  consumer: string;
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  reset: (tx: Tx) => Promise<void>;
}): Promise<void> {
  await opts.transaction(async (tx) => {
    await opts.reset(tx);
    await tx.execute(sql`delete from ${sql.raw(`"${opts.subgraph}"`)}.consumer_offsets where consumer = ${opts.consumer}`);
  });
}

/** Creates a consumer; `start()` joins the group and runs it until `stop()`. */
export function createEventConsumer<Tx extends SqlExecutor>(opts: EventConsumerOptions<Tx>): EventConsumer {
  const maxAttempts = opts.maxAttempts ?? 5;
  const chunkSize = opts.chunkSize ?? 1_000;
  const decode = opts.decode ?? decodeEvent;
  const schema = `"${opts.subgraph}"`;
  const groupId = `${opts.groupPrefix}.${opts.subgraph}.${opts.name}`;
  const log = opts.logger.child({ consumer: opts.name, groupId });
  const counts = { applied: 0, redelivered: 0, deadLettered: 0 };
  let consumer: Consumer | undefined;
  /** The Kafka cluster's id, read at start: positions are only meaningful within one cluster. */
  let clusterId = '';
  let running = false;
  let crashed = false;
  /**
   * Partitions we asked Kafka to rewind to our stored position (`topic:partition` → offset). If
   * the next batch still starts after it, the messages are gone (retention) and we go on.
   */
  const rewound = new Map<string, bigint>();

  /** Locks the partition's position row for the transaction and returns the next offset to apply. */
  async function lockPosition(tx: Tx, topic: string, partition: number): Promise<bigint> {
    await tx.execute(sql`
      insert into ${sql.raw(schema)}.consumer_offsets (consumer, topic, partition, next_offset, cluster_id)
      values (${opts.name}, ${topic}, ${partition}, 0, ${clusterId}) on conflict do nothing`);
    const { rows } = await tx.execute(sql`
      select next_offset, cluster_id from ${sql.raw(schema)}.consumer_offsets
       where consumer = ${opts.name} and topic = ${topic} and partition = ${partition} for update`);
    return positionOf(rows);
  }

  /** The stored next offset, or 0 when it was stored for another Kafka cluster. */
  function positionOf(rows: readonly Record<string, unknown>[]): bigint {
    if (rows[0] && rows[0].cluster_id !== clusterId) {
      log.warn({ stored: rows[0].cluster_id, current: clusterId }, 'stored position is for another Kafka cluster; starting the partition from 0');
      return 0n;
    }
    return nextOffsetOf(rows);
  }

  async function savePosition(tx: Tx, topic: string, partition: number, next: bigint): Promise<void> {
    await tx.execute(sql`
      update ${sql.raw(schema)}.consumer_offsets
         set next_offset = ${next.toString()}::bigint, cluster_id = ${clusterId}, updated_at = now()
       where consumer = ${opts.name} and topic = ${topic} and partition = ${partition}`);
  }

  async function deadLetter(tx: Tx, raw: RawMessage, error: string, attempts: number): Promise<void> {
    await tx.execute(sql`
      insert into ${sql.raw(schema)}.dead_letters (consumer, topic, partition, "offset", key, value, headers, error, attempts)
      values (${opts.name}, ${raw.topic}, ${raw.partition}, ${raw.message.offset}::bigint, ${raw.message.key?.toString() ?? null},
              ${raw.message.value?.toString('utf8') ?? null}, ${JSON.stringify(headersOf(raw.message))}::jsonb, ${error}, ${attempts})`);
    counts.deadLettered++;
    log.error({ topic: raw.topic, partition: raw.partition, offset: raw.message.offset, error }, 'event dead-lettered');
  }

  /** Our stored positions for the partitions just assigned: start from there, not Kafka's hint. */
  async function seekToStoredPositions(assignment: Record<string, number[]>): Promise<void> {
    if (!consumer) return;
    const positions = await opts.transaction(async (tx) => {
      const out: { topic: string; partition: number; next: bigint }[] = [];
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const partition of partitions) {
          const { rows } = await tx.execute(sql`
            select next_offset, cluster_id from ${sql.raw(schema)}.consumer_offsets
             where consumer = ${opts.name} and topic = ${topic} and partition = ${partition}`);
          out.push({ topic, partition, next: positionOf(rows) });
        }
      }
      return out;
    });
    // The consumer may have been stopped while the positions were read.
    const running = consumer as typeof consumer | undefined;
    if (!running) return;
    for (const p of positions) running.seek({ topic: p.topic, partition: p.partition, offset: p.next.toString() });
  }

  /**
   * Applies one chunk of a partition's messages in one transaction with the position. Returns the
   * events applied (for afterCommit), the handler's error, or the stored position to rewind to
   * when Kafka delivered messages after it (a projection being replayed from the start).
   */
  async function applyChunk(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    attempt: number,
  ): Promise<ChunkResult> {
    const where = `${topic}:${partition}`;
    try {
      const applied = await opts.transaction(async (tx): Promise<ConsumedEvent[] | bigint> => {
        const next = await lockPosition(tx, topic, partition);
        const fresh = messages.filter((m) => BigInt(m.offset) >= next);
        counts.redelivered += messages.length - fresh.length;
        const first = fresh[0];
        const last = fresh.at(-1);
        if (!first || !last) return [];
        if (BigInt(first.offset) > next) {
          if (rewound.get(where) !== next) return next;
          // Rewound once and still after it: only retention removes messages before we read them.
          log.warn({ topic, partition, expected: next.toString(), got: first.offset }, 'messages missing from Kafka (retention?)');
        }
        rewound.delete(where);
        const events: ConsumedEvent[] = [];
        for (const message of fresh) {
          let decoded: DecodedEvent;
          try {
            if (!message.value) throw new Error('empty message value');
            decoded = decode(message.value);
          } catch (err) {
            await deadLetter(tx, { topic, partition, message }, `undecodable: ${errorText(err)}`, 1);
            continue;
          }
          // Events of types (or versions) this code predates are skipped, not failed.
          // Built field by field: spreading the decoded event cost more than decoding it (profiled).
          if (decoded.known) {
            events.push({ known: true, type: decoded.type, envelope: decoded.envelope, topic, partition, offset: BigInt(message.offset) } as ConsumedEvent);
          }
        }
        if (events.length > 0) await opts.handle(tx, events);
        await savePosition(tx, topic, partition, BigInt(last.offset) + 1n);
        return events;
      });
      if (typeof applied === 'bigint') {
        rewound.set(where, applied);
        return { rewind: applied };
      }
      counts.applied += applied.length;
      return { applied };
    } catch (err) {
      if (attempt === 1 || attempt === maxAttempts) {
        log.warn({ err, topic, partition, attempt, from: messages[0]?.offset }, 'applying events failed; will retry');
      }
      return { error: err };
    }
  }

  /** Dead-letters one message whose handling keeps failing, moving the position past it. */
  async function deadLetterOne(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> {
    await opts.transaction(async (tx) => {
      const next = await lockPosition(tx, topic, partition);
      if (BigInt(message.offset) < next) return;
      await deadLetter(tx, { topic, partition, message }, `handler failed ${maxAttempts} times: ${errorText(error)}`, maxAttempts);
      await savePosition(tx, topic, partition, BigInt(message.offset) + 1n);
    });
  }

  async function runAfterCommit(events: readonly ConsumedEvent[]): Promise<void> {
    if (!opts.afterCommit || events.length === 0) return;
    try {
      await opts.afterCommit(events);
    } catch (err) {
      log.warn({ err, events: events.length }, 'after-commit work failed; the database has the events applied');
    }
  }

  /** Applies a chunk, retrying it (with backoff and heartbeats) up to maxAttempts while it fails. */
  async function applyWithRetries(payload: EachBatchPayload, messages: readonly KafkaMessage[]): Promise<ChunkResult> {
    const { topic, partition } = payload.batch;
    let result: ChunkResult = { error: undefined };
    for (let attempt = 1; attempt <= maxAttempts && payload.isRunning(); attempt++) {
      result = await applyChunk(topic, partition, messages, attempt);
      if (!('error' in result)) return result;
      await payload.heartbeat();
      await sleep(Math.min(100 * 2 ** attempt, 2_000));
    }
    return result;
  }

  /** Applies a batch in chunks, isolating a poison message after maxAttempts. */
  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    for (let i = 0; i < messages.length && payload.isRunning() && !payload.isStale(); i += chunkSize) {
      const chunk = messages.slice(i, i + chunkSize);
      const result = await applyWithRetries(payload, chunk);
      if ('rewind' in result) {
        // Kafka is ahead of our stored position: fetch again from where Postgres says we are.
        consumer?.seek({ topic, partition, offset: result.rewind.toString() });
        return;
      }
      if ('applied' in result) {
        await runAfterCommit(result.applied);
      } else {
        if (!payload.isRunning()) return;
        // The chunk keeps failing: one message at a time, so only the poison one is set aside.
        for (const message of chunk) {
          const single = await applyWithRetries(payload, [message]);
          if ('applied' in single) await runAfterCommit(single.applied);
          else if ('error' in single) {
            if (!payload.isRunning()) return;
            await deadLetterOne(topic, partition, message, single.error);
          }
        }
      }
      const last = chunk.at(-1);
      if (last) {
        payload.resolveOffset(last.offset);
        // A hint for the next group member; Postgres holds the position that counts.
        await consumer?.commitOffsets([{ topic, partition, offset: (BigInt(last.offset) + 1n).toString() }]).catch((err: unknown) => {
          log.debug({ err }, 'kafka offset commit failed (postgres has the position)');
        });
      }
      await payload.heartbeat();
    }
  }

  return {
    name: `consumer:${opts.name}`,
    stats: () => ({ ...counts }),
    ready: () => running && !crashed,
    async start() {
      if (running) return;
      const admin = opts.kafka.admin();
      await admin.connect();
      try {
        clusterId = (await admin.describeCluster()).clusterId;
      } finally {
        await admin.disconnect();
      }
      consumer = opts.kafka.consumer({
        groupId,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: 3_000,
        // How long the broker holds a fetch open while there is nothing to return. A fetch
        // returns as soon as an event arrives (minBytes 1), so this does not delay events; it is
        // what an idle consumer costs: at 100 ms, the five consumers of one process made the broker
        // and kafkajs answer ~50 empty fetches a second, and the chat benchmark's subgraph CPU per
        // message was 10–11 ms against 9 at 500 ms (delivery p90 112–121 ms against 55).
        maxWaitTimeInMs: 500,
        ...(opts.maxBytesPerPartition ? { maxBytesPerPartition: opts.maxBytesPerPartition } : {}),
        ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}),
        allowAutoTopicCreation: false,
      });
      const c = consumer;
      c.on(c.events.GROUP_JOIN, (event) => {
        seekToStoredPositions(event.payload.memberAssignment).catch((err: unknown) => {
          log.warn({ err }, 'could not read stored positions after joining the group');
        });
      });
      c.on(c.events.CRASH, (event) => {
        crashed = !event.payload.restart;
        log.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
      });
      await c.connect();
      for (const topic of opts.topics) await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
        eachBatch: processBatch,
      });
      running = true;
      log.info({ topics: opts.topics }, 'consumer running');
    },
    async stop() {
      if (!consumer) return;
      running = false;
      // Waits for the batch in hand: it finishes its transaction and commits before leaving.
      await consumer.disconnect();
      consumer = undefined;
    },
  };
}
