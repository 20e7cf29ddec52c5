import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { createOutboxWriter, type defineOutboxTable } from './outbox.js';

/** A subgraph's drizzle database over its tables module (`src/db/schema.ts`). */
export type StoreDb<TSchema extends Record<string, unknown>> = NodePgDatabase<TSchema>;
/** A transaction of that database. */
export type StoreTx<TSchema extends Record<string, unknown>> = Parameters<
  Parameters<StoreDb<TSchema>['transaction']>[0]
>[0];

/**
 * What every subgraph's store starts from: the drizzle database over its tables, transactions
 * that wake the outbox relay once they commit events, and `enqueue` to write events in one.
 * A store is `createXStore(pool, onEventsCommitted)` returning `{ ...base, ...its queries }`.
 */
export function createStoreBase<TSchema extends Record<string, unknown>>(opts: {
  pool: pg.Pool;
  /** The subgraph's tables module (`import * as schema from './db/schema.js'`). */
  schema: TSchema;
  /** The subgraph's outbox table (`defineOutboxTable(itsPgSchema)`). */
  outbox: ReturnType<typeof defineOutboxTable>;
  /** Runs after a transaction that wrote events commits (to wake the outbox relay). */
  onEventsCommitted?: () => void;
}) {
  const db: StoreDb<TSchema> = drizzle(opts.pool, { schema: opts.schema });
  const events = createOutboxWriter<StoreTx<TSchema>>({
    table: opts.outbox,
    transaction: (fn) => db.transaction(fn),
    onCommit: opts.onEventsCommitted ?? (() => {}),
  });
  return {
    db,
    /** Runs `fn` in a transaction; events it enqueued are published right after the commit. */
    transaction: events.transaction,
    /** Writes events into the outbox within a transaction of this store. */
    enqueue: events.enqueue,
  };
}
