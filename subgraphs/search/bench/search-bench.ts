/**
 * `npm run bench:search` (here: `npm run bench`): the search index at 100,000 posts.
 *
 * 1. Produces 100,000 `post.published` events (the relevance set's 325 posts among them) plus
 *    likes, comments and users to fresh topics of their own on the broker (KAFKA_BROKERS), so
 *    nobody else's consumers see them, into its own database (BENCH_DATABASE_URL, default
 *    `postgres://postgres@127.0.0.1:5432/plaza_search_bench`; emptied first).
 * 2. Indexing throughput: the search subgraph's consumer and indexer (the live code, on those
 *    topics) from the first event to the last applied, in events per second.
 * 3. Query latency p50/p95/p99 over a mix (the relevance set's queries, single words, two-word
 *    and phrase queries, three pages deep for some), measured at the subgraph's search domain:
 *    query analysis, the SQL, highlighting; HTTP and the gateway are not included. Suggestions
 *    likewise.
 * 4. recall@10 and MRR of the relevance set in the 100,000-post index: each query's results read
 *    as the judged posts in the order they came (the generated posts are unjudged).
 *
 * Not a test: figures vary with the machine and its load. Deletes its topics at the end.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  createEventConsumer,
  createKafka,
  createLogger,
  createPool,
  createProducer,
  ensureTopics,
  runMigrations,
} from '@plaza/common';
import { createEvent, eventHeaders } from '@plaza/events';
import { createTextAnalyzer } from '../src/analysis/index.js';
import { createSearch } from '../src/domain/search.js';
import { LIVE_TABLES, INDEX_TABLE_NAMES } from '../src/index-tables.js';
import { createIndexer, INDEX_PARTITIONS_CONCURRENTLY } from '../src/indexer.js';
import { createSearchStore } from '../src/store.js';
import { loadRelevanceSet, scoreRelevance } from '../relevance/relevance-set.js';

const POSTS = Number(process.env.BENCH_POSTS ?? 100_000);
const LIKES = Math.round(POSTS / 5);
const COMMENTS = Math.round(POSTS / 10);
const USERS = 1_000;
const PARTITIONS = 6;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/plaza_search_bench';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

const logger = createLogger('search-bench', 'warn');
const analyzer = createTextAnalyzer();
const set = loadRelevanceSet();

/** A deterministic generator, so runs are comparable. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    /**
     * Skewed towards small indexes (word frequencies, likes): the first 1% of a word list gets
     * about 5% of the picks, so a common word is in a few percent of posts, as content words are.
     */
    skewed: (n: number) => Math.floor(n * next() ** 1.5),
  };
}
const random = createRandom(20_261_123);

/** Word pools by language, from the corpus as written (traditional stays traditional). */
function pools() {
  const zh: string[] = [];
  const hant: string[] = [];
  const en: string[] = [];
  const tags = new Set<string>();
  for (const post of set.posts) {
    const target = post.id.startsWith('e') ? en : post.id.startsWith('zh') ? hant : zh;
    for (const t of analyzer.suggestionTerms(`${post.title}\n${post.body}`)) target.push(t.display);
    for (const tag of post.tags) tags.add(tag);
  }
  return { zh, hant, en, tags: [...tags] };
}

function generatedPost(words: ReturnType<typeof pools>) {
  const roll = random.next();
  const pool = roll < 0.55 ? words.zh : roll < 0.75 ? words.hant : words.en;
  const pick = () => pool[random.skewed(pool.length)]!;
  const join = pool === words.en ? ' ' : '';
  const sentence = (n: number) => Array.from({ length: n }, pick).join(join);
  const sentences = 2 + random.int(4);
  const body = Array.from({ length: sentences }, () => sentence(4 + random.int(8))).join(pool === words.en ? '. ' : '，');
  return {
    title: sentence(2 + random.int(3)),
    body: `${body}${pool === words.en ? '.' : '。'}`,
    tags: Array.from({ length: random.int(3) }, () => words.tags[random.int(words.tags.length)]!),
  };
}

/**
 * CPU seconds used so far by each of this bench's Postgres backends (same machine: /proc), so the
 * figures can be read apart from the machine's load: wall-clock time on a shared, busy machine
 * says more about the neighbours than about the index. Per backend, because the pool opens and
 * closes connections between two samples (`postgresCpuBetween`).
 */
