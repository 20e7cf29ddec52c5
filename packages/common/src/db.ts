import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Logger } from './logger.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  url: string;
  /** Connections at most; keep small: the server allows 100 in all. */
  max: number;
  /** Shown in pg_stat_activity. */
  name: string;
  /** Per-statement limit in ms, so a stuck query fails instead of holding a connection. */
  statementTimeoutMs?: number;
  /** Where errors of idle connections are reported. */
  logger?: Logger;
}

export function createPool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max,
    application_name: opts.name,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 5_000,
    statement_timeout: opts.statementTimeoutMs ?? 15_000,
  });
  // An idle client losing its connection must not crash the process (the pool replaces it), but
  // it is worth a line: a restarting or unreachable Postgres shows up here first.
  pool.on('error', (err) => {
    opts.logger?.warn({ err, pool: opts.name }, 'postgres: an idle connection failed; the pool replaces it');
  });
  return pool;
}

/**
 * Applies a subgraph's drizzle-kit migrations into its own Postgres schema. A session advisory
 * lock makes concurrent starts (several instances, parallel test workers) apply them once.
 */
export async function runMigrations(
  pool: pg.Pool,
  opts: { schema: string; migrationsFolder: string },
): Promise<void> {
  const client = await pool.connect();
  const lockKey = `plaza.migrate.${opts.schema}`;
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [lockKey]);
    await migrate(drizzle(client), {
      migrationsFolder: opts.migrationsFolder,
      migrationsSchema: opts.schema,
      migrationsTable: '__drizzle_migrations',
    });
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
    client.release();
  }
}

/** True when Postgres answers; for readiness probes. */
export async function pingPostgres(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('select 1');
    return true;
  } catch {
    return false;
  }
}

/** Postgres SQLSTATE of an error, if it is one. */
export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const PG_UNIQUE_VIOLATION = '23505';
