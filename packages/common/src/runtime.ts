import type { IncomingMessage } from 'node:http';
import { ALL_TOPICS } from '@plaza/events';
import type pg from 'pg';
import type { z } from 'zod';
import { createTokenVerifier, type TokenVerifier, type Viewer } from './auth.js';
import { splitList, type SubgraphEnvShape } from './env.js';
import { createPool, pingPostgres, runMigrations } from './db.js';
import { CLIENT_IP_HEADER, clientIp } from './http.js';
import { createKafka, createProducer, ensureTopics, type Kafka, type Producer } from './kafka.js';
import { resolvePublicKey } from './keys.js';
import { closeAll, type Closer } from './lifecycle.js';
import type { Logger } from './logger.js';
import { createOutboxRelay, type OutboxRelay } from './outbox.js';
import { createRedis, pingRedis, type Redis } from './redis.js';

/** What every subgraph process needs, as plain config (built from its zod-validated env). */
export interface RuntimeConfig {
  name: string;
  production: boolean;
  home: string;
  postgres: { url: string; poolMax: number; schema: string; migrationsFolder: string };
  redis: { url: string };
  kafka: { brokers: string[]; topicPartitions: number; groupPrefix: string };
  auth: { publicKeyPem?: string | undefined; privateKeyPem?: string | undefined; issuer: string; audience: string };
  /** Apply migrations at start (on by default; `npm start` and tests rely on it). */
  migrate: boolean;
}

/** The parsed variables every subgraph reads (its own schema extends SubgraphEnvShape). */
export type SubgraphEnv = z.infer<z.ZodObject<typeof SubgraphEnvShape>>;

/** A subgraph's RuntimeConfig from its parsed env; `schema` is its Postgres schema. */
export function subgraphRuntimeConfig(
  env: SubgraphEnv,
  opts: { name: string; schema: string; migrationsFolder: string; privateKeyPem?: string | undefined },
): RuntimeConfig {
  return {
    name: opts.name,
    production: env.NODE_ENV === 'production',
    home: env.PLAZA_HOME,
    postgres: { url: env.DATABASE_URL, poolMax: env.PG_POOL_MAX, schema: opts.schema, migrationsFolder: opts.migrationsFolder },
    redis: { url: env.REDIS_URL },
    kafka: {
      brokers: splitList(env.KAFKA_BROKERS),
      topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
      groupPrefix: env.KAFKA_GROUP_PREFIX,
    },
    auth: {
      publicKeyPem: env.JWT_PUBLIC_KEY,
      privateKeyPem: opts.privateKeyPem,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    },
    migrate: env.MIGRATE_ON_START,
  };
}

/** The viewer and client address of a request that came through the gateway. */
export interface RequestIdentity {
  viewer: Viewer | null;
  clientIp: string;
}

/** The wired dependencies of a subgraph process. */
export interface ServiceRuntime {
  config: RuntimeConfig;
  logger: Logger;
  pool: pg.Pool;
  redis: Redis;
  kafka: Kafka;
  producer: Producer;
  outbox: OutboxRelay;
  verifier: TokenVerifier;
  requestIdentity(req: IncomingMessage): Promise<RequestIdentity>;
  readiness(): Promise<Record<string, boolean>>;
  close: () => Promise<void>;
}

/**
 * Opens everything a subgraph process needs, in order: configuration checks first (a production
 * process without its keys stops before it touches anything), then Postgres (and migrations),
 * Redis, Kafka and the outbox relay. When a step fails, whatever the earlier steps opened is
 * closed again before the error is rethrown, so a failed start leaves nothing running.
 */
export async function createServiceRuntime(cfg: RuntimeConfig, logger: Logger): Promise<ServiceRuntime> {
  const publicKeyPem = resolvePublicKey({
    production: cfg.production,
    home: cfg.home,
    publicKeyPem: cfg.auth.publicKeyPem,
    privateKeyPem: cfg.auth.privateKeyPem,
  });
  /** Closers of what is open so far, last opened first. */
  const opened: Closer[] = [];
  try {
    const pool = createPool({ url: cfg.postgres.url, max: cfg.postgres.poolMax, name: `plaza-${cfg.name}`, logger });
    opened.unshift(() => pool.end());
    if (cfg.migrate) {
      await runMigrations(pool, { schema: cfg.postgres.schema, migrationsFolder: cfg.postgres.migrationsFolder });
    }
    const redis = createRedis(cfg.redis.url, `plaza-${cfg.name}`, logger);
    opened.unshift(() => {
      redis.disconnect();
      return Promise.resolve();
    });
    const verifier = await createTokenVerifier({
      publicKeyPem,
      issuer: cfg.auth.issuer,
      audience: cfg.auth.audience,
      redis,
    });
    const kafka = createKafka({ brokers: cfg.kafka.brokers, clientId: `plaza-${cfg.name}`, logger });
    // Topics are created by `npm run migrate`; creating missing ones here too keeps a fresh broker
    // working. Kafka being down must not stop the service: writes go to the outbox meanwhile.
    await ensureTopics(kafka, ALL_TOPICS, cfg.kafka.topicPartitions).catch((err: unknown) => {
      logger.warn({ err }, 'kafka unreachable at start; events wait in the outbox');
    });
    const producer = createProducer(kafka);
    const outbox = createOutboxRelay({ pool, schema: cfg.postgres.schema, producer, logger });
    outbox.start();
    opened.unshift(() => outbox.stop());

    return {
      config: cfg,
      logger,
      pool,
      redis,
      kafka,
      producer,
      outbox,
      verifier,
      async requestIdentity(req) {
        const viewer = await verifier.fromAuthorization(req.headers.authorization);
        // Subgraphs sit behind the gateway, which sets the client's address; they are not meant
        // to be reachable by clients directly.
        return { viewer, clientIp: clientIp(req, { trustProxy: true, header: CLIENT_IP_HEADER }) };
      },
      async readiness() {
        const [postgres, redisOk] = await Promise.all([pingPostgres(pool), pingRedis(redis)]);
        return { postgres, redis: redisOk };
      },
      close: () => closeAll(opened),
    };
  } catch (err) {
    await closeAll(opened).catch((closeErr: unknown) => {
      logger.warn({ err: closeErr }, 'cleaning up after a failed start also failed');
    });
    throw err;
  }
}