async function postgresCpuSeconds(pool: pg.Pool): Promise<Map<number, number> | null> {
  const { rows } = await pool.query<{ pid: number }>(`select pid from pg_stat_activity where application_name = 'plaza-search-bench'`);
  const { readFile } = await import('node:fs/promises');
  const seconds = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, USER_HZ
    } catch {
      return null; // Postgres on another machine: no figure
    }
  }
  return seconds;
}

/**
 * CPU seconds the backends used between two samples: a backend in both counts its growth, one
 * opened in between all of its time. A backend closed in between is missed (an undercount).
 */
function postgresCpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (before === null || after === null) return null;
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  await ensureDatabase(DATABASE_URL);
  const pool = createPool({ url: DATABASE_URL, max: 4, name: 'plaza-search-bench', logger, statementTimeoutMs: 0 });
  const kafka = createKafka({ brokers: BROKERS, clientId: 'plaza-search-bench', logger });
  const run = randomUUID().slice(0, 8);
  const topics = { users: `plaza.bench.${run}.users`, posts: `plaza.bench.${run}.posts`, reactions: `plaza.bench.${run}.reactions` };
  const admin = kafka.admin();
  try {
    await runMigrations(pool, { schema: 'search', migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)) });
    await pool.query(`truncate ${Object.values(INDEX_TABLE_NAMES).map((t) => `search."${t}"`).join(', ')}, search.consumer_offsets, search.dead_letters`);
    await ensureTopics(kafka, Object.values(topics), PARTITIONS);

    // 1. The events.
    console.log(`generating ${POSTS} posts, ${LIKES} likes, ${COMMENTS} comments, ${USERS} users …`);
    const words = pools();
    const now = Date.now();
    const userIds = Array.from({ length: USERS }, () => randomUUID());
    const postIds: string[] = [];
    const corpusIdOf = new Map<string, string>();
    const messages: Record<string, { key: string; value: string; headers: Record<string, string> }[]> = {
      [topics.users]: [],
      [topics.posts]: [],
      [topics.reactions]: [],
    };
    const add = (topic: string, event: ReturnType<typeof createEvent>) =>
      messages[topic]!.push({ key: event.key, value: JSON.stringify(event.envelope), headers: eventHeaders(event.envelope) });
    userIds.forEach((userId, i) => {
      const at = new Date(now - 400 * 86_400_000).toISOString();
      add(topics.users, createEvent('user.registered', { userId, username: `bench_${i}`, displayName: `Bench 用户 ${i}`, bio: '', avatarUrl: null, createdAt: at }, { source: 'bench' }));
    });
    const corpusEvery = Math.max(1, Math.floor(POSTS / set.posts.length));
    let corpusNext = 0;
    for (let i = 0; i < POSTS; i++) {
      const postId = randomUUID();
      const useCorpus = i % corpusEvery === 0 && corpusNext < set.posts.length;
      const source = useCorpus ? set.posts[corpusNext++]! : null;
      if (source) corpusIdOf.set(postId, source.id);
      const text = source ?? generatedPost(words);
      // Published over the last year; the judged posts within the last week, as in the e2e test.
      const at = new Date(now - (source ? random.int(7) : random.int(365)) * 86_400_000 - random.int(86_400_000)).toISOString();
      postIds.push(postId);
      add(
        topics.posts,
        createEvent(
          'post.published',
          {
            postId,
            authorId: userIds[random.int(USERS)]!,
            anonymous: false,
            status: 'PUBLISHED',
            visibility: 'PUBLIC',
            title: text.title,
            body: text.body,
            tags: [...new Set(text.tags)],
            mediaUrls: [],
            createdAt: at,
            updatedAt: at,
            publishedAt: at,
          },
          { source: 'bench' },
        ),
      );
    }
    for (let i = 0; i < COMMENTS; i++) {
      const postId = postIds[random.skewed(postIds.length)]!;
      add(
        topics.posts,
        createEvent(
          'comment.added',
          { commentId: randomUUID(), postId, rootId: null, parentId: null, authorId: userIds[random.int(USERS)]!, anonymous: false, pseudonym: null, body: '好', createdAt: new Date().toISOString() },
          { source: 'bench' },
        ),
      );
    }
    for (let i = 0; i < LIKES; i++) {
      const postId = postIds[random.skewed(postIds.length)]!;
      add(topics.reactions, createEvent('post.liked', { postId, userId: userIds[random.int(USERS)]!, at: new Date().toISOString() }, { source: 'bench' }));
    }
    const total = Object.values(messages).reduce((n, list) => n + list.length, 0);

    const producer = createProducer(kafka);
    await producer.connect();
    const producing = Date.now();
    for (const [topic, list] of Object.entries(messages)) {
      for (let i = 0; i < list.length; i += 2_000) await producer.send({ topic, messages: list.slice(i, i + 2_000) });
    }
    await producer.disconnect();
    console.log(`produced ${total} events in ${((Date.now() - producing) / 1000).toFixed(1)} s`);
    // The generated events are on the broker now: let them go, so the indexer below is measured
    // with the heap it would have in the search subgraph, not with 131,000 messages of ours in it
    // (every full collection would mark them).
    for (const list of Object.values(messages)) list.length = 0;

    // 2. Indexing: the live consumer and indexer, on the bench topics.
    const store = createSearchStore(pool);
    const indexer = createIndexer({ analyzer, tables: LIVE_TABLES, swappable: true });
    const consumer = createEventConsumer({
      name: 'bench',
      subgraph: 'search',
      kafka,
      logger,
      topics: Object.values(topics),
      groupPrefix: `plaza-bench-${run}`,
      transaction: store.transaction,
      handle: (tx, events) => indexer.apply(tx, events),
      partitionsConsumedConcurrently: INDEX_PARTITIONS_CONCURRENTLY,
    });
    const indexing = Date.now();
    const cpu = process.cpuUsage();
    const pgCpuBefore = await postgresCpuSeconds(pool);
    const { loadavg } = await import('node:os');
    await consumer.start();
    for (;;) {
      const stats = consumer.stats();
      if (stats.applied + stats.deadLettered >= total) break;
      if (Date.now() - indexing > 30 * 60_000) throw new Error(`indexing stalled at ${stats.applied} of ${total}`);
      await sleep(100);
    }
    const seconds = (Date.now() - indexing) / 1000;
    const nodeCpu = process.cpuUsage(cpu);
    const load = loadavg()[0] ?? 0;
    await consumer.stop();
    const pgCpuAfter = await postgresCpuSeconds(pool);
    const { rows: size } = await pool.query<{ posts: string; bytes: string }>(
      `select (select count(*) from search.posts where searchable)::text as posts,
              pg_size_pretty(pg_total_relation_size('search.posts') + pg_total_relation_size('search.terms')) as bytes`,
    );
    // Every like and comment event is in the posts' counts (they race the posts, from other topics).
    const { rows: counted } = await pool.query<{ likes: string; comments: string }>(
      `select coalesce(sum(likes), 0)::text as likes, coalesce(sum(comments), 0)::text as comments from search.posts`,
    );
    console.log(`counts in the index: ${counted[0]?.likes} of ${LIKES} likes, ${counted[0]?.comments} of ${COMMENTS} comments`);
    const nodeSeconds = (nodeCpu.user + nodeCpu.system) / 1e6;
    const pgSeconds = postgresCpuBetween(pgCpuBefore, pgCpuAfter);
    console.log(
      `indexing: ${total} events (${POSTS} posts) in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} events/s wall clock ` +
        `(load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores); dead letters ${consumer.stats().deadLettered}; ` +
        `${size[0]?.posts} searchable posts, ${size[0]?.bytes} on disk`,
    );
    if (pgSeconds !== null) {
      const perEvent = (s: number) => (s / total) * 1e6;
      // Node (analysis, decoding) and Postgres (writes) run on different cores, chunks of two
      // partitions overlapping: an idle 2-core machine is bounded by the busier of the two.
      const bound = Math.round(1e6 / Math.max(perEvent(nodeSeconds), perEvent(pgSeconds)));
      console.log(
        `indexing CPU per event: node ${perEvent(nodeSeconds).toFixed(0)} µs, postgres ${perEvent(pgSeconds).toFixed(0)} µs ` +
          `→ about ${bound} events/s on an idle 2-core machine`,
      );
    }
    await pool.query('vacuum analyze search.posts, search.terms, search.tags, search.users');

    // 3. Latency.
    const search = createSearch({ store, analyzer });
    // The mix: every judged query of the relevance set; topical words (uniform over the
    // vocabulary), some paged three deep; English words; two-word queries; phrases; and the most
    // common words, the broadest (slowest) searches.
    const mix: { query: string; pages: number }[] = [];
    for (const q of set.queries) mix.push({ query: q.query, pages: 1 });
    for (let i = 0; i < 150; i++) mix.push({ query: words.zh[random.int(words.zh.length)]!, pages: i % 10 === 0 ? 3 : 1 });
    for (let i = 0; i < 50; i++) mix.push({ query: words.en[random.int(words.en.length)]!, pages: 1 });
    for (let i = 0; i < 50; i++) mix.push({ query: `${words.zh[random.int(words.zh.length)]!} ${words.zh[random.int(words.zh.length)]!}`, pages: 1 });
    for (let i = 0; i < 20; i++) mix.push({ query: `"${words.hant[random.int(words.hant.length)]!}"`, pages: 1 });
    for (let i = 0; i < 30; i++) mix.push({ query: words.zh[random.skewed(words.zh.length)]!, pages: 1 });
    const timeSearch = async (query: string, pages: number): Promise<number[]> => {
      const times: number[] = [];
      let after: string | null = null;
      for (let p = 0; p < pages; p++) {
        const started = performance.now();
        const page = await search.search({ query, first: 20, after });
        times.push(performance.now() - started);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      return times;
    };
    for (const m of mix.slice(0, 50)) await timeSearch(m.query, 1); // warm-up
    const latencies: number[] = [];
    const slowest: { query: string; ms: number }[] = [];
    const queryCpu = process.cpuUsage();
    const queryPgBefore = await postgresCpuSeconds(pool);
    const queryLoad = loadavg()[0] ?? 0;
    for (const m of mix) {
      const times = await timeSearch(m.query, m.pages);
      latencies.push(...times);
      slowest.push({ query: m.query, ms: Math.max(...times) });
    }
    const queryPgAfter = await postgresCpuSeconds(pool);
    const queryNode = process.cpuUsage(queryCpu);
    latencies.sort((a, b) => a - b);
    slowest.sort((a, b) => b.ms - a.ms);
    const prefixes = [...words.zh.slice(0, 100).map((w) => [...w][0]!), ...set.suggestions.map((s) => s.prefix), ...words.en.slice(0, 50).map((w) => w.slice(0, 3))];
    const suggestTimes: number[] = [];
    for (const prefix of prefixes) {
      const started = performance.now();
      await search.suggest({ prefix, first: 10 });
      suggestTimes.push(performance.now() - started);
    }
    suggestTimes.sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      `search latency over ${latencies.length} searches (first 20): p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, ` +
        `p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? 0)} (load average ${queryLoad.toFixed(1)})`,
    );
    const queryPgSeconds = postgresCpuBetween(queryPgBefore, queryPgAfter);
    if (queryPgSeconds !== null) {
      const cpuMs = ((queryNode.user + queryNode.system) / 1e3 + queryPgSeconds * 1e3) / latencies.length;
      console.log(`search CPU (node + postgres) per search: ${cpuMs.toFixed(1)} ms on average; slowest: ${slowest.slice(0, 5).map((q) => `${q.query} ${ms(q.ms)}`).join(', ')}`);
    }
    console.log(`suggestions over ${suggestTimes.length} prefixes: p50 ${ms(percentile(suggestTimes, 50))}, p95 ${ms(percentile(suggestTimes, 95))}`);

    // 4. Relevance at 100,000 posts.
    const results = new Map<string, string[]>();
    for (const q of set.queries) {
      const page = await search.search({ query: q.query, types: ['POST'], first: 100 });
      results.set(
        q.id,
        page.edges.flatMap((e) => (e.node.__typename === 'Post' ? [corpusIdOf.get(e.node.id)].filter((id): id is string => id !== undefined) : [])),
      );
    }
    const score = scoreRelevance(set.queries, results);
    console.log(`relevance at ${POSTS} posts: recall@10 ${score.recallAt10.toFixed(3)}, MRR ${score.mrr.toFixed(3)} (${score.queries.length} judged queries)`);
  } finally {
    await admin.connect().catch(() => undefined);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench failed:', err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
