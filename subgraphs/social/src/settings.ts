import { z } from 'zod';
import { envBool, envInt } from '@plaza/common';
import type { HotListSettings } from './domain/hot-list.js';

/** The social subgraph's own environment variables (on top of every subgraph's). */
export const SocialEnvShape = {
  /** Authors with fewer followers have new posts pushed into their followers' inboxes; others are pulled at read time. */
  FEED_FANOUT_THRESHOLD: envInt(10_000, 1),
  /** Entries per inbox (Redis sorted set); older ones are read from Postgres. 800: a week of a heavy reader's feed. */
  FEED_INBOX_SIZE: envInt(800, 10),
  /** An inbox nobody reads for this long expires (and is rebuilt from Postgres on the next read), seconds. */
  FEED_INBOX_TTL_SECONDS: envInt(3 * 86_400, 60),
  /** One counted view per viewer and post per window, seconds. */
  VIEW_WINDOW_SECONDS: envInt(1_800, 1),
  /** Counted views are sent to Kafka at least this often, ms (the most a crash loses in normal operation). */
  VIEW_FLUSH_MS: envInt(250, 10),
  /** Buffered views that trigger a send before VIEW_FLUSH_MS is up. */
  VIEW_BATCH_SIZE: envInt(500, 1),
  /** Views kept in memory while Kafka cannot take them; beyond this, new views are dropped (and logged). */
  VIEW_BUFFER_MAX: envInt(100_000, 1),
  /** The hot score halves every this many hours after a post is published. */
  HOT_HALF_LIFE_HOURS: z.coerce.number().positive().default(24),
  /** Posts published within this many hours can be on the hot list. */
  HOT_WINDOW_HOURS: envInt(168, 1),
  /** Posts kept on the hot list at most (the highest scores). */
  HOT_LIST_MAX: envInt(10_000, 10),
  /** A first page of `trending` freezes the order of this many posts for the pages after it. */
  TRENDING_SNAPSHOT_SIZE: envInt(1_000, 10),
  /** First pages asked for within this many seconds share one frozen order. */
  TRENDING_SNAPSHOT_SECONDS: envInt(30, 1),
  /** How long a frozen order lasts for the pages after the first, seconds. */
  TRENDING_SNAPSHOT_TTL_SECONDS: envInt(900, 10),
  /** Counters and viewer flags cached in Redis expire after this many seconds (and are read again from Postgres). */
  COUNTER_CACHE_TTL_SECONDS: envInt(3_600, 1),
  /** How often each instance trims the hot list and retries failed cache writes, seconds. */
  SOCIAL_MAINTENANCE_SECONDS: envInt(60, 1),
  /** Run the Kafka consumers and maintenance here; false makes an API-only instance. */
  SOCIAL_WORKERS: envBool(true),
};

type SocialEnv = { [K in keyof typeof SocialEnvShape]: z.infer<(typeof SocialEnvShape)[K]> };

export interface SocialSettings {
  feed: { fanoutThreshold: number; inboxSize: number; inboxTtlSeconds: number };
  views: { windowSeconds: number; flushMs: number; batchSize: number; bufferMax: number };
  hot: HotListSettings;
  cacheTtlSeconds: number;
  maintenanceSeconds: number;
  workers: boolean;
}

export function socialSettings(env: SocialEnv): SocialSettings {
  return {
    feed: {
      fanoutThreshold: env.FEED_FANOUT_THRESHOLD,
      inboxSize: env.FEED_INBOX_SIZE,
      inboxTtlSeconds: env.FEED_INBOX_TTL_SECONDS,
    },
    views: {
      windowSeconds: env.VIEW_WINDOW_SECONDS,
      flushMs: env.VIEW_FLUSH_MS,
      batchSize: env.VIEW_BATCH_SIZE,
      bufferMax: env.VIEW_BUFFER_MAX,
    },
    hot: {
      halfLifeHours: env.HOT_HALF_LIFE_HOURS,
      windowHours: env.HOT_WINDOW_HOURS,
      listMax: env.HOT_LIST_MAX,
      snapshotSize: env.TRENDING_SNAPSHOT_SIZE,
      snapshotSeconds: env.TRENDING_SNAPSHOT_SECONDS,
      snapshotTtlSeconds: env.TRENDING_SNAPSHOT_TTL_SECONDS,
    },
    cacheTtlSeconds: env.COUNTER_CACHE_TTL_SECONDS,
    maintenanceSeconds: env.SOCIAL_MAINTENANCE_SECONDS,
    workers: env.SOCIAL_WORKERS,
  };
}
