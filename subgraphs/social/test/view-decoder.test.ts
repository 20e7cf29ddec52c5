import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEvent, decodeEvent } from '@plaza/events';
import { decodeViewMessage, VIEW_FAST_PATH } from '../src/domain/view-decoder.js';

/** What a decoder made of a message: the decoded event, or that it threw. */
function outcome(decode: (value: Buffer) => unknown, value: Buffer): unknown {
  try {
    return { ok: decode(value) };
  } catch {
    return 'refused';
  }
}

const valid = () => createEvent('post.viewed', { postId: randomUUID(), count: 3, at: new Date().toISOString() }, { source: 'social' }).envelope;
type Envelope = ReturnType<typeof valid>;

/** Envelopes around the edges of what the catalog accepts, as JSON text. */
function corpus(): string[] {
  const base = valid();
  const baseData = base.data as Record<string, unknown>;
  const withData = (data: Record<string, unknown>) => ({ ...base, data: { ...baseData, ...data } });
  const variants: unknown[] = [
    base,
    { ...base, extra: 'dropped' },
    withData({ extra: 'dropped' }),
    withData({ count: 1 }),
    withData({ count: Number.MAX_SAFE_INTEGER }),
    withData({ count: 0 }),
    withData({ count: -1 }),
    withData({ count: 1.5 }),
    withData({ count: 2 ** 60 }),
    withData({ count: '3' }),
    withData({ postId: '' }),
    withData({ postId: 'not-a-uuid-but-an-id' }),
    withData({ postId: 42 }),
    withData({ at: '2026-02-29T00:00:00Z' }),
    withData({ at: '2028-02-29T00:00:00Z' }),
    withData({ at: '2026-11-23T12:00:00+01:00' }),
    withData({ at: '2026-11-23T12:00:00' }),
    withData({ at: '2026-13-01T00:00:00Z' }),
    withData({ at: 'yesterday' }),
    { ...base, data: null },
    { ...base, data: [] },
    { ...base, data: undefined },
    { ...base, id: 'not-a-uuid' },
    { ...base, id: base.id.toUpperCase() },
    { ...base, id: '00000000-0000-0000-0000-000000000000' },
    { ...base, id: randomUUID().replace(/^(.{14})./, '$19') },
    { ...base, version: 2 },
    { ...base, version: 0 },
    { ...base, version: 1.5 },
    { ...base, version: '1' },
    { ...base, source: '' },
    { ...base, key: '' },
    { ...base, key: undefined },
    { ...base, occurredAt: '2026-11-23 12:00:00Z' },
    { ...base, occurredAt: '2026-11-23T12:00:00.123456Z' },
    { ...base, type: 'post.liked', data: { postId: randomUUID(), userId: randomUUID(), at: base.occurredAt } },
    { ...base, type: 'post.something-new' },
    [base],
    'post.viewed',
    null,
  ];
  return [...variants.map((v) => JSON.stringify(v)), '{not json', ''];
}

describe('the views consumer’s decoder', () => {
  it('is in use: the catalog’s post.viewed has the shape it was written for', () => {
    expect(VIEW_FAST_PATH).toBe(true);
  });

  it('decodes every message exactly as the catalog does, accepting and refusing the same ones', () => {
    for (const text of corpus()) {
      const value = Buffer.from(text);
      expect(outcome(decodeViewMessage, value), text).toEqual(outcome(decodeEvent, value));
    }
  });

  it('drops fields the catalog does not know, as the catalog does', () => {
    const envelope: Envelope & { extra?: string } = { ...valid(), extra: 'x' };
    const decoded = decodeViewMessage(Buffer.from(JSON.stringify(envelope)));
    expect(decoded.known).toBe(true);
    expect(Object.keys(decoded.envelope).sort()).toEqual(['data', 'id', 'key', 'occurredAt', 'source', 'type', 'version']);
  });
});
