import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The repository root: the nearest folder above the working directory whose package.json has
 * workspaces (every script and service runs inside the repository).
 */
export function repoRoot(from: string = process.cwd()): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && 'workspaces' in (JSON.parse(readFileSync(manifest, 'utf8')) as object)) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses an environment with a zod schema. Services call this once at boot (in their
 * `environment.ts`); a bad value stops the process with a message naming every bad variable.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Boolean env var: true/false/1/0/yes/no. */
export const envBool = (fallback: boolean) => bool.default(fallback);
/**
 * Boolean env var without a default: `undefined` when unset, so the caller can derive the default
 * from other settings (`env.X ?? !production`). `envBool(x).optional()` would always have a value.
 */
export const envBoolUnset = () => bool.optional();
export const envInt = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** Variables every service reads. */
export const BaseEnvShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where development keys and local state live (ignored by git). */
  PLAZA_HOME: z.string().default(() => join(repoRoot(), '.plaza')),
};

export const PostgresEnvShape = {
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/plaza'),
  /** Connections per process; Postgres here allows 100 in all, shared by every instance and test. */
  PG_POOL_MAX: envInt(5, 1),
};

export const RedisEnvShape = {
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
};

export const KafkaEnvShape = {
  /** Comma-separated host:port list. */
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  KAFKA_TOPIC_PARTITIONS: envInt(6, 1),
  /**
   * Prefix of Kafka consumer group ids (`<prefix>.<subgraph>.<consumer>`). Instances sharing a
   * database must share it; separate deployments on one broker (or test databases) use their own.
   */
  KAFKA_GROUP_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/).default('plaza'),
};

export const AuthEnvShape = {
  /** PEM (SPKI) of the Ed25519 key that verifies access tokens; generated in development. */
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_ISSUER: z.string().default('plaza'),
  JWT_AUDIENCE: z.string().default('plaza'),
};

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Variables of every subgraph process. */
export const SubgraphEnvShape = {
  ...BaseEnvShape,
  ...PostgresEnvShape,
  ...RedisEnvShape,
  ...KafkaEnvShape,
  ...AuthEnvShape,
  HOST: z.string().default('127.0.0.1'),
  /** Apply this subgraph's migrations at start. */
  MIGRATE_ON_START: envBool(true),
};
