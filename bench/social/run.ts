/**
 * npm run bench:social: the social subgraph measured (see README.md). Not a test.
 *
 * 1. Views: N `post.viewed` events are put on the views topic while no consumer runs; then social
 *    starts (in a child process) and its views consumer turns them into durable counts. Reported:
 *    events per second from the first applied batch to the last, and that the counts are exact.
 * 2. Like to visible: a user likes a post through the gateway; another (anonymous) reader polls the
 *    post's likeCount through the gateway until it shows the like. p50 / p99 of that delay.
 * 3. Feed: readers following 10, 100 and 1,000 authors, with a few authors above the fan-out
 *    threshold (pulled at read time); first and second pages through the gateway, with content's
 *    and identity's fields. Also: a new post's delay into a follower's feed.
 *
 * Servers (identity, content, social, gateway) run in one child process; this process is the
 * clients. Everything goes to its own database (BENCH_DATABASE_URL) and Redis database.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka, createLogger, createPool, ensureTopics, repoRoot, runMigrations, type Pool } from '@plaza/common';
import { createEvent, TOPICS, ALL_TOPICS } from '@plaza/events';
import { GraphQLClient, registerUser, type TestUser } from '@plaza/e2e';
import { SUBGRAPHS } from '@plaza/schema';

const DIR = import.meta.dirname;
const ROOT = repoRoot(DIR);
const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
};

const SETTINGS = {
  views: int('BENCH_VIEWS', 300_000),
  viewPosts: int('BENCH_VIEW_POSTS', 20_000),
  likes: int('BENCH_LIKES', 200),
  authors: int('BENCH_AUTHORS', 1_000),
  postsPerAuthor: int('BENCH_POSTS_PER_AUTHOR', 3),
  celebrities: int('BENCH_CELEBRITIES', 5),
  celebrityPosts: int('BENCH_CELEBRITY_POSTS', 10),
  threshold: int('BENCH_FANOUT_THRESHOLD', 50),
  feedReads: int('BENCH_FEED_READS', 100),
  deliveries: int('BENCH_DELIVERIES', 20),
};
/** Which parts run (comma-separated: views, likes, feed); all by default. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'views,likes,feed').split(',').map((p) => p.trim()).filter(Boolean));
/** Extra node flags for the servers' process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const SERVICE_NODE_ARGS = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza_social_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/5';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const logger = createLogger('bench-social', 'warn');
if (!SUBGRAPHS.some((s) => s.name === 'social')) throw new Error('social is not registered');

// ------------------------------------------------------------------ helpers

interface Services {
  child: ChildProcess;
  urls: Record<string, string>;
  gatewayUrl?: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

async function startServices(subgraphs: string[], gateway: boolean, extraEnv: Record<string, string> = {}): Promise<Services> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    PG_POOL_MAX: '4',
    DATABASE_URL,
    REDIS_URL,
    KAFKA_BROKERS,
    KAFKA_GROUP_PREFIX: `plaza-bench-social-${randomBytes(4).toString('hex')}`,
    // Registering a thousand users should not take a thousand argon2 hashes at full cost.
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    BENCH_SUBGRAPHS: subgraphs.join(','),
    BENCH_GATEWAY: gateway ? '1' : '0',
    ...extraEnv,
  };
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, '--import', 'tsx', join(DIR, 'services.ts')], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  const ready = await new Promise<{ urls: Record<string, string>; gatewayUrl?: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`services exited with ${code}`)));
    child.on('message', (m: { type?: string; urls: Record<string, string>; gatewayUrl?: string }) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  return {
    child,
    ...ready,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          children.delete(child);
          resolve();
        });
        child.send({ type: 'stop' });
        setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
      }),
  };
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function summary(samples: readonly number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? NaN) };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Places every social consumer at the end of its topics: the benchmark applies only its own events. */
async function positionConsumersAtEnd(db: Pool): Promise<void> {
  const kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'plaza-bench-social', logger });
  await ensureTopics(kafka, ALL_TOPICS, 6);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { clusterId } = await admin.describeCluster();
    // Topics the benchmark just created may have no leader yet for a moment.
    const topicOffsets = async (topic: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await admin.fetchTopicOffsets(topic);
        } catch (err) {
          if (attempt >= 30) throw err;
          await sleep(500);
        }
      }
    };
    const consumers: Record<string, string[]> = {
      projection: [TOPICS.users, TOPICS.posts],
      counters: [TOPICS.reactions, TOPICS.follows],
      views: [TOPICS.views],
    };
    await db.query('delete from social.consumer_offsets');
    for (const [consumer, topics] of Object.entries(consumers)) {
      for (const topic of topics) {
        for (const p of await topicOffsets(topic)) {
          await db.query(
            'insert into social.consumer_offsets (consumer, topic, partition, next_offset, cluster_id) values ($1, $2, $3, $4, $5)',
            [consumer, topic, p.partition, p.high, clusterId],
          );
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function viewsApplied(db: Pool): Promise<number> {
  const { rows } = await db.query<{ n: string | null }>(`select sum(next_offset)::text as n from social.consumer_offsets where consumer = 'views'`);
  return Number(rows[0]?.n ?? 0);
}

// -------------------------------------------------------------------- part 1

async function benchViews(db: Pool) {
  console.log(`views: producing ${SETTINGS.views.toLocaleString()} post.viewed events over ${SETTINGS.viewPosts.toLocaleString()} posts ...`);
  const postIds = Array.from({ length: SETTINGS.viewPosts }, () => randomUUID());
  const kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'plaza-bench-social', logger });
  const producer = kafka.producer();
  await producer.connect();
  const produceStart = performance.now();
  const at = new Date();
  const BATCH = 10_000;
  for (let i = 0; i < SETTINGS.views; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(i + BATCH, SETTINGS.views); j++) {
      const event = createEvent('post.viewed', { postId: postIds[j % postIds.length]!, count: 1, at: at.toISOString() }, { source: 'bench' });
      messages.push({ key: event.key, value: JSON.stringify(event.envelope) });
    }
    await producer.send({ topic: TOPICS.views, acks: -1, messages });
  }
  const produceMs = performance.now() - produceStart;
  await producer.disconnect();

  const base = await viewsApplied(db);
  const services = await startServices(['social'], false);
  const startedAt = performance.now();
  let first: { t: number; applied: number } | undefined;
  let applied = 0;
  while (applied < SETTINGS.views) {
    applied = (await viewsApplied(db)) - base;
    if (!first && applied > 0) first = { t: performance.now(), applied };
    if (performance.now() - startedAt > 600_000) throw new Error('views were not applied within 10 minutes');
    await sleep(20);
  }
  const doneAt = performance.now();
  await services.stop();
  const { rows } = await db.query<{ total: string }>('select coalesce(sum(views), 0)::text as total from social.posts where id = any($1::uuid[])', [postIds]);
  const total = Number(rows[0]?.total);
  const firstBatch = first ?? { t: startedAt, applied: 0 };
  const result = {
    events: SETTINGS.views,
    posts: SETTINGS.viewPosts,
    produceEventsPerSecond: Math.round(SETTINGS.views / (produceMs / 1_000)),
    eventsPerSecond: Math.round((SETTINGS.views - firstBatch.applied) / ((doneAt - firstBatch.t) / 1_000)),
    eventsPerSecondFromStart: Math.round(SETTINGS.views / ((doneAt - startedAt) / 1_000)),
    durableTotal: total,
    exact: total === SETTINGS.views,
  };
  console.log('views:', result);
  return result;
}

