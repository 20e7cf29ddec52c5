import { sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Pool, SqlExecutor } from '@plaza/common';
import * as schema from './db/schema.js';
import { LIVE_TABLES, type IndexTables } from './index-tables.js';

export type SearchType = 'POST' | 'USER' | 'TAG';
export type ResultType = 'Post' | 'User' | 'Tag';

/** A ranked hit with what the highlighter needs. */
export interface SearchHit {
  type: ResultType;
  /** Post id, user id, or tag name. */
  id: string;
  score: number;
  /** Posts: title and body; users: username, display name and bio; tags: the name. */
  texts: string[];
}

/** Where a page ends: the last hit's sort key, and the instant recency was measured at. */
export interface SearchPosition {
  score: number;
  type: ResultType;
  id: string;
  /** Scores of one search are all computed at this instant, so later pages rank the same. */
  asOf: Date;
}

export interface SearchRequest {
  /** All clauses (AND), as safe tsquery text from the analyser. */
  tsquery: string;
  /** The unquoted words as one phrase (ranking bonus), or null. */
  proximity: string | null;
  types: readonly SearchType[];
  /** Rows to fetch (a page plus one). */
  limit: number;
  after: SearchPosition | null;
  asOf: Date;
}

/**
 * Ranking (README, "Search ranking"): text relevance × phrase bonus × popularity × recency.
 * ts_rank weights per label, in Postgres' order {D, C, B, A}: body bigrams 0.1, body words 0.25,
 * title/tag bigrams 0.4, title/tag words 1.0; normalisation 1 divides by 1 + ln(document length).
 */
export const RANK_WEIGHTS = '{0.1,0.25,0.4,1.0}';
/** The whole query found as a phrase multiplies the score by this. */
export const PHRASE_BONUS = 1.5;
/** Popularity: 1 + POPULARITY_WEIGHT × ln(1 + likes + 2 × comments) (followers, posts for tags). */
export const POPULARITY_WEIGHT = 0.25;
/** Recency: 0.5 + 0.5 × 2^(−age / half-life): a post loses up to half its score, half of that in 30 days. */
export const RECENCY_HALF_LIFE_DAYS = 30;
/**
 * Posts ranked by text per search at most: the matching posts with the highest `rank_key`
 * (popularity × recency). A query matching more (a very common word) ranks only these, and its
 * later pages continue within them.
 */
export const POST_CANDIDATES = 1_000;

export function createSearchStore(pool: Pool, tables: IndexTables = LIVE_TABLES) {
  const db = drizzle(pool, { schema });
  const table = (name: string) => sql.raw(name);

  function text(req: SearchRequest): SQL {
    const rank = sql`ts_rank(${RANK_WEIGHTS}::float4[], vector, ${req.tsquery}::tsquery, 1)::float8`;
    return req.proximity === null
      ? rank
      : sql`${rank} * (case when vector @@ ${req.proximity}::tsquery then ${PHRASE_BONUS}::float8 else 1 end)`;
  }

  const popularity = (count: SQL) => sql`(1 + ${POPULARITY_WEIGHT}::float8 * ln(1 + greatest(${count}, 0)))`;

  function postHits(req: SearchRequest): SQL {
    const ageSeconds = sql`greatest(extract(epoch from (${req.asOf.toISOString()}::timestamptz - published_at)), 0)`;
    const recency = sql`(0.5 + 0.5 * power(2::float8, -${ageSeconds}::float8 / ${RECENCY_HALF_LIFE_DAYS * 86_400}))`;
    // The candidates: the matching posts best by popularity × recency (`rank_key`), at most
    // POST_CANDIDATES. Postgres either walks the rank_key index checking each row (a broad
    // query: its candidates come early) or takes the GIN index's matches and keeps the best
    // (a narrow one); only the candidates are ranked by text.
    return sql`
      select 'Post'::text as type, post_id as id,
             ${text(req)} * ${popularity(sql`likes + 2 * comments`)} * ${recency} as score
        from (select post_id, vector, likes, comments, published_at
                from ${table(tables.posts)}
               where searchable and vector @@ ${req.tsquery}::tsquery
               order by rank_key desc nulls last
               limit ${POST_CANDIDATES}) c`;
  }

  const userHits = (req: SearchRequest) => sql`
      select 'User'::text as type, user_id as id, ${text(req)} * ${popularity(sql`followers`)} as score
        from ${table(tables.users)}
       where vector @@ ${req.tsquery}::tsquery`;

  const tagHits = (req: SearchRequest) => sql`
      select 'Tag'::text as type, name as id, ${text(req)} * ${popularity(sql`post_count`)} as score
        from ${table(tables.tags)}
       where post_count > 0 and vector @@ ${req.tsquery}::tsquery`;

  return {
    /**
     * One page of hits of every requested type, best first, after `after` (keyset on score,
     * type, id, all descending; scores computed at `asOf` so pages stay stable).
     */
    async search(req: SearchRequest): Promise<SearchHit[]> {
      const parts: SQL[] = [];
      if (req.types.includes('POST')) parts.push(postHits(req));
      if (req.types.includes('USER')) parts.push(userHits(req));
      if (req.types.includes('TAG')) parts.push(tagHits(req));
      if (parts.length === 0) return [];
      const after =
        req.after === null
          ? sql`true`
          : sql`(h.score, h.type, h.id) < (${req.after.score}::float8, ${req.after.type}::text, ${req.after.id}::text)`;
      const { rows } = await db.execute(sql`
        select r.type, r.id, r.score, p.title, p.body, u.username, u.display_name, u.bio
          from (select h.type, h.id, h.score
                  from (${sql.join(parts, sql` union all `)}) h
                 where ${after}
                 order by h.score desc, h.type desc, h.id desc
                 limit ${req.limit}) r
          left join ${table(tables.posts)} p on r.type = 'Post' and p.post_id = r.id
          left join ${table(tables.users)} u on r.type = 'User' and u.user_id = r.id
         order by r.score desc, r.type desc, r.id desc`);
      return rows.map((row) => {
        const type = row.type as ResultType;
        const id = String(row.id);
        const str = (v: unknown) => (typeof v === 'string' ? v : '');
        const texts =
          type === 'Post' ? [str(row.title), str(row.body)] : type === 'User' ? [str(row.display_name), str(row.username), str(row.bio)] : [id];
        return { type, id, score: Number(row.score), texts };
      });
    },

    /**
     * Completions whose normalised form starts with `prefix`, or (for Latin letters) whose
     * pinyin or pinyin initials do; most used first, then shortest.
     */
    async suggest(opts: { prefix: string; pinyin: string | null; limit: number }): Promise<string[]> {
      const like = (value: string) => `${value.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      const matches = [sql`key like ${like(opts.prefix)}`];
      if (opts.pinyin !== null) {
        matches.push(sql`pinyin like ${like(opts.pinyin)}`, sql`initials like ${like(opts.pinyin)}`);
      }
      const { rows } = await db.execute(sql`
        select display from ${table(tables.terms)}
         where refs > 0 and (${sql.join(matches, sql` or `)})
         order by refs desc, length(key), key
         limit ${opts.limit}`);
      return rows.map((r) => String(r.display));
    },

    /** Runs `fn` in a transaction (the event consumer applies each chunk in one). */
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => db.transaction((tx) => fn(tx)),
  };
}

export type SearchStore = ReturnType<typeof createSearchStore>;
