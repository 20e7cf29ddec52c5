#!/usr/bin/env node
// Make sure the Plaza database exists and has the extensions the app needs.
//
//   node infra/postgres/ensure-db.mjs
//
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/plaza) names the
// server and the database. The database is created from the `postgres`
// maintenance database on the same server when missing; a concurrent creator
// (SQLSTATE 42P04 duplicate_database) is fine. Then, inside the database:
// CREATE EXTENSION IF NOT EXISTS pg_trgm, unaccent, btree_gin.
// Prints one line per step; on failure ONE line saying what and how to fix it, exit 1.

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/plaza';
const EXTENSIONS = ['pg_trgm', 'unaccent', 'btree_gin'];
const rawUrl = process.env.DATABASE_URL || DEFAULT_URL;

const say = (msg) => console.log(`postgres: ${msg}`);
function fail(msg) {
  console.error(`postgres: ERROR: ${msg}`);
  process.exit(1);
}

let url;
try {
  url = new URL(rawUrl);
} catch {
  fail(`DATABASE_URL is not a valid URL ('${rawUrl}'); expected e.g. ${DEFAULT_URL}`);
}
if (!/^postgres(ql)?:$/.test(url.protocol)) {
  fail(`DATABASE_URL must start with postgres:// (got ${url.protocol}//)`);
}
const dbName = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'plaza';
const where = `${url.hostname || '127.0.0.1'}:${url.port || 5432}`;
const user = decodeURIComponent(url.username || 'postgres');

let pg;
try {
  pg = (await import('pg')).default;
} catch (err) {
  fail(`the pg package is not installed (${err.code || err.message}); run 'npm ci' at the repo root`);
}

function urlFor(database) {
  const u = new URL(url.href);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.href;
}

// Turn a connection error into a single line with the fix.
function explain(err, database) {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `nothing listens on ${where} (connection refused); start PostgreSQL or set DATABASE_URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host '${url.hostname}' from DATABASE_URL; fix DATABASE_URL`;
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
      return `timed out connecting to ${where}; check that PostgreSQL runs there and is reachable, or set DATABASE_URL`;
    case '28P01':
    case '28000':
      return `authentication failed for user '${user}' at ${where} (${err.message}); put the right user/password in DATABASE_URL`;
    case '3D000':
      return `database '${database}' does not exist on ${where}`;
    case '42501':
      return `user '${user}' lacks permission (${err.message}); use a superuser or a role with CREATEDB in DATABASE_URL, or create the database by hand`;
    default:
      return `${where}: ${err.message}${err.code ? ` (${err.code})` : ''}`;
  }
}

async function withClient(database, fn) {
  const client = new pg.Client({
    connectionString: urlFor(database),
    connectionTimeoutMillis: 5000,
    application_name: 'plaza-infra',
  });
  client.on('error', () => {}); // late socket errors must not crash the script
  try {
    await client.connect();
  } catch (err) {
    if (err.message && /timeout/i.test(err.message) && !err.code) err.code = 'CONNECT_TIMEOUT';
    throw Object.assign(err, { step: 'connect', database });
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

try {
  // 1. server reachable; 2. database present (create if missing).
  const created = await withClient('postgres', async (c) => {
    const { rows } = await c.query("SELECT current_setting('server_version') AS v");
    say(`reachable at ${where} (PostgreSQL ${rows[0].v}, user ${user})`);
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (exists.rowCount > 0) return false;
    try {
      await c.query(`CREATE DATABASE ${pg.Client.prototype.escapeIdentifier(dbName)}`);
      return true;
    } catch (err) {
      // Created concurrently by someone else: fine. 42P04 duplicate_database; a
      // racing insert into pg_database can also surface as 23505 unique_violation.
      if (err.code === '42P04' || err.code === '23505') return false;
      throw err;
    }
  });
  say(created ? `database ${dbName} created` : `database ${dbName} exists`);

  // 3. extensions inside the database.
  await withClient(dbName, async (c) => {
    for (const ext of EXTENSIONS) {
      try {
        await c.query(`CREATE EXTENSION IF NOT EXISTS ${c.escapeIdentifier(ext)}`);
      } catch (err) {
        // Two processes racing on CREATE EXTENSION: the loser sees a unique
        // violation / duplicate object although the extension now exists.
        if (err.code === '23505' || err.code === '42710') continue;
        if (err.code === '0A000' || err.code === '58P01') {
          throw Object.assign(new Error(`extension ${ext} is not available on ${where} (${err.message}); install the PostgreSQL contrib package`), { step: 'ext' });
        }
        if (err.code === '42501') {
          throw Object.assign(new Error(`user '${user}' may not create extension ${ext} in ${dbName} (${err.message}); run once as a superuser: CREATE EXTENSION ${ext};`), { step: 'ext' });
        }
        throw err;
      }
    }
    const { rows } = await c.query(
      'SELECT extname, extversion FROM pg_extension WHERE extname = ANY($1) ORDER BY extname',
      [EXTENSIONS],
    );
    const have = rows.map((r) => `${r.extname} ${r.extversion}`);
    if (rows.length !== EXTENSIONS.length) {
      throw Object.assign(new Error(`expected extensions ${EXTENSIONS.join(', ')} in ${dbName}, found only: ${have.join(', ') || 'none'}`), { step: 'ext' });
    }
    say(`extensions ok in ${dbName}: ${have.join(', ')}`);
  });
} catch (err) {
  fail(err.step === 'ext' ? err.message : explain(err, err.database || dbName));
}
