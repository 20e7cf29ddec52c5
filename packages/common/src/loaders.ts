import DataLoader from 'dataloader';

/**
 * A per-request DataLoader over a batch query that returns rows in any order: results come back
 * one per key, in key order, `null` for keys with no row. Keys are compared as strings.
 */
export function createKeyedLoader<K extends string, R>(
  fetch: (keys: readonly K[]) => Promise<readonly R[]>,
  keyOf: (row: R) => K,
  opts: { maxBatchSize?: number } = {},
): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<K, R>();
      for (const row of rows) byKey.set(keyOf(row), row);
      return keys.map((k) => byKey.get(k) ?? null);
    },
    { maxBatchSize: opts.maxBatchSize ?? 500 },
  );
}

/** Like createKeyedLoader, for one-to-many: every key gets the (possibly empty) list of its rows. */
export function createGroupedLoader<K extends string, R>(
  fetch: (keys: readonly K[]) => Promise<readonly R[]>,
  keyOf: (row: R) => K,
  opts: { maxBatchSize?: number } = {},
): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<K, R[]>();
      for (const row of rows) {
        const k = keyOf(row);
        const list = byKey.get(k);
        if (list) list.push(row);
        else byKey.set(k, [row]);
      }
      return keys.map((k) => byKey.get(k) ?? []);
    },
    { maxBatchSize: opts.maxBatchSize ?? 500 },
  );
}

/**
 * A per-request DataLoader of counts: `fetch` returns `{ key, count }` for keys that have any,
 * and every other key counts 0.
 */
export function createCountLoader<K extends string>(
  fetch: (keys: readonly K[]) => Promise<readonly { key: K | null; count: number }[]>,
  opts: { maxBatchSize?: number } = {},
): DataLoader<K, number> {
  return new DataLoader<K, number>(
    async (keys) => {
      const counts = new Map<K | null, number>();
      for (const row of await fetch(keys)) counts.set(row.key, row.count);
      return keys.map((k) => counts.get(k) ?? 0);
    },
    { maxBatchSize: opts.maxBatchSize ?? 500 },
  );
}
