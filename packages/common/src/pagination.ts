import { z } from 'zod';
import { errors } from './errors.js';

/** The contract's cap on `first`. */
export const MAX_PAGE_SIZE = 100;

const CURSOR_VERSION = 1;

/**
 * Opaque keyset cursors: base64url of `[version, kind, ...values]`. The kind stops a cursor from
 * one list being replayed on another; values are the sort key of the last row of a page.
 */
export function encodeCursor(kind: string, values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, kind, ...values])).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(kind: string, cursor: string, schema: S, field = 'after'): z.infer<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw errors.badInput(field, 'invalid cursor');
  }
  if (!Array.isArray(parsed) || parsed[0] !== CURSOR_VERSION || parsed[1] !== kind) {
    throw errors.badInput(field, 'invalid cursor');
  }
  const result = schema.safeParse(parsed.slice(2));
  if (!result.success) throw errors.badInput(field, 'invalid cursor');
  return result.data;
}

/** A (timestamp, id) keyset cursor, the common case: newest-first or oldest-first lists. */
export const TimeIdCursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

export function encodeTimeIdCursor(kind: string, at: Date, id: string): string {
  return encodeCursor(kind, [at.toISOString(), id]);
}

export function decodeTimeIdCursor(kind: string, cursor: string): { at: Date; id: string } {
  const [at, id] = decodeCursor(kind, cursor, TimeIdCursorSchema);
  return { at: new Date(at), id };
}

/** Validates `first`: 0..100, BAD_USER_INPUT otherwise. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0) throw errors.badInput('first', 'must be a non-negative integer');
  if (n > MAX_PAGE_SIZE) throw errors.badInput('first', `must be at most ${MAX_PAGE_SIZE}`);
  return n;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Builds a Relay connection from rows fetched with `LIMIT first + 1`: the extra row only tells
 * whether there is a next page.
 */
export function toConnection<R, T = R>(
  rows: readonly R[],
  first: number,
  cursorOf: (row: R) => string,
  nodeOf: (row: R) => T = (row) => row as unknown as T,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: cursorOf(row), node: nodeOf(row) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

export function emptyConnection<T>(): Connection<T> {
  return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
}
