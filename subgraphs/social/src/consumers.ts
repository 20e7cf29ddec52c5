import { createEventConsumer, type ConsumedEvent, type EventConsumer, type Kafka, type Logger } from '@plaza/common';
import { TOPICS } from '@plaza/events';
import type { CacheWriter } from './cache/cache-writer.js';
import type { Feed } from './domain/feed.js';
import { decodeViewMessage } from './domain/view-decoder.js';
import type { CounterChanges, PostChange, PostCounters, SocialStore, SocialTx } from './store.js';

/** The consumers' names: their positions in `social.consumer_offsets`, their groups `<prefix>.social.<name>`. */
export const CONSUMERS = { projection: 'projection', counters: 'counters', views: 'views' } as const;

/**
 * A post event older than this is not pushed into inboxes one by one (a replay, or a long Kafka
 * outage caught up): inboxes are invalidated instead and rebuilt from Postgres, ms.
 */
const PUSH_MAX_AGE_MS = 10 * 60_000;

export interface ConsumerDeps {
  kafka: Kafka;
  logger: Logger;
  groupPrefix: string;
  store: SocialStore;
  writer: CacheWriter;
  feed: Feed;
  fanoutThreshold: number;
}

const unique = (ids: Iterable<string>) => [...new Set(ids)];

/** A batch's name: its consumer, partition and first offset (the same on every retry of it). */
function batchKey(consumer: string, events: readonly ConsumedEvent[]): string {
  const first = events[0];
  return first ? `${consumer}:${first.topic}:${first.partition}:${first.offset}` : `${consumer}:empty`;
}

/**
 * Counters a batch's transaction left, from `handle` to `afterCommit` (the same events array
 * reaches both). A transaction that rolled back leaves an entry its retry overwrites; the map is
 * kept small in case one never comes.
 */
function createStash() {
  const stash = new Map<string, CounterChanges>();
  return {
    put(key: string, changes: CounterChanges): void {
      stash.delete(key);
      stash.set(key, changes);
      while (stash.size > 64) {
        const oldest = stash.keys().next().value;
        if (oldest === undefined) break;
        stash.delete(oldest);
      }
    },
    take(key: string): CounterChanges | undefined {
      const changes = stash.get(key);
      stash.delete(key);
      return changes;
    },
  };
}

/** Merges post counters, keeping each post's newest version. */
function newest(into: Map<string, PostCounters>, from: ReadonlyMap<string, PostCounters>): Map<string, PostCounters> {
  for (const [id, c] of from) {
    const had = into.get(id);
    if (!had || had.version < c.version) into.set(id, c);
  }
  return into;
}

function base(deps: ConsumerDeps, name: string, topics: readonly string[]) {
  return {
    name,
    subgraph: 'social',
    kafka: deps.kafka,
    logger: deps.logger,
    topics,
    groupPrefix: deps.groupPrefix,
    transaction: <T>(fn: (tx: SocialTx) => Promise<T>) => deps.store.transaction(fn),
  };
}

/**
 * identity's users and content's posts and comments: who exists, who may see which post, comment
 * counts; after each commit, the posts' cached counters and hot-list places, and the feed's
 * fan-out (a newly listed post into its followers' inboxes, an unlisted one out of them).
 */
export function createProjectionConsumer(deps: ConsumerDeps): EventConsumer {
  const { store } = deps;
  const stash = createStash();
  return createEventConsumer({
    ...base(deps, CONSUMERS.projection, [TOPICS.users, TOPICS.posts]),
    async handle(tx, events) {
      const users: { id: string; registeredAt: string }[] = [];
      const comments = new Map<string, number>();
      // Each post's state after the batch, its events applied in order (one write per post).
      const posts = new Map<string, PostChange>();
      for (const e of events) {
        switch (e.type) {
          case 'user.registered':
            users.push({ id: e.envelope.data.userId, registeredAt: e.envelope.data.createdAt });
            break;
          case 'post.published':
          case 'post.updated': {
            const d = e.envelope.data;
            const before = posts.get(d.postId);
            posts.set(d.postId, {
              id: d.postId,
              authorId: d.authorId,
              anonymous: d.anonymous,
              status: d.status,
              visibility: d.visibility,
              publishedAt: d.publishedAt,
              deletedAt: before?.deletedAt ?? null,
            });
            break;
          }
          case 'post.deleted': {
            const d = e.envelope.data;
            const before = posts.get(d.postId);
            posts.set(d.postId, { id: d.postId, authorId: d.authorId, anonymous: d.anonymous, ...(before ?? {}), deletedAt: d.deletedAt });
            break;
          }
          case 'comment.added':
            comments.set(e.envelope.data.postId, (comments.get(e.envelope.data.postId) ?? 0) + 1);
            break;
          case 'comment.deleted':
            comments.set(e.envelope.data.postId, (comments.get(e.envelope.data.postId) ?? 0) - 1);
            break;
          default:
            break;
        }
      }
      const batch = batchKey(CONSUMERS.projection, events);
      await store.insertUsers(tx, users);
      const upserted = await store.upsertPosts(tx, [...posts.values()], deps.fanoutThreshold, batch);
      const commented = await store.addComments(tx, comments, batch);
      stash.put(batch, { posts: newest(upserted, commented), users: new Map() });
    },
    async afterCommit(events) {
      const batch = batchKey(CONSUMERS.projection, events);
      const changes = stash.take(batch);
      if (changes) await deps.writer.write(batch, changes);
      else await deps.writer.refresh(batch, unique(events.flatMap((e) => ('postId' in e.envelope.data ? [e.envelope.data.postId] : []))), []);
      await fanOut(deps, events);
    },
  });
}

