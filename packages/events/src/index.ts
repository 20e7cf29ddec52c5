export { TOPICS, ALL_TOPICS, type Topic } from './topics.js';
export { EventEnvelopeSchema, EVENT_HEADERS, type EventEnvelope } from './envelope.js';
export { EVENTS, isEventType, type EventType, type EventData } from './catalog/index.js';
export { createEvent, decodeEvent, eventHeaders, type OutgoingEvent, type DecodedEvent } from './codec.js';
