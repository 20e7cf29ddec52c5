import { createKafka, createLogger, createPool, runMigrations } from '@plaza/common';
import { createTextAnalyzer } from './analysis/index.js';
import { reindex } from './reindex.js';
import { INDEX_CONSUMER, INDEX_TOPICS, search } from './subgraph.js';

/**
 * `npm run search:reindex` (in this folder: `npm run reindex`): rebuilds the search index from
 * the retained topics into new tables and swaps them in while the subgraph keeps serving (see
 * reindex.ts). Reads the subgraph's own environment (DATABASE_URL, KAFKA_BROKERS,
 * KAFKA_GROUP_PREFIX, …). Prints one line with what it did; exits 1 on failure, leaving the live
 * index as it was.
 */
const config = search.loadConfig();
const logger = createLogger('search-reindex', config.logLevel);
// Index builds on a large table take longer than the usual statement timeout.
const pool = createPool({ url: config.runtime.postgres.url, max: 3, name: 'plaza-search-reindex', logger, statementTimeoutMs: 0 });
const kafka = createKafka({ brokers: config.runtime.kafka.brokers, clientId: 'plaza-search-reindex', logger });
let status = 0;
try {
  await runMigrations(pool, { schema: config.runtime.postgres.schema, migrationsFolder: config.runtime.postgres.migrationsFolder });
  const result = await reindex({
    pool,
    kafka,
    logger,
    analyzer: createTextAnalyzer(),
    topics: INDEX_TOPICS,
    groupPrefix: config.runtime.kafka.groupPrefix,
    liveConsumer: INDEX_CONSUMER,
  });
  console.log(
    `search reindex: generation ${result.generation}: ${result.events} events → ${result.posts} posts, ${result.users} users, ${result.tags} tags in ${result.seconds.toFixed(1)} s`,
  );
} catch (err) {
  console.error('search reindex failed:', err instanceof Error ? err.message : err);
  status = 1;
} finally {
  await pool.end();
}
process.exit(status);