/** Pushes newly listed posts into inboxes and takes unlisted ones out. */
async function fanOut(deps: ConsumerDeps, events: readonly ConsumedEvent[]): Promise<void> {
  const changed: string[] = [];
  let stale = false;
  for (const e of events) {
    const visibilityChanged =
      e.type === 'post.published' || e.type === 'post.deleted' || (e.type === 'post.updated' && e.envelope.data.changed.includes('visibility'));
    if (!visibilityChanged) continue;
    if (Date.now() - Date.parse(e.envelope.occurredAt) > PUSH_MAX_AGE_MS) stale = true;
    else changed.push(e.envelope.data.postId);
  }
  if (stale) await deps.feed.rebuildAll('post events older than the push window were applied');
  if (changed.length === 0) return;
  // The state after the whole batch: a post published and deleted in one batch is only retracted.
  for (const post of await deps.store.postStates(unique(changed))) {
    if (post.authorId === null || post.anonymous) continue;
    const listed = post.status === 'PUBLISHED' && post.visibility === 'PUBLIC' && post.deletedAt === null;
    if (!post.pushed) continue;
    if (listed && post.publishedAt) await deps.feed.fanOut(post.authorId, { id: post.id, at: post.publishedAt });
    else await deps.feed.retract(post.authorId, post.id);
  }
}

/**
 * Likes, bookmarks and follows: each event's pending counter rows are taken and summed into the
 * durable counters in the transaction that records the position (an event applied before has no
 * rows left: a duplicate changes nothing); then the cached copies are refreshed.
 */
export function createCountersConsumer(deps: ConsumerDeps): EventConsumer {
  const { store } = deps;
  const stash = createStash();
  return createEventConsumer({
    ...base(deps, CONSUMERS.counters, [TOPICS.reactions, TOPICS.follows]),
    async handle(tx, events) {
      const batch = batchKey(CONSUMERS.counters, events);
      stash.put(batch, await store.applyPending(tx, events.map((e) => e.envelope.id), batch));
    },
    async afterCommit(events) {
      const batch = batchKey(CONSUMERS.counters, events);
      const changes = stash.take(batch);
      if (changes) {
        await deps.writer.write(batch, changes);
        return;
      }
      const postIds: string[] = [];
      const userIds: string[] = [];
      for (const e of events) {
        switch (e.type) {
          case 'post.liked':
          case 'post.unliked':
          case 'post.bookmarked':
          case 'post.unbookmarked':
            postIds.push(e.envelope.data.postId);
            break;
          case 'user.followed':
          case 'user.unfollowed':
            userIds.push(e.envelope.data.followerId, e.envelope.data.followeeId);
            break;
          default:
            break;
        }
      }
      const posts = unique(postIds);
      // A like also moves its post's author's likesReceived.
      const authors = (await store.postStates(posts)).flatMap((p) => (p.authorId ? [p.authorId] : []));
      await deps.writer.refresh(batch, posts, unique([...userIds, ...authors]));
    },
  });
}

/** Views counted by the view producers, summed per post per batch into the durable counts. */
export function createViewsConsumer(deps: ConsumerDeps): EventConsumer {
  const stash = createStash();
  return createEventConsumer({
    ...base(deps, CONSUMERS.views, [TOPICS.views]),
    // Views are many and small: larger transactions, and partitions applied side by side.
    chunkSize: 50_000,
    partitionsConsumedConcurrently: 3,
    maxBytesPerPartition: 8 * 2 ** 20,
    maxBytes: 32 * 2 ** 20,
    decode: decodeViewMessage,
    async handle(tx, events) {
      const views = new Map<string, number>();
      for (const e of events) {
        if (e.type === 'post.viewed') views.set(e.envelope.data.postId, (views.get(e.envelope.data.postId) ?? 0) + e.envelope.data.count);
      }
      const batch = batchKey(CONSUMERS.views, events);
      stash.put(batch, { posts: await deps.store.addViews(tx, views, batch), users: new Map() });
    },
    async afterCommit(events) {
      const batch = batchKey(CONSUMERS.views, events);
      const changes = stash.take(batch);
      if (changes) await deps.writer.write(batch, changes);
      else await deps.writer.refresh(batch, unique(events.flatMap((e) => (e.type === 'post.viewed' ? [e.envelope.data.postId] : []))), []);
    },
  });
}
