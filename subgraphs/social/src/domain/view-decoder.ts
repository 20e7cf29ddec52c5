import { decodeEvent, EventEnvelopeSchema, EVENTS, type DecodedEvent } from '@plaza/events';

/**
 * The views consumer's decoder. `post.viewed` is by far the most frequent event and the catalog's
 * generic validation (zod, per message) was the largest cost of applying views. This checks a
 * `post.viewed` envelope by hand against the very patterns the catalog's schemas use and builds
 * the same decoded event `decodeEvent` would (unknown keys dropped); anything else (another type,
 * another version, a field that does not pass) goes to `decodeEvent`, which decides, so this
 * decoder never accepts what the catalog refuses. If the catalog's `post.viewed` ever changes
 * shape, the fast path switches itself off (see `fastPathFits`) and every message takes the
 * catalog's way.
 */

const VIEWED = EVENTS['post.viewed'];
const UUID = EventEnvelopeSchema.shape.id.def.pattern;
const DATETIME = EventEnvelopeSchema.shape.occurredAt.def.pattern;
const AT = VIEWED.schema.shape.at.def.pattern;

/** The fast path is written for this catalog entry exactly. */
function fastPathFits(): boolean {
  const envelopeKeys = Object.keys(EventEnvelopeSchema.shape).sort().join(',');
  const dataKeys = Object.keys(VIEWED.schema.shape).sort().join(',');
  return (
    VIEWED.version === 1 &&
    envelopeKeys === 'data,id,key,occurredAt,source,type,version' &&
    dataKeys === 'at,count,postId' &&
    UUID instanceof RegExp &&
    DATETIME instanceof RegExp &&
    AT instanceof RegExp
  );
}

export const VIEW_FAST_PATH = fastPathFits();

type Viewed = Extract<DecodedEvent, { type: 'post.viewed' }>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** A `post.viewed` envelope the catalog would accept, decoded; undefined when unsure. */
function fastViewed(raw: unknown): Viewed | undefined {
  if (!isObject(raw) || raw.type !== 'post.viewed' || raw.version !== VIEWED.version) return undefined;
  const { id, source, key, occurredAt, data } = raw;
  if (typeof id !== 'string' || !UUID?.test(id)) return undefined;
  if (!nonEmpty(source) || !nonEmpty(key)) return undefined;
  if (typeof occurredAt !== 'string' || !DATETIME?.test(occurredAt)) return undefined;
  if (!isObject(data)) return undefined;
  const { postId, count, at } = data;
  if (!nonEmpty(postId) || typeof count !== 'number' || !Number.isSafeInteger(count) || count <= 0) return undefined;
  if (typeof at !== 'string' || !AT?.test(at)) return undefined;
  return {
    known: true,
    type: 'post.viewed',
    envelope: { id, type: 'post.viewed', version: VIEWED.version, source, key, occurredAt, data: { postId, count, at } },
  };
}

/** Decodes a views-topic message: the fast path for `post.viewed`, the catalog for the rest. */
export function decodeViewMessage(value: Buffer): DecodedEvent {
  if (!VIEW_FAST_PATH) return decodeEvent(value);
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString());
  } catch {
    return decodeEvent(value);
  }
  return fastViewed(raw) ?? decodeEvent(value);
}
