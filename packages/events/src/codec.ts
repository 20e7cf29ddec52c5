import { randomUUID } from 'node:crypto';
import { EVENTS, isEventType, type EventData, type EventType } from './catalog/index.js';
import { EVENT_HEADERS, EventEnvelopeSchema, type EventEnvelope } from './envelope.js';
import type { Topic } from './topics.js';

export interface OutgoingEvent {
  topic: Topic;
  key: string;
  envelope: EventEnvelope;
}

/** Validates `data` against the catalog and wraps it in an envelope ready for the outbox. */
export function createEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  opts: { source: string; occurredAt?: Date },
): OutgoingEvent {
  const def = EVENTS[type];
  const parsed = def.schema.parse(data) as EventData<T>;
  const key = (def.key as (d: EventData<T>) => string)(parsed);
  return {
    topic: def.topic,
    key,
    envelope: {
      id: randomUUID(),
      type,
      version: def.version,
      source: opts.source,
      key,
      occurredAt: (opts.occurredAt ?? new Date()).toISOString(),
      data: parsed,
    },
  };
}

export function eventHeaders(envelope: EventEnvelope): Record<string, string> {
  return {
    [EVENT_HEADERS.type]: envelope.type,
    [EVENT_HEADERS.version]: String(envelope.version),
    [EVENT_HEADERS.id]: envelope.id,
    'content-type': 'application/json',
  };
}

export type DecodedEvent =
  | { [T in EventType]: { known: true; type: T; envelope: EventEnvelope<EventData<T>> } }[EventType]
  | { known: false; type: string; envelope: EventEnvelope };

/**
 * Parses a Kafka message value. Unknown event types (or newer versions) are returned as
 * `known: false` so a consumer can skip them instead of crashing on an event it predates.
 * Throws on a malformed envelope or known-type data that breaks its schema.
 */
export function decodeEvent(value: Buffer | string): DecodedEvent {
  const envelope = EventEnvelopeSchema.parse(JSON.parse(value.toString()));
  const { type } = envelope;
  if (!isEventType(type) || envelope.version > EVENTS[type].version) {
    return { known: false, type, envelope };
  }
  const data = EVENTS[type].schema.parse(envelope.data);
  return { known: true, type, envelope: { ...envelope, data } } as DecodedEvent;
}
