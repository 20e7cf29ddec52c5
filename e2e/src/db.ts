import pg from 'pg';

/** A small pool for tests that inspect what services wrote (outbox rows, say). */
export function testPool(): pg.Pool {
  return new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza',
    max: 2,
  });
}