// ---------------------------------------------------------------- parts 2, 3

const LIKE = 'mutation($id: ID!) { likePost(postId: $id) { likeCount } }';
const POST_LIKES = 'query($id: ID!) { post(id: $id) { likeCount } }';
const CREATE = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }';
const FOLLOW = 'mutation($id: ID!) { follow(userId: $id) { id } }';
const FEED = `query($first: Int, $after: String) { feed(first: $first, after: $after) {
  edges { cursor node { id title author { username displayName } likeCount viewerHasLiked } } pageInfo { hasNextPage endCursor } } }`;

interface FeedShape {
  feed: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string | null } };
}

async function createPosts(user: TestUser, n: number, title: string): Promise<string[]> {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await user.client.ok<{ createPost: { id: string } }>(CREATE, { input: { title: `${title} ${i}`, body: 'bench' } })).createPost.id);
  return ids;
}

async function socialKnows(db: Pool, table: 'users' | 'posts', ids: readonly string[], extra = ''): Promise<void> {
  await until(async () => {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from social.${table} where id = any($1::uuid[]) ${extra}`, [ids]);
    return rows[0]?.n === new Set(ids).size;
  }, 300_000, `social to know ${ids.length} ${table}`, 200);
}

async function benchLikes(url: string, db: Pool, users: TestUser[]) {
  const [author, ...likers] = users;
  if (!author) throw new Error('no users');
  const posts = await createPosts(author, Math.ceil(SETTINGS.likes / likers.length), 'liked');
  await socialKnows(db, 'posts', posts, `and status is not null`);
  const reader = new GraphQLClient(url);
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  for (let i = 0; i < SETTINGS.likes; i++) {
    const liker = likers[i % likers.length]!;
    const postId = posts[Math.floor(i / likers.length) % posts.length]!;
    const sent = performance.now();
    const { likePost } = await liker.client.ok<{ likePost: { likeCount: number } }>(LIKE, { id: postId });
    const answered = performance.now();
    for (;;) {
      const { post } = await reader.ok<{ post: { likeCount: number } | null }>(POST_LIKES, { id: postId });
      if ((post?.likeCount ?? 0) >= likePost.likeCount) break;
      if (performance.now() - sent > 30_000) throw new Error('a like did not become visible within 30 s');
      await sleep(2);
    }
    const seen = performance.now();
    fromSend.push(seen - sent);
    fromAnswer.push(seen - answered);
  }
  const result = { likes: SETTINGS.likes, fromLikeSentMs: summary(fromSend), fromLikeAnsweredMs: summary(fromAnswer) };
  console.log('like → visible to another reader:', result);
  return result;
}

async function benchFeed(url: string, db: Pool, users: { authors: TestUser[]; celebrities: TestUser[]; fans: TestUser[]; readers: TestUser[] }) {
  const { authors, celebrities, fans, readers } = users;
  console.log(`feed: ${fans.length} fans follow ${celebrities.length} authors above the threshold (${SETTINGS.threshold}) ...`);
  await pool(fans.flatMap((fan) => celebrities.map((c) => [fan, c] as const)), 16, ([fan, c]) => fan.client.ok(FOLLOW, { id: c.id }));
  await until(async () => {
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from social.user_counters where user_id = any($1::uuid[]) and followers >= $2', [
      celebrities.map((c) => c.id),
      SETTINGS.threshold,
    ]);
    return rows[0]?.n === celebrities.length;
  }, 120_000, 'the follower counts to pass the threshold');

  console.log(`feed: ${authors.length} authors write ${SETTINGS.postsPerAuthor} posts each, ${celebrities.length} popular ones ${SETTINGS.celebrityPosts} each ...`);
  const posts = (await pool(authors, 16, (a, i) => createPosts(a, SETTINGS.postsPerAuthor, `author ${i}`))).flat();
  const pulled = (await pool(celebrities, 5, (c, i) => createPosts(c, SETTINGS.celebrityPosts, `popular ${i}`))).flat();
  await socialKnows(db, 'posts', [...posts, ...pulled], 'and pushed is not null');
  const { rows: modes } = await db.query<{ pushed: boolean; n: number }>('select pushed, count(*)::int as n from social.posts where id = any($1::uuid[]) group by 1', [[...posts, ...pulled]]);

  const shapes = [10, 100, 1_000].filter((n) => n <= authors.length);
  const results: Record<string, unknown> = {};
  for (const [k, n] of shapes.entries()) {
    const reader = readers[k]!;
    const follows = [...authors.slice(0, n), ...celebrities.slice(0, Math.min(celebrities.length, k + 2))];
    await pool(follows, 16, (a) => reader.client.ok(FOLLOW, { id: a.id }));
    // The first read builds the inbox from Postgres.
    let t = performance.now();
    await reader.client.ok<FeedShape>(FEED, { first: 20 });
    const build = performance.now() - t;
    const first: number[] = [];
    const second: number[] = [];
    for (let i = 0; i < SETTINGS.feedReads; i++) {
      t = performance.now();
      const page = await reader.client.ok<FeedShape>(FEED, { first: 20 });
      first.push(performance.now() - t);
      t = performance.now();
      await reader.client.ok<FeedShape>(FEED, { first: 20, after: page.feed.pageInfo.endCursor });
      second.push(performance.now() - t);
    }
    results[`following ${follows.length} (${follows.length - n} pulled)`] = { inboxBuildMs: Math.round(build), firstPageMs: summary(first), secondPageMs: summary(second) };
  }
  console.log('feed page (20 posts, through the gateway):', results);

  // A new post's delay into a follower's feed (the follower reads it every few ms).
  const follower = readers[0]!;
  const author = authors[0]!;
  const delays: number[] = [];
  for (let i = 0; i < SETTINGS.deliveries; i++) {
    const t = performance.now();
    const [id] = await createPosts(author, 1, `fresh ${i}`);
    for (;;) {
      const page = await follower.client.ok<FeedShape>(FEED, { first: 3 });
      if (page.feed.edges.some((e) => e.node.id === id)) break;
      if (performance.now() - t > 30_000) throw new Error('a new post did not reach the feed within 30 s');
      await sleep(5);
    }
    delays.push(performance.now() - t);
  }
  const delivery = summary(delays);
  console.log('new post → in a follower’s feed (ms):', delivery);
  return { posts: posts.length + pulled.length, modes: Object.fromEntries(modes.map((m) => [m.pushed ? 'pushed' : 'pulled', m.n])), pages: results, deliveryMs: delivery };
}

// ---------------------------------------------------------------------- main

async function main() {
  execFileSync('node', [join(ROOT, 'infra', 'postgres', 'ensure-db.mjs')], { env: { ...process.env, DATABASE_URL }, stdio: 'inherit' });
  const db = createPool({ url: DATABASE_URL, max: 3, name: 'plaza-bench-social', logger });
  try {
    for (const name of ['identity', 'content', 'social']) {
      const cfg = SUBGRAPHS.find((s) => s.name === name)!.loadConfig({ ...process.env, DATABASE_URL }).runtime.postgres;
      await runMigrations(db, { schema: cfg.schema, migrationsFolder: cfg.migrationsFolder });
    }
    await positionConsumersAtEnd(db);
    const machine = { cpus: cpus().length, model: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), loadavg: loadavg().map((l) => Math.round(l * 100) / 100) };
    console.log('machine:', machine, 'settings:', SETTINGS);

    const views = PARTS.has('views') ? await benchViews(db) : undefined;
    if (!PARTS.has('likes') && !PARTS.has('feed')) return;

    const services = await startServices(['identity', 'content', 'social'], true, { FEED_FANOUT_THRESHOLD: String(SETTINGS.threshold) });
    const url = services.gatewayUrl!;
    try {
      const anonymous = new GraphQLClient(url);
      const count = SETTINGS.authors + SETTINGS.celebrities + SETTINGS.threshold + 10 + 3 + 21;
      console.log(`registering ${count} users ...`);
      const users = await pool(Array.from({ length: count }), 16, () => registerUser(anonymous, { prefix: 'bs', password: 'bench-password-1' }));
      await socialKnows(db, 'users', users.map((u) => u.id));
      let at = 0;
      const take = (n: number) => users.slice(at, (at += n));
      const authors = take(SETTINGS.authors);
      const celebrities = take(SETTINGS.celebrities);
      const fans = take(SETTINGS.threshold + 10);
      const readers = take(3);
      const likers = take(21);

      const likes = PARTS.has('likes') ? await benchLikes(url, db, likers) : undefined;
      const feed = PARTS.has('feed') ? await benchFeed(url, db, { authors, celebrities, fans, readers }) : undefined;
      if (!views || !likes || !feed) return;
      const results = { at: new Date().toISOString(), machine, settings: SETTINGS, views, likes, feed, loadavgAfter: loadavg().map((l) => Math.round(l * 100) / 100) };
      writeFileSync(join(DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
      writeFileSync(join(DIR, 'results.md'), markdown(results));
      console.log(`\nwrote ${join(DIR, 'results.json')} and results.md`);
    } finally {
      await services.stop();
    }
  } finally {
    await db.end();
  }
}

function markdown(r: {
  at: string;
  machine: { cpus: number; model: string | undefined; loadavg: number[] };
  views: Awaited<ReturnType<typeof benchViews>>;
  likes: Awaited<ReturnType<typeof benchLikes>>;
  feed: Awaited<ReturnType<typeof benchFeed>>;
  loadavgAfter: number[];
}): string {
  const pages = Object.entries(r.feed.pages as Record<string, { inboxBuildMs: number; firstPageMs: ReturnType<typeof summary>; secondPageMs: ReturnType<typeof summary> }>);
  return [
    `# Social benchmark (${r.at})`,
    '',
    `${r.machine.cpus} × ${r.machine.model ?? 'cpu'}; load average ${r.machine.loadavg.join(' / ')} before, ${r.loadavgAfter.join(' / ')} after (a shared, noisy machine).`,
    '',
    '| measure | result | target |',
    '| --- | --- | --- |',
    `| view events → durable counts | ${r.views.eventsPerSecond.toLocaleString()} events/s (${r.views.events.toLocaleString()} events, ${r.views.posts.toLocaleString()} posts; exact: ${r.views.exact}) | ≥ 50,000/s |`,
    `| like → visible to another reader | p50 ${r.likes.fromLikeSentMs.p50} ms, p99 ${r.likes.fromLikeSentMs.p99} ms (from sending the like; ${r.likes.likes} likes) | p99 < 1 s |`,
    ...pages.map(([k, v]) => `| feed first page, ${k} | p50 ${v.firstPageMs.p50} ms, p99 ${v.firstPageMs.p99} ms; second page p50 ${v.secondPageMs.p50} ms; inbox build ${v.inboxBuildMs} ms | |`),
    `| new post → follower's feed | p50 ${r.feed.deliveryMs.p50} ms, p99 ${r.feed.deliveryMs.p99} ms | < 2 s |`,
    '',
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  },
);
