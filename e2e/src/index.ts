export { startPlaza, type Plaza, type PlazaOptions } from './plaza.js';
export { GraphQLClient, errorCode, type GraphQLResponse, type GraphQLErrorShape } from './client.js';
export { registerUser, uniqueName, AUTH_FIELDS, type TestUser, type AuthPayloadShape } from './users.js';
export { watchEvents, topicEnds, type EventWatcher, type TopicOffsets } from './kafka.js';
export { wsClient, wsRequest, type WsOutcome } from './ws.js';
export { testPool } from './db.js';
export { waitUntil } from './wait.js';
