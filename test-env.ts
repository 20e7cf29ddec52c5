/**
 * Where tests keep their data, apart from `npm start`'s: their own Postgres database, their own
 * Redis database index and their own Kafka topics (`plaza-test.*`). Without them, the demo's
 * consumers would project the tests' users and posts (from the shared topics) into the demo's
 * feeds, hot list and search index, where the demo's content subgraph cannot resolve them.
 * `npm test` and a bare `npx vitest run` both read it (scripts/test.sh, vitest.config.ts).
 * Override with TEST_DATABASE_URL / TEST_REDIS_URL / TEST_KAFKA_TOPIC_PREFIX.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
export const TEST_KAFKA_TOPIC_PREFIX = process.env.TEST_KAFKA_TOPIC_PREFIX ?? 'plaza-test';

process.env.DATABASE_URL = TEST_DATABASE_URL;
process.env.REDIS_URL = TEST_REDIS_URL;
process.env.KAFKA_TOPIC_PREFIX = TEST_KAFKA_TOPIC_PREFIX;
