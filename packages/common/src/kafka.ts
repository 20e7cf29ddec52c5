import './kafkajs-node24.js';
import kafkajs, { type Kafka, type Producer, type logCreator } from 'kafkajs';
import type { Logger } from './logger.js';

const { Kafka: KafkaClient, logLevel, Partitioners } = kafkajs;

export type { Kafka, Producer };

function kafkaLogCreator(logger: Logger): logCreator {
  return () => ({ level, log }) => {
    const { message, ...extra } = log;
    const fields: Record<string, unknown> = { ...extra, kafka: log.logger };
    if (level === logLevel.ERROR) logger.warn(fields, `kafka: ${message}`);
    else if (level === logLevel.WARN) logger.debug(fields, `kafka: ${message}`);
  };
}

export function createKafka(opts: { brokers: string[]; clientId: string; logger: Logger }): Kafka {
  return new KafkaClient({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(opts.logger),
  });
}

/** An idempotent producer: a retried send is written once, in order, per partition. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
  });
}

/** Creates topics that are missing (idempotent). */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}
