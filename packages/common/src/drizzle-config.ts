import { defineConfig, type Config } from 'drizzle-kit';

/**
 * The drizzle-kit configuration of a subgraph: its tables in `src/db/schema.ts`, its migrations
 * in `drizzle/`, everything in the Postgres schema named after the subgraph. A subgraph's
 * `drizzle.config.ts` is one line: `export default drizzleConfig('social');`.
 */
export function drizzleConfig(schema: string): Config {
  return defineConfig({
    dialect: 'postgresql',
    schema: './src/db/schema.ts',
    out: './drizzle',
    schemaFilter: [schema],
    migrations: { schema, table: '__drizzle_migrations' },
    dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza' },
  });
}
