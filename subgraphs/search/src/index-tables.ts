/**
 * The tables of the search index by role. The live index uses the drizzle tables' names; the
 * reindex command fills copies (`<name>_rebuild`) with the same indexer and swaps them in.
 */
export interface IndexTables {
  posts: string;
  postStats: string;
  users: string;
  userStats: string;
  tags: string;
  terms: string;
  countedEvents: string;
}

export const INDEX_SCHEMA = 'search';

/** Every table a rebuild replaces, by role → table name in the `search` schema. */
export const INDEX_TABLE_NAMES: Readonly<IndexTables> = {
  posts: 'posts',
  postStats: 'post_stats',
  users: 'users',
  userStats: 'user_stats',
  tags: 'tags',
  terms: 'terms',
  countedEvents: 'counted_events',
};

/** Suffix of the tables a rebuild fills. */
export const REBUILD_SUFFIX = '_rebuild';

function qualified(suffix: string): IndexTables {
  const out = {} as Record<keyof IndexTables, string>;
  for (const [role, name] of Object.entries(INDEX_TABLE_NAMES) as [keyof IndexTables, string][]) {
    out[role] = `"${INDEX_SCHEMA}"."${name}${suffix}"`;
  }
  return out;
}

/** Quoted, schema-qualified names of the live index. */
export const LIVE_TABLES: Readonly<IndexTables> = qualified('');
/** Quoted, schema-qualified names of the tables a rebuild fills. */
export const REBUILD_TABLES: Readonly<IndexTables> = qualified(REBUILD_SUFFIX);
