import { describe, expect, it } from 'vitest';
import { decodeTimeIdCursor, encodeTimeIdCursor, pageSize, toConnection } from '../src/index.js';

describe('keyset cursors', () => {
  it('round-trip a (time, id) position', () => {
    const at = new Date('2026-11-23T01:02:03.456Z');
    const id = '01a20600-75c0-73eb-bd15-a1915b0a72cf';
    expect(decodeTimeIdCursor('posts', encodeTimeIdCursor('posts', at, id))).toEqual({ at, id });
  });

  it('refuse a cursor of another list, a malformed one and garbage with BAD_USER_INPUT', () => {
    const other = encodeTimeIdCursor('comments', new Date(), '01a20600-75c0-73eb-bd15-a1915b0a72cf');
    for (const bad of [other, 'garbage', '', Buffer.from('[1,"posts","x","y"]').toString('base64url')]) {
      expect(() => decodeTimeIdCursor('posts', bad)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }) as Error);
    }
  });
});

describe('pageSize', () => {
  it('accepts 0 to 100 and defaults when absent', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(0)).toBe(0);
    expect(pageSize(100)).toBe(100);
  });

  it('refuses more than 100 or a negative number with BAD_USER_INPUT', () => {
    for (const n of [101, -1]) {
      expect(() => pageSize(n)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } }) as Error);
    }
  });
});

describe('toConnection', () => {
  it('uses the extra row only to tell that a next page exists', () => {
    const c = toConnection([1, 2, 3], 2, (n) => `c${n}`);
    expect(c.edges).toEqual([{ cursor: 'c1', node: 1 }, { cursor: 'c2', node: 2 }]);
    expect(c.pageInfo).toEqual({ hasNextPage: true, endCursor: 'c2' });
    expect(toConnection([1], 2, (n) => `c${n}`).pageInfo).toEqual({ hasNextPage: false, endCursor: 'c1' });
  });
});
