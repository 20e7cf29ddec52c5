import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The relevance set (see README.md beside this file): a corpus of posts and the queries whose
 * expected results were judged by hand, plus suggestion cases. Read by the end-to-end relevance
 * test and by `npm run bench:search`.
 */
export const RelevancePostSchema = z.object({
  id: z.string().regex(/^[a-z]{2}\d{3}$/),
  title: z.string().min(1),
  body: z.string().min(1),
  tags: z.array(z.string().min(1)),
});

export const RelevanceQuerySchema = z.object({
  id: z.string(),
  category: z.string(),
  query: z.string().min(1),
  /** Posts a person would want for this query; order does not matter. */
  relevant: z.array(z.string()),
  note: z.string().optional(),
});

export const SuggestionCaseSchema = z.object({
  id: z.string(),
  category: z.string(),
  prefix: z.string().min(1),
  /** Completions (normalised: simplified, lower case) that must be among the suggestions. */
  expected: z.array(z.string()).min(1),
});

const QueriesFileSchema = z.object({
  search: z.array(RelevanceQuerySchema),
  suggest: z.array(SuggestionCaseSchema),
});

export type RelevancePost = z.infer<typeof RelevancePostSchema>;
export type RelevanceQuery = z.infer<typeof RelevanceQuerySchema>;
export type SuggestionCase = z.infer<typeof SuggestionCaseSchema>;

export interface RelevanceSet {
  posts: RelevancePost[];
  queries: RelevanceQuery[];
  suggestions: SuggestionCase[];
}

/** Reads and checks the set: ids unique, every expected id a post of the corpus. */
export function loadRelevanceSet(): RelevanceSet {
  const postsDir = new URL('./posts/', import.meta.url);
  const posts: RelevancePost[] = [];
  for (const file of readdirSync(postsDir).filter((f) => f.endsWith('.json')).sort()) {
    posts.push(...z.array(RelevancePostSchema).parse(JSON.parse(readFileSync(new URL(file, postsDir), 'utf8'))));
  }
  const ids = new Set(posts.map((p) => p.id));
  if (ids.size !== posts.length) throw new Error('relevance set: duplicate post ids');
  const file = QueriesFileSchema.parse(JSON.parse(readFileSync(new URL('./queries.json', import.meta.url), 'utf8')));
  for (const query of file.search) {
    for (const id of query.relevant) {
      if (!ids.has(id)) throw new Error(`relevance set: query ${query.id} expects unknown post ${id}`);
    }
  }
  return { posts, queries: file.search, suggestions: file.suggest };
}

/** Share of the relevant posts found in the first `k` results. */
export function recallAt(k: number, ranked: readonly string[], relevant: readonly string[]): number {
  if (relevant.length === 0) return 1;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** 1 / rank of the first relevant result, 0 when none is returned. */
export function reciprocalRank(ranked: readonly string[], relevant: readonly string[]): number {
  const wanted = new Set(relevant);
  const index = ranked.findIndex((id) => wanted.has(id));
  return index === -1 ? 0 : 1 / (index + 1);
}

export interface QueryScore {
  id: string;
  query: string;
  recall: number;
  reciprocalRank: number;
  ranked: string[];
  relevant: string[];
}

export interface RelevanceScore {
  /** Mean recall@10 over the queries that have relevant posts. */
  recallAt10: number;
  /** Mean reciprocal rank over the same queries. */
  mrr: number;
  queries: QueryScore[];
}

/** Scores ranked results (post ids of the set, best first) for every query with relevant posts. */
export function scoreRelevance(queries: readonly RelevanceQuery[], results: ReadonlyMap<string, readonly string[]>): RelevanceScore {
  const scored: QueryScore[] = [];
  for (const query of queries) {
    if (query.relevant.length === 0) continue;
    const ranked = [...(results.get(query.id) ?? [])];
    scored.push({
      id: query.id,
      query: query.query,
      recall: recallAt(10, ranked, query.relevant),
      reciprocalRank: reciprocalRank(ranked, query.relevant),
      ranked,
      relevant: query.relevant,
    });
  }
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
  return {
    recallAt10: mean(scored.map((s) => s.recall)),
    mrr: mean(scored.map((s) => s.reciprocalRank)),
    queries: scored,
  };
}
