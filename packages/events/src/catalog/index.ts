import { CONTENT_EVENTS } from './content.js';
import { IDENTITY_EVENTS } from './identity.js';
import { MESSAGING_EVENTS } from './messaging.js';
import { SOCIAL_EVENTS } from './social.js';

/**
 * Every event Plaza publishes, by type: past tense, something that happened. Each domain keeps
 * its events in its own file here; the subgraph that owns a domain is the only producer.
 */
export const EVENTS = {
  ...IDENTITY_EVENTS,
  ...CONTENT_EVENTS,
  ...SOCIAL_EVENTS,
  ...MESSAGING_EVENTS,
} as const;

export type EventType = keyof typeof EVENTS;
export type EventData<T extends EventType> = ReturnType<(typeof EVENTS)[T]['schema']['parse']>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENTS, type);
}
