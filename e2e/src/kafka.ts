import { randomUUID } from 'node:crypto';
import '@plaza/common/kafkajs-node24';
import kafkajs from 'kafkajs';
import { decodeEvent, type DecodedEvent } from '@plaza/events';

const { Kafka, logLevel } = kafkajs;

export interface EventWatcher {
  /** Resolves with the first event (since the watcher started) matching the predicate. */
  waitFor(predicate: (e: DecodedEvent) => boolean, timeoutMs?: number): Promise<DecodedEvent>;
  /** Every event seen so far (since the watcher started). */
  seen(): DecodedEvent[];
  stop(): Promise<void>;
}

export type TopicOffsets = Map<number, bigint>;

function client() {
  return new Kafka({
    clientId: 'plaza-e2e',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** Each partition's end offset now: where messages produced from now on will start. */
export async function topicEnds(topic: string): Promise<TopicOffsets> {
  const admin = client().admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a topic from a fresh consumer group, keeping only messages at or after `from` (default:
 * each partition's end when the watcher starts), so tests see their own events.
 */
export async function watchEvents(topic: string, opts: { from?: TopicOffsets } = {}): Promise<EventWatcher> {
  const kafka = client();
  const ends = opts.from ?? (await topicEnds(topic));

  const consumer = kafka.consumer({ groupId: `plaza-e2e-${randomUUID()}`, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const events: DecodedEvent[] = [];
  const waiters = new Set<{ predicate: (e: DecodedEvent) => boolean; resolve: (e: DecodedEvent) => void }>();
  await consumer.run({
    // kafkajs awaits the handler; this one has nothing to wait for.
    eachMessage: ({ partition, message }) => {
      if (BigInt(message.offset) < (ends.get(partition) ?? 0n) || !message.value) return Promise.resolve();
      const event = decodeEvent(message.value);
      events.push(event);
      for (const w of waiters) {
        if (w.predicate(event)) {
          waiters.delete(w);
          w.resolve(event);
        }
      }
      return Promise.resolve();
    },
  });
  return {
    seen: () => [...events],
    waitFor(predicate, timeoutMs = 15_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no matching event on ${topic} within ${timeoutMs} ms`));
        }, timeoutMs).unref();
      });
    },
    stop: () => consumer.disconnect(),
  };
}
