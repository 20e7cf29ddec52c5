import { describe, expect, it } from 'vitest';
import { JsonRows } from '../src/json-rows.js';

/** Rows as the indexer writes them: each value through JSON.stringify. */
const rowText = (row: Record<string, unknown>) =>
  `{${Object.entries(row)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',')}}`;

describe('JsonRows', () => {
  const rows = [
    { post_id: 'a', title: '网关 "quoted" \\ back\nslash', tags: ['学习', 'x'], vector: "'网关':1A,5C 'it''s':2B", searchable: true },
    { post_id: 'b', title: 'lone \ud800 surrogate, 𠀀 pair, \u2028 and \u0000', tags: [], vector: '', searchable: false, author_id: null },
    { post_id: 'c', title: 'é'.repeat(3_000), tags: ['长'.repeat(5_000)], vector: 'x', searchable: true },
  ];

  it('writes exactly the UTF-8 of JSON.stringify of the rows, growing as needed', () => {
    const out = new JsonRows(16);
    for (const row of rows) out.add(rowText(row));
    expect(out.count).toBe(3);
    expect(out.bytes().equals(Buffer.from(JSON.stringify(rows), 'utf8'))).toBe(true);
  });

  it('is an empty array without rows, and starts over after clear', () => {
    const out = new JsonRows();
    expect(out.bytes().toString()).toBe('[]');
    out.add(rowText(rows[0]!));
    out.clear();
    expect(out.count).toBe(0);
    out.add(rowText(rows[1]!));
    expect(out.bytes().equals(Buffer.from(JSON.stringify([rows[1]]), 'utf8'))).toBe(true);
  });
});
