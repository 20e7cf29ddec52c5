import { pathToFileURL } from 'node:url';
import { ALL_TOPICS } from '@plaza/events';
import { SUBGRAPHS } from '@plaza/schema';
import {
  createKafka,
  createLogger,
  createPool,
  ensureTopics,
  runMigrations,
  type RuntimeConfig,
} from '@plaza/common';

/** Every registered subgraph's runtime config, as its own definition reads the environment. */
export function runtimeConfigs(env: NodeJS.ProcessEnv = process.env): RuntimeConfig[] {
  return SUBGRAPHS.map((s) => s.loadConfig(env).runtime);
}

/** Applies every subgraph's migrations (each in its own Postgres schema) and creates the Kafka topics. */
export async function migrateAll(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const logger = createLogger('migrate', 'warn');
  const configs = runtimeConfigs(env);
  for (const cfg of configs) {
    const pool = createPool({ url: cfg.postgres.url, max: 1, name: 'plaza-migrate', logger });
    try {
      await runMigrations(pool, { schema: cfg.postgres.schema, migrationsFolder: cfg.postgres.migrationsFolder });
    } finally {
      await pool.end();
    }
  }
  const first = configs[0];
  if (!first) return;
  const kafka = createKafka({ brokers: first.kafka.brokers, clientId: 'plaza-migrate', logger });
  await ensureTopics(kafka, ALL_TOPICS, first.kafka.topicPartitions);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  migrateAll().then(
    () => {
      console.log(`migrate: ${runtimeConfigs().map((c) => c.postgres.schema).join(', ')} up to date; topics ready`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error('migrate failed:', err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
