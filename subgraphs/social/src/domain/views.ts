import { createHash } from 'node:crypto';
import { TOPICS } from '@plaza/events';
import { errors, parseId, type Kafka, type Logger, type Producer, type Redis, type RequestIdentity, type Worker } from '@plaza/common';
import { createThrottledWarning } from '../cache/cached-loader.js';
import { keys } from '../cache/keys.js';
import { assertRedisReady } from '../cache/scripts.js';
import type { SocialStore } from '../store.js';
import { viewedEvent } from './events.js';
import { canSeePost } from './visibility.js';

export interface ViewBatcherSettings {
  /** Sends at least this often, ms. */
  flushMs: number;
  /** Buffered views that trigger a send at once. */
  batchSize: number;
  /** Views kept while Kafka refuses them; more are dropped. */
  bufferMax: number;
}

export interface ViewBatcher extends Worker {
  /** Counts one view of a post; false when the buffer is full (Kafka unreachable for long) and it was dropped. */
  add(postId: string): boolean;
  /** Sends what is buffered now. */
  flush(): Promise<void>;
  /** Views waiting to be sent. */
  buffered(): number;
}

/**
 * Counted views go straight to Kafka, not through the outbox: a view is not worth a Postgres
 * write. They are summed per post in memory and sent as `post.viewed {postId, count}` every
 * `flushMs` or every `batchSize` views, whichever comes first, with an idempotent producer (a
 * retried send is written once). A crash loses the unsent buffer: at most `flushMs` worth of views
 * (or `batchSize`) normally, at most `bufferMax` while Kafka is unreachable. Stopping sends what
 * is left.
 */
export function createViewBatcher(deps: { kafka: Kafka; logger: Logger; settings: ViewBatcherSettings }): ViewBatcher {
  const { settings, logger } = deps;
  let producer: Producer | undefined;
  let connected = false;
  let buffer = new Map<string, number>();
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let dropped = 0;
  const warnSend = createThrottledWarning(logger, 'views: sending to Kafka failed; keeping them to retry');
  const warnDrop = createThrottledWarning(logger, 'views: buffer full while Kafka is unreachable; dropping views');

  function keep(postId: string, count: number): number {
    const room = Math.max(0, settings.bufferMax - total);
    const kept = Math.min(room, count);
    if (kept > 0) {
      buffer.set(postId, (buffer.get(postId) ?? 0) + kept);
      total += kept;
    }
    return kept;
  }

  async function send(batch: Map<string, number>): Promise<void> {
    producer ??= deps.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    if (!connected) {
      await producer.connect();
      connected = true;
    }
    const at = new Date();
    await producer.send({
      topic: TOPICS.views,
      acks: -1,
      messages: [...batch].map(([postId, count]) => {
        const event = viewedEvent(postId, count, at);
        return { key: event.key, value: JSON.stringify(event.envelope) };
      }),
    });
  }

  async function flushNow(): Promise<void> {
    if (total === 0) return;
    const batch = buffer;
    buffer = new Map();
    total = 0;
    try {
      await send(batch);
    } catch (err) {
      warnSend(err);
      // Back into the buffer (newer views may have arrived meanwhile), as far as it has room.
      let lost = 0;
      for (const [postId, count] of batch) lost += count - keep(postId, count);
      if (lost > 0) {
        dropped += lost;
        warnDrop({ lost, dropped });
      }
      throw err;
    }
  }

  function flush(): Promise<void> {
    flushing ??= flushNow().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    name: 'views',
    add(postId) {
      if (keep(postId, 1) === 0) {
        dropped++;
        warnDrop({ dropped });
        return false;
      }
      if (total >= settings.batchSize && !flushing) flush().catch(() => {});
      return true;
    },
    flush,
    buffered: () => total,
    start() {
      timer ??= setInterval(() => {
        flush().catch(() => {});
      }, settings.flushMs);
      timer.unref();
      return Promise.resolve();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flushing?.catch(() => {});
      await flush().catch((err: unknown) => {
        logger.error({ err, views: total }, 'views: could not send the last views before stopping; they are lost');
      });
      if (connected) await producer?.disconnect().catch(() => {});
      producer = undefined;
      connected = false;
    },
    ready: () => true,
  };
}

/**
 * `recordView`: one counted view per viewer (the user, or a hash of the client address when
 * anonymous) per post per window, decided by a Redis key that expires with the window. When Redis
 * cannot be asked, the view is not counted (false): a view never counts twice.
 */
export function createViews(deps: {
  store: SocialStore;
  redis: Redis;
  batcher: ViewBatcher;
  windowSeconds: number;
  onRedisError: (err: unknown) => void;
}) {
  return {
    async record(identity: RequestIdentity, rawPostId: string): Promise<boolean> {
      const postId = parseId(rawPostId, 'postId');
      const viewerId = identity.viewer?.userId ?? null;
      const [post] = await deps.store.postStates([postId]);
      if (!post || !canSeePost(post, viewerId)) throw errors.notFound('Post');
      // Client addresses are not kept in Redis as they are.
      const viewer = viewerId ? `u:${viewerId}` : `a:${createHash('sha256').update(identity.clientIp).digest('base64url').slice(0, 22)}`;
      let first: string | null;
      try {
        assertRedisReady(deps.redis);
        first = await deps.redis.set(keys.viewSeen(postId, viewer), '1', 'EX', deps.windowSeconds, 'NX');
      } catch (err) {
        deps.onRedisError(err);
        return false;
      }
      return first === 'OK' && deps.batcher.add(postId);
    },
  };
}

export type Views = ReturnType<typeof createViews>;
