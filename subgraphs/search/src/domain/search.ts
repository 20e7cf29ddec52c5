import { createHash } from 'node:crypto';
import { z } from 'zod';
import { codePoints, decodeCursor, encodeCursor, errors, pageSize } from '@plaza/common';
import { pinyinPrefix, type TextAnalyzer } from '../analysis/index.js';
import type { ResultType, SearchHit, SearchPosition, SearchStore, SearchType } from '../store.js';

/** Longest query and suggestion prefix, in code points. */
export const QUERY_MAX = 200;
const ALL_TYPES: readonly SearchType[] = ['POST', 'USER', 'TAG'];
const CURSOR_KIND = 'search';

/** Entity references: the owning subgraph resolves the rest through the gateway. */
export interface PostNode {
  __typename: 'Post';
  id: string;
}
export interface UserNode {
  __typename: 'User';
  id: string;
}
export interface TagNode {
  __typename: 'Tag';
  name: string;
}
export type SearchNode = PostNode | UserNode | TagNode;

export interface SearchEdgeResult {
  cursor: string;
  node: SearchNode;
  score: number;
  highlight: string | null;
}

export interface SearchConnectionResult {
  edges: SearchEdgeResult[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** [score, type, id, asOf, fingerprint of the query and types]. */
const CursorSchema = z.tuple([z.number(), z.enum(['Post', 'User', 'Tag']), z.string().min(1), z.iso.datetime(), z.string()]);

export interface SearchArgs {
  query: string;
  types?: readonly SearchType[] | null;
  first?: number | null;
  after?: string | null;
}

export interface Search {
  search(args: SearchArgs): Promise<SearchConnectionResult>;
  suggest(args: { prefix: string; first?: number | null }): Promise<string[]>;
}

function checkText(value: string, field: string): void {
  if (value.trim() === '') throw errors.badInput(field, 'must not be empty or only white space');
  if (codePoints(value) > QUERY_MAX) throw errors.badInput(field, `must be at most ${QUERY_MAX} characters`);
}

function nodeOf(hit: SearchHit): SearchNode {
  switch (hit.type) {
    case 'Tag':
      return { __typename: 'Tag', name: hit.id };
    case 'User':
      return { __typename: 'User', id: hit.id };
    case 'Post':
      return { __typename: 'Post', id: hit.id };
  }
}

export function createSearch(deps: { store: SearchStore; analyzer: TextAnalyzer }): Search {
  const { store, analyzer } = deps;

  return {
    async search({ query, types, first, after }) {
      checkText(query, 'query');
      const size = pageSize(first);
      const wanted = types && types.length > 0 ? ALL_TYPES.filter((t) => types.includes(t)) : ALL_TYPES;
      const parsed = analyzer.parseQuery(query);
      // A cursor belongs to one query and one set of types.
      const fingerprint = createHash('sha256')
        .update(`${parsed.tsquery ?? ''}\u0000${wanted.join(',')}`)
        .digest('base64url')
        .slice(0, 16);
      let position: SearchPosition | null = null;
      if (after != null) {
        const [score, type, id, asOf, print] = decodeCursor(CURSOR_KIND, after, CursorSchema);
        if (print !== fingerprint) throw errors.badInput('after', 'invalid cursor: it belongs to another search');
        position = { score, type, id, asOf: new Date(asOf) };
      }
      // Nothing searchable (only symbols or emoji): no result, not an error.
      if (parsed.tsquery === null) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
      const asOf = position?.asOf ?? new Date();
      const hits = await store.search({
        tsquery: parsed.tsquery,
        proximity: parsed.proximityTsquery,
        types: wanted,
        limit: size + 1,
        after: position,
        asOf,
      });
      const page = hits.slice(0, size);
      const edges = page.map((hit) => ({
        cursor: encodeCursor(CURSOR_KIND, [hit.score, hit.type satisfies ResultType, hit.id, asOf.toISOString(), fingerprint]),
        node: nodeOf(hit),
        score: hit.score,
        highlight: analyzer.highlightBest(hit.texts, parsed),
      }));
      return { edges, pageInfo: { hasNextPage: hits.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    async suggest({ prefix, first }) {
      if (codePoints(prefix) > QUERY_MAX) throw errors.badInput('prefix', `must be at most ${QUERY_MAX} characters`);
      const limit = pageSize(first, 10);
      // Collapse white space the way a display name is keyed; leading space is not part of a word.
      const key = analyzer.normalize(prefix).replace(/\s+/gu, ' ').trimStart();
      if (key.trim() === '' || limit === 0) return [];
      return store.suggest({ prefix: key, pinyin: pinyinPrefix(key), limit });
    },
  };
}
