import { randomUUID } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { pgSchema } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, decodeEvent, TOPICS } from '@plaza/events';
import {
  createKafka,
  createLogger,
  createOutboxRelay,
  createPool,
  createOutboxWriter,
  createProducer,
  defineOutboxTable,
  enqueueEvents,
} from '../src/index.js';

const logger = createLogger('outbox-test', 'silent');
const pool = createPool({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza', max: 4, name: 'outbox-test' });
const schemaName = `test_outbox_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const table = defineOutboxTable(pgSchema(schemaName));
const db = drizzle(pool);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = createKafka({ brokers, clientId: 'outbox-test', logger });

function userEvent(userId: string) {
  return createEvent(
    'user.registered',
    { userId, username: `u${userId.slice(0, 8)}`, displayName: 'x', bio: '', avatarUrl: null, createdAt: new Date().toISOString() },
    { source: 'test' },
  );
}

/** Collects this test's messages (by key) from the users topic, from a fresh group. */
async function collect(keys: Set<string>, expected: number, timeoutMs = 20_000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `outbox-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.users, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw ${seen.length} of ${expected} messages`)), timeoutMs);
    void consumer.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString();
        if (!key || !keys.has(key) || !message.value) return Promise.resolve();
        seen.push(decodeEvent(message.value).envelope.id);
        if (seen.length >= expected) {
          clearTimeout(timer);
          // Give duplicates, if any, a moment to show up.
          setTimeout(resolve, 500);
        }
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

beforeAll(async () => {
  await pool.query(`create schema ${schemaName}`);
  await pool.query(`create table ${schemaName}.outbox (like identity.outbox including all)`);
});
afterAll(async () => {
  await pool.query(`drop schema ${schemaName} cascade`);
  await pool.end();
});

describe('outbox relay', () => {
  it('keeps events while Kafka is unreachable and publishes all of them, once, when it is back', async () => {
    const ids = Array.from({ length: 25 }, () => randomUUID());
    await enqueueEvents(db, table, ids.map(userEvent));

    // A broker address where nothing listens: the relay fails, rolls back and keeps the rows.
    const down = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'outbox-test-down', logger });
    const failing = createOutboxRelay({ pool, schema: schemaName, producer: createProducer(down), logger });
    await expect(failing.runOnce()).rejects.toThrow();
    expect(await failing.backlog()).toBe(25);
    await failing.stop();

    const relay = createOutboxRelay({ pool, schema: schemaName, producer: createProducer(kafka), logger, batchSize: 10 });
    let published = 0;
    for (let n = await relay.runOnce(); n > 0; n = await relay.runOnce()) published += n;
    expect(published).toBe(25);
    expect(await relay.backlog()).toBe(0);
    await relay.stop();

    const seen = await collect(new Set(ids), 25);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toHaveLength(25);
  });

  it('lets one relay at a time publish a schema, so two instances never send a row twice', async () => {
    const ids = Array.from({ length: 30 }, () => randomUUID());
    await enqueueEvents(db, table, ids.map(userEvent));
    const a = createOutboxRelay({ pool, schema: schemaName, producer: createProducer(kafka), logger, batchSize: 5, idleMs: 20 });
    const b = createOutboxRelay({ pool, schema: schemaName, producer: createProducer(kafka), logger, batchSize: 5, idleMs: 20 });
    a.start();
    b.start();
    const deadline = Date.now() + 20_000;
    while ((await a.backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await Promise.all([a.stop(), b.stop()]);
    expect(await a.backlog()).toBe(0);
    const seen = await collect(new Set(ids), 30);
    expect(seen).toHaveLength(30);
  });

  it('publishes on a wake, also one that comes while it is publishing, without waiting for its next poll', async () => {
    // A poll interval far beyond the test: only wakes can make it publish in time.
    const relay = createOutboxRelay({ pool, schema: schemaName, producer: createProducer(kafka), logger, idleMs: 600_000 });
    relay.start();
    try {
      const ids: string[] = [];
      // Rapid rounds: many wakes land while the relay is still sending the previous round.
      for (let round = 0; round < 8; round++) {
        const id = randomUUID();
        ids.push(id);
        await enqueueEvents(db, table, [userEvent(id)]);
        relay.wake();
        await new Promise((r) => setTimeout(r, round % 2 === 0 ? 0 : 15));
      }
      const deadline = Date.now() + 10_000;
      while ((await relay.backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await relay.backlog()).toBe(0);
      expect(await collect(new Set(ids), ids.length)).toHaveLength(ids.length);
    } finally {
      await relay.stop();
    }
  });

  it('publishes each key in the order it was written', async () => {
    const id = randomUUID();
    const events = [userEvent(id), createEvent('user.updated', { userId: id, username: 'x', displayName: 'y', bio: '1', avatarUrl: null, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() }, { source: 'test' })];
    await enqueueEvents(db, table, events);
    const relay = createOutboxRelay({ pool, schema: schemaName, producer: createProducer(kafka), logger });
    while ((await relay.runOnce()) > 0);
    await relay.stop();
    const seen = await collect(new Set([id]), 2);
    expect(seen).toEqual(events.map((e) => e.envelope.id));
  });
});

describe('outbox writer', () => {
  it('calls onCommit once a transaction that enqueued events commits, and not otherwise', async () => {
    let commits = 0;
    const writer = createOutboxWriter({ table, transaction: (fn) => db.transaction(fn), onCommit: () => commits++ });
    const id = randomUUID();
    await writer.transaction(async (tx) => {
      await writer.enqueue(tx, [userEvent(id)]);
      expect(commits).toBe(0);
    });
    expect(commits).toBe(1);

    await writer.transaction(() => Promise.resolve('no events'));
    expect(commits).toBe(1);

    await expect(
      writer.transaction(async (tx) => {
        await writer.enqueue(tx, [userEvent(randomUUID())]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(commits).toBe(1);
    const { rows } = await pool.query(`select key from ${schemaName}.outbox where key = $1`, [id]);
    expect(rows).toHaveLength(1);
  });
});

