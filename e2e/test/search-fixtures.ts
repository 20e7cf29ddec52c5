import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { waitUntil, type GraphQLClient, type GraphQLResponse } from '../src/index.js';

/** Shared by the search-*.test.ts files: the search API's shapes and helpers. */

export type SearchTypeName = 'POST' | 'USER' | 'TAG';

export interface SearchEdgeShape {
  cursor: string;
  score: number;
  highlight: string | null;
  node:
    | { __typename: 'Post'; id: string; title: string; isAnonymous: boolean; author: { id: string } | null }
    | { __typename: 'User'; id: string; username: string; displayName: string }
    | { __typename: 'Tag'; name: string; postCount: number };
}

export interface SearchConnectionShape {
  edges: SearchEdgeShape[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const SEARCH = `query($query: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(query: $query, types: $types, first: $first, after: $after) {
    edges {
      cursor score highlight
      node {
        __typename
        ... on Post { id title isAnonymous author { id } }
        ... on User { id username displayName }
        ... on Tag { name postCount }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Ids only: the gateway answers them from search's own entity references, without asking
 * content. Waits and the relevance test use it, so a post that content no longer shows (deleted
 * a moment ago, or written by another environment's content onto a shared broker) cannot fail them.
 */
export const SEARCH_IDS = `query($query: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(query: $query, types: $types, first: $first, after: $after) {
    edges { cursor score highlight node { __typename ... on Post { id } ... on User { id } ... on Tag { name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface SearchIdsShape {
  edges: { cursor: string; score: number; highlight: string | null; node: { __typename: string; id?: string; name?: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function searchIds(
  client: GraphQLClient,
  args: { query: string; types?: SearchTypeName[]; first?: number; after?: string },
): Promise<GraphQLResponse<{ search: SearchIdsShape }>> {
  return client.request<{ search: SearchIdsShape }>(SEARCH_IDS, args);
}

export const SUGGEST = 'query($prefix: String!, $first: Int) { searchSuggestions(prefix: $prefix, first: $first) }';

export function searchRequest(
  client: GraphQLClient,
  args: { query: string; types?: SearchTypeName[]; first?: number; after?: string },
): Promise<GraphQLResponse<{ search: SearchConnectionShape }>> {
  return client.request<{ search: SearchConnectionShape }>(SEARCH, args);
}

export async function search(
  client: GraphQLClient,
  args: { query: string; types?: SearchTypeName[]; first?: number; after?: string },
): Promise<SearchConnectionShape> {
  return (await client.ok<{ search: SearchConnectionShape }>(SEARCH, args)).search;
}

export async function suggest(client: GraphQLClient, prefix: string, first?: number): Promise<string[]> {
  return (await client.ok<{ searchSuggestions: string[] }>(SUGGEST, { prefix, first })).searchSuggestions;
}

/** The post ids among the results, in order. */
export const postIds = (c: SearchConnectionShape | SearchIdsShape) =>
  c.edges.flatMap((e) => (e.node.__typename === 'Post' && typeof e.node.id === 'string' ? [e.node.id] : []));

/** A Latin word no other test or earlier run has used: lower-case letters only, so it is one term. */
export function uniqueWord(prefix = 'zq'): string {
  const letters = [...randomBytes(10)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
  return `${prefix}${letters}`;
}

/** Waits until a search for `query` finds (or stops finding) the post, through the gateway. */
export async function waitForPost(
  client: GraphQLClient,
  query: string,
  postId: string,
  present: boolean,
  timeoutMs = 10_000,
): Promise<number> {
  const started = Date.now();
  await waitUntil(
    async () => {
      const res = await searchIds(client, { query, types: ['POST'], first: 50 });
      if (res.errors !== undefined || !res.data) throw new Error(`search failed: ${JSON.stringify(res.errors)}`);
      return postIds(res.data.search).includes(postId) === present;
    },
    timeoutMs,
    50,
  );
  return Date.now() - started;
}

/** Waits until the search index has applied every event up to now for these posts (searchable or not). */
export async function waitForIndexed(pool: pg.Pool, postIds: readonly string[], timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    async () => {
      const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from search.posts where post_id = any($1::text[])', [
        postIds,
      ]);
      return (rows[0]?.n ?? 0) >= postIds.length;
    },
    timeoutMs,
    200,
  );
}
