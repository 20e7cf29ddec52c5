import { z } from 'zod';

/**
 * What travels on Kafka: a versioned envelope around an event's data. The Kafka message key is
 * `key`; headers repeat `type`, `version` and `id` so consumers can route without parsing JSON.
 */
export const EventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  source: z.string().min(1),
  key: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
});

export type EventEnvelope<T = unknown> = Omit<z.infer<typeof EventEnvelopeSchema>, 'data'> & {
  data: T;
};

export const EVENT_HEADERS = {
  type: 'plaza-event-type',
  version: 'plaza-event-version',
  id: 'plaza-event-id',
} as const;
