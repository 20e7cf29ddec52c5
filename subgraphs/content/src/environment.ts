import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envInt, parseEnv, splitList, SubgraphEnvShape, type RuntimeConfig } from '@plaza/common';

const ContentEnvSchema = z.object({
  ...SubgraphEnvShape,
  PORT: envInt(4002),
});

export interface ContentConfig {
  runtime: RuntimeConfig;
  server: { host: string; port: number };
  logLevel: z.infer<typeof ContentEnvSchema>['LOG_LEVEL'];
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): ContentConfig {
  const env = parseEnv(ContentEnvSchema, source);
  return {
    runtime: {
      name: 'content',
      production: env.NODE_ENV === 'production',
      home: env.PLAZA_HOME,
      postgres: {
        url: env.DATABASE_URL,
        poolMax: env.PG_POOL_MAX,
        schema: 'content',
        migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
      },
      redis: { url: env.REDIS_URL },
      kafka: { brokers: splitList(env.KAFKA_BROKERS), topicPartitions: env.KAFKA_TOPIC_PARTITIONS },
      auth: {
        publicKeyPem: env.JWT_PUBLIC_KEY,
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
      },
      migrate: env.MIGRATE_ON_START,
    },
    server: { host: env.HOST, port: env.PORT },
    logLevel: env.LOG_LEVEL,
  };
}
