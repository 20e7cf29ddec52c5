import { sql } from 'drizzle-orm';
import { defineSubgraph, type Logger, type Worker } from '@plaza/common';
import { createCacheWriter, type CacheWriter } from './cache/cache-writer.js';
import { createThrottledWarning } from './cache/cached-loader.js';
import { createCounterCache } from './cache/counter-cache.js';
import { CONSUMERS, createCountersConsumer, createProjectionConsumer, createViewsConsumer } from './consumers.js';
import { createLoaders, type SocialContext } from './context.js';
import { createFeed, createInboxes } from './domain/feed.js';
import { createFollows } from './domain/follows.js';
import { createHotList, type HotList } from './domain/hot-list.js';
import { createReactions } from './domain/reactions.js';
import { createViewBatcher, createViews } from './domain/views.js';
import { resolvers } from './resolvers.js';
import { SocialEnvShape, socialSettings } from './settings.js';
import { createSocialStore } from './store.js';

/**
 * Every `everySeconds`: trims the hot list (posts that left its window or its top) and rebuilds
 * it when lost, and writes again the cached counters a Redis failure left behind.
 */
function createMaintenance(deps: { hotList: HotList; writer: CacheWriter; everySeconds: number; logger: Logger }): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const warn = createThrottledWarning(deps.logger, 'social maintenance failed; will try again');
  // Counter repairs are cheap and time-sensitive: every tick of a 2-second clock; the hot list every `everySeconds`.
  let lastHot = 0;
  async function tick(): Promise<void> {
    await deps.writer.retry();
    if (Date.now() - lastHot >= deps.everySeconds * 1_000) {
      lastHot = Date.now();
      await deps.hotList.maintain();
    }
  }
  return {
    name: 'maintenance',
    start() {
      timer = setInterval(() => {
        running ??= tick()
          .catch(warn)
          .finally(() => {
            running = undefined;
          });
      }, 2_000);
      timer.unref();
      return Promise.resolve();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

/** Follows, likes, bookmarks and views; exact counters through Kafka; the home feed and the hot list. */
export const social = defineSubgraph({
  name: 'social',
  port: 4003,
  moduleUrl: import.meta.url,
  resolvers,
  env: SocialEnvShape,
  settings: socialSettings,
  projections: {
    // `npm run replay -- social projection`: what social knows of users and posts comes back from
    // identity's and content's topics; the counters (likes, views, follows) are kept, and every
    // inbox is rebuilt on its next read.
    [CONSUMERS.projection]: async (tx) => {
      await tx.execute(sql`truncate social.users`);
      await tx.execute(sql`update social.posts set author_id = null, anonymous = false, status = null, visibility = null,
        published_at = null, deleted_at = null, pushed = null, comments = 0, version = version + 1`);
      await tx.execute(sql`insert into social.feed_state (id, epoch) values (1, 1)
        on conflict (id) do update set epoch = social.feed_state.epoch + 1`);
    },
  },
  wire({ runtime, settings, logger }) {
    const store = createSocialStore(runtime.pool, () => runtime.outbox.wake());
    const onRedisError = createThrottledWarning(logger, 'redis: unavailable or failing; answering from Postgres');
    const hotPolicy = { halfLifeHours: settings.hot.halfLifeHours, windowHours: settings.hot.windowHours };

    const cache = createCounterCache({ redis: runtime.redis, ttlSeconds: settings.cacheTtlSeconds, hot: hotPolicy, logger });
    const feed = createFeed({ store, inboxes: createInboxes(runtime.redis, settings.feed), settings: settings.feed, logger, onRedisError });
    const hotList = createHotList({ store, redis: runtime.redis, settings: settings.hot, logger, onRedisError });
    const batcher = createViewBatcher({ kafka: runtime.kafka, logger, settings: settings.views });
    const follows = createFollows({ store, feed });
    const reactions = createReactions({ store, cache, onRedisError });
    const views = createViews({ store, redis: runtime.redis, batcher, windowSeconds: settings.views.windowSeconds, onRedisError });

    // The view batcher runs everywhere (requests fill it); the consumers and maintenance where
    // SOCIAL_WORKERS is on.
    const workers: Worker[] = [batcher];
    if (settings.workers) {
      const writer = createCacheWriter({ store, cache, logger });
      const consumerDeps = {
        kafka: runtime.kafka,
        logger,
        groupPrefix: runtime.config.kafka.groupPrefix,
        store,
        writer,
        feed,
        fanoutThreshold: settings.feed.fanoutThreshold,
      };
      workers.push(
        createProjectionConsumer(consumerDeps),
        createCountersConsumer(consumerDeps),
        createViewsConsumer(consumerDeps),
        createMaintenance({ hotList, writer, everySeconds: settings.maintenanceSeconds, logger }),
      );
    }

    return {
      context: (identity): SocialContext => ({
        ...identity,
        follows,
        reactions,
        feed,
        hotList,
        views,
        hotHalfLifeHours: settings.hot.halfLifeHours,
        loaders: createLoaders({ store, cache, viewerId: identity.viewer?.userId ?? null, onRedisError }),
      }),
      workers,
    };
  },
});
