import { z } from 'zod';
import type { Topic } from '../topics.js';

/** Field shapes every domain's events share. */
export const id = z.string().min(1);
export const timestamp = z.iso.datetime({ offset: true });

export interface EventDefinition<S extends z.ZodType> {
  type: string;
  version: number;
  topic: Topic;
  schema: S;
  /** The Kafka message key: the aggregate id, so an aggregate's events stay in order. */
  key: (data: z.infer<S>) => string;
}

export function defineEvent<S extends z.ZodType>(def: EventDefinition<S>): EventDefinition<S> {
  return def;
}
