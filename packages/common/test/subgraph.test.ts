import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { failing } from './fixtures/failing/src/subgraph.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza';
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
afterAll(() => admin.end());

/**
 * Connections Postgres still has for an application name. A backend leaves pg_stat_activity a
 * moment after its client hangs up, so this waits up to 2 s for the count to reach 0 (a leaked
 * idle connection would stay for the pool's 10 s idle timeout).
 */
async function connectionsOf(applicationName: string): Promise<number> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const { rows } = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where application_name = $1', [applicationName]);
    const n = Number(rows[0]?.n);
    if (n === 0 || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a subgraph whose start fails half-way', () => {
  it('closes what it had opened (its Postgres connections) and rejects with the cause', async () => {
    const config = failing.loadConfig({ ...process.env, MIGRATE_ON_START: 'false', PORT: '0', LOG_LEVEL: 'silent' });
    // A unique application name to find this attempt's connections by.
    const name = `failing-${randomBytes(4).toString('hex')}`;
    await expect(failing.startWith({ ...config, runtime: { ...config.runtime, name } })).rejects.toThrow('wiring failed on purpose');
    expect(await connectionsOf(`plaza-${name}`)).toBe(0);
  });

  it('stops at configuration, before opening anything, when production lacks its keys', async () => {
    const config = failing.loadConfig({ NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'silent' });
    const name = `failing-${randomBytes(4).toString('hex')}`;
    await expect(failing.startWith({ ...config, runtime: { ...config.runtime, name } })).rejects.toThrow(/JWT_PUBLIC_KEY is required in production/);
    expect(await connectionsOf(`plaza-${name}`)).toBe(0);
  });
});
