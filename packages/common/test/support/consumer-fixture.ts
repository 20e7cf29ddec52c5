import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { createEvent } from '@plaza/events';
import { createEventConsumer, createKafka, createLogger, createPool, ensureTopics, type ConsumedEvent, type EventConsumer, type Pool } from '../../src/index.js';

/**
 * A projection for the consumer tests, in a schema of its own: `tally` counts `user.registered`
 * events per user id (a second delivery of an event would count twice), `seen` records each
 * event's offset. `poison` names a username whose event the handler always rejects.
 */
export interface ConsumerFixture {
  schema: string;
  topic: string;
  pool: Pool;
  db: NodePgDatabase;
  /** Produces `user.registered` events (key = user id) and returns their user ids. */
  produce(usernames: readonly string[]): Promise<string[]>;
  /** Produces a raw message that is not an event envelope. */
  produceGarbage(value: string): Promise<void>;
  consumer(opts?: { afterCommit?: (events: readonly ConsumedEvent[]) => Promise<void>; groupPrefix?: string; maxAttempts?: number }): EventConsumer;
  /** The offset Kafka has committed for the tally consumer of a group (-1 when none). */
  kafkaCommitted(groupPrefix?: string): Promise<bigint>;
  tally(): Promise<Map<string, number>>;
  deadLetters(): Promise<{ offset: string; error: string; value: string | null }[]>;
  close(): Promise<void>;
}

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Sets up (or, given its names, reopens) a fixture: a schema, a one-partition topic. */
export async function consumerFixture(existing?: { schema: string; topic: string }): Promise<ConsumerFixture> {
  const suffix = randomBytes(5).toString('hex');
  const schema = existing?.schema ?? `consumer_test_${suffix}`;
  const topic = existing?.topic ?? `plaza.test.consumer.${suffix}`;
  const logger = createLogger('consumer-test', 'silent');
  const pool = createPool({ url: DATABASE_URL, max: 3, name: 'consumer-test' });
  const db = drizzle(pool);
  const kafka = createKafka({ brokers: BROKERS, clientId: 'consumer-test', logger });
  if (!existing) {
    await pool.query(`create schema ${schema}`);
    await pool.query(`create table ${schema}.consumer_offsets (consumer text not null, topic text not null, partition integer not null,
      next_offset bigint not null, cluster_id text not null default '', updated_at timestamptz not null default now(),
      primary key (consumer, topic, partition))`);
    await pool.query(`create table ${schema}.dead_letters (id bigserial primary key, consumer text not null, topic text not null,
      partition integer not null, "offset" bigint not null, key text, value text, headers jsonb not null, error text not null,
      attempts integer not null, created_at timestamptz not null default now())`);
    await pool.query(`create table ${schema}.tally (user_id text primary key, n integer not null)`);
    await ensureTopics(kafka, [topic], 1);
  }
  const producer = kafka.producer();
  await producer.connect();
  const consumers: EventConsumer[] = [];

  return {
    schema,
    topic,
    pool,
    db,
    async produce(usernames) {
      const events = usernames.map((username) =>
        createEvent(
          'user.registered',
          { userId: `u-${username}`, username, displayName: username, bio: '', avatarUrl: null, createdAt: new Date().toISOString() },
          { source: 'consumer-test' },
        ),
      );
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((e) => ({ key: e.key, value: JSON.stringify(e.envelope) })),
      });
      return events.map((e) => e.key);
    },
    async produceGarbage(value) {
      await producer.send({ topic, acks: -1, messages: [{ key: 'garbage', value }] });
    },
    consumer(opts = {}) {
      const consumer = createEventConsumer({
        name: 'tally',
        subgraph: schema,
        kafka,
        logger,
        topics: [topic],
        groupPrefix: opts.groupPrefix ?? 'plaza-test',
        transaction: (fn) => db.transaction(fn),
        maxAttempts: opts.maxAttempts ?? 3,
        // A crashed test process should not hold its partitions for long.
        sessionTimeoutMs: 6_000,
        async handle(tx, events) {
          for (const e of events) {
            if (e.type !== 'user.registered') continue;
            if (e.envelope.data.username.startsWith('poison')) throw new Error(`cannot apply ${e.envelope.data.username}`);
            await tx.execute(sql`insert into ${sql.raw(schema)}.tally (user_id, n) values (${e.envelope.data.userId}, 1)
              on conflict (user_id) do update set n = tally.n + 1`);
          }
        },
        ...(opts.afterCommit ? { afterCommit: opts.afterCommit } : {}),
      });
      consumers.push(consumer);
      return consumer;
    },
    async kafkaCommitted(groupPrefix = 'plaza-test') {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({ groupId: `${groupPrefix}.${schema}.tally`, topics: [topic] });
        return BigInt(offsets?.partitions[0]?.offset ?? '-1');
      } finally {
        await admin.disconnect();
      }
    },
    async tally() {
      const { rows } = await pool.query<{ user_id: string; n: number }>(`select user_id, n from ${schema}.tally`);
      return new Map(rows.map((r) => [r.user_id, r.n]));
    },
    async deadLetters() {
      const { rows } = await pool.query<{ offset: string; error: string; value: string | null }>(
        `select "offset"::text as offset, error, value from ${schema}.dead_letters order by "offset"`,
      );
      return rows;
    },
    async close() {
      for (const c of consumers) await c.stop();
      await producer.disconnect();
      await pool.end();
    },
  };
}
