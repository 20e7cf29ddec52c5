import { sql } from 'drizzle-orm';
import { createEventConsumer, defineSubgraph } from '@plaza/common';
import { TOPICS } from '@plaza/events';
import { createTextAnalyzer } from './analysis/index.js';
import type { SearchContext } from './context.js';
import { createSearch } from './domain/search.js';
import { INDEX_TABLE_NAMES, LIVE_TABLES } from './index-tables.js';
import { createIndexer, INDEX_PARTITIONS_CONCURRENTLY } from './indexer.js';
import { resolvers } from './resolvers.js';
import { createSearchStore } from './store.js';

/** The topics the index is built from (never another subgraph's tables). */
export const INDEX_TOPICS = [TOPICS.users, TOPICS.posts, TOPICS.reactions, TOPICS.follows] as const;
/** The live index's consumer: its positions are in `search.consumer_offsets` under this name. */
export const INDEX_CONSUMER = 'index';

/** Full-text search over posts, people and tags, fed only by events. */
export const search = defineSubgraph({
  name: 'search',
  port: 4004,
  moduleUrl: import.meta.url,
  resolvers,
  projections: {
    // `npm run replay -- search index` empties the index (searches find less until the restarted
    // subgraph has replayed the topics); `npm run search:reindex` rebuilds it without that gap.
    [INDEX_CONSUMER]: async (tx) => {
      const tables = Object.values(INDEX_TABLE_NAMES).map((name) => `search."${name}"`).join(', ');
      await tx.execute(sql.raw(`truncate ${tables}`));
    },
  },
  wire({ runtime, logger }) {
    const analyzer = createTextAnalyzer();
    const store = createSearchStore(runtime.pool);
    const indexer = createIndexer({ analyzer, tables: LIVE_TABLES, swappable: true });
    const consumer = createEventConsumer({
      name: INDEX_CONSUMER,
      subgraph: 'search',
      kafka: runtime.kafka,
      logger,
      topics: INDEX_TOPICS,
      groupPrefix: runtime.config.kafka.groupPrefix,
      transaction: store.transaction,
      handle: (tx, events) => indexer.apply(tx, events),
      partitionsConsumedConcurrently: INDEX_PARTITIONS_CONCURRENTLY,
    });
    const domain = createSearch({ store, analyzer });
    return {
      context: (identity): SearchContext => ({ ...identity, search: domain }),
      workers: [consumer],
    };
  },
});
