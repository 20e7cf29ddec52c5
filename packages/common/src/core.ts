/**
 * The part of `@plaza/common` for a process that holds no database, Kafka client or subgraph
 * server (the gateway): configuration, logging, errors, token checks, Redis, HTTP helpers and the
 * process lifecycle. The package root also loads pg, drizzle-orm, kafkajs and @apollo/subgraph,
 * about 30 MB of memory such a process would carry for nothing.
 */
export * from './env.js';
export * from './logger.js';
export * from './errors.js';
export * from './redis.js';
export * from './keys.js';
export * from './auth.js';
export * from './http.js';
export * from './lifecycle.js';
