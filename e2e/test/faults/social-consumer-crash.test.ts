import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@plaza/common/kafkajs-node24';
import kafkajs from 'kafkajs';
import { TOPICS } from '@plaza/events';
import { registerUser, startPlaza, testPool, type Plaza, type TestUser } from '../../src/index.js';
import { eventually, LIKE, postCounters, socialKnowsPosts, socialKnowsUsers } from '../social-fixtures.js';
import { createPost } from '../content-fixtures.js';

/**
 * The counters consumer killed (SIGKILL) between its Postgres commit and its Kafka offset commit:
 * Kafka redelivers the batch to the next process, which must change nothing, and the counts that
 * clients read must still come out exact. The Plaza under test answers requests without
 * consumers (SOCIAL_WORKERS=false); the consumers run in child processes of the same group. It
 * runs alone (fault suite): no other Plaza's consumers may apply these events first.
 */

const WORKER = join(import.meta.dirname, 'support', 'social-worker.ts');
const GROUP_PREFIX = `plaza-e2e-crash-${randomBytes(5).toString('hex')}`;

let plaza: Plaza;
const pool = testPool();
const children = new Set<ChildProcess>();

/** Starts social with its consumers in a child process; resolves once it runs. */
async function startWorker(extra: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', PG_POOL_MAX: '2', KAFKA_GROUP_PREFIX: GROUP_PREFIX, ...extra },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (${code ?? signal})`)));
  });
  return child;
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
}

async function stopWorker(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await exited(child);
}

beforeAll(async () => {
  plaza = await startPlaza({ subgraphEnv: { social: { SOCIAL_WORKERS: 'false' } } });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await plaza?.close();
  await pool.end();
});

async function durable(postId: string): Promise<{ likes: number; pending: number }> {
  const { rows } = await pool.query<{ likes: number; pending: number }>(
    `select p.likes, (select count(*)::int from social.pending_counts where subject = p.id and counter = 'likes') as pending
       from social.posts p where p.id = $1`,
    [postId],
  );
  return rows[0] ?? { likes: 0, pending: 0 };
}

/** The offset Kafka has for the counters group on a partition of the reactions topic (-1: none). */
async function kafkaCommitted(partition: number): Promise<bigint> {
  const kafka = new kafkajs.Kafka({ clientId: 'plaza-e2e-crash', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId: `${GROUP_PREFIX}.social.counters`, topics: [TOPICS.reactions] });
    return BigInt(topic?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
  } finally {
    await admin.disconnect();
  }
}

async function storedPosition(partition: number): Promise<bigint> {
  const { rows } = await pool.query<{ next: string }>(
    `select next_offset::text as next from social.consumer_offsets where consumer = 'counters' and topic = $1 and partition = $2`,
    [TOPICS.reactions, partition],
  );
  return BigInt(rows[0]?.next ?? '0');
}

describe('a counters consumer killed between its database commit and its Kafka commit', () => {
  it('counts every like once after the next consumer gets the batch again, and clients read the exact count', async () => {
    let worker = await startWorker();
    let author: TestUser;
    let fans: TestUser[];
    let postId: string;
    try {
      const registered = await Promise.all(Array.from({ length: 7 }, () => registerUser(plaza.client(), { prefix: 'sk' })));
      author = registered[0]!;
      fans = registered.slice(1);
      await socialKnowsUsers(pool, registered.map((u) => u.id));
      postId = (await createPost(author.client, { title: 'crash' })).id;
      await socialKnowsPosts(pool, [postId]);
    } finally {
      await stopWorker(worker);
    }

    // This worker dies at its first Redis write for the post: its transaction has committed.
    worker = await startWorker({ CRASH_ON_POST: postId });
    const answers = await Promise.all(fans.map((fan) => fan.client.ok<{ likePost: { likeCount: number } }>(LIKE, { id: postId })));
    expect(answers.map((a) => a.likePost.likeCount).sort((a, b) => b - a)[0]).toBe(fans.length);
    expect(await exited(worker)).toBe('SIGKILL');

    const afterCrash = await durable(postId);
    expect(afterCrash.likes).toBeGreaterThan(0);
    expect(afterCrash.likes + afterCrash.pending).toBe(fans.length);
    const { rows } = await pool.query<{ partition: number }>(
      `select partition from social.consumer_offsets where consumer = 'counters' and topic = $1 order by updated_at desc limit 1`,
      [TOPICS.reactions],
    );
    const partition = rows[0]?.partition ?? 0;
    // Kafka never heard that the batch was applied; Postgres did.
    expect(await kafkaCommitted(partition)).toBeLessThan(await storedPosition(partition));

    // The next consumer of the group gets the batch again from Kafka and applies nothing twice.
    worker = await startWorker();
    try {
      await eventually(() => durable(postId), (d) => d.pending === 0, 60_000);
      expect(await durable(postId)).toEqual({ likes: fans.length, pending: 0 });
      // The count in Redis, which the crash left old, is refreshed from its mark: readers see it exact.
      const seen = await eventually(() => postCounters(plaza.client(), postId), (c) => c.likeCount === fans.length, 30_000);
      expect(seen.likeCount).toBe(fans.length);

      const late = await registerUser(plaza.client(), { prefix: 'sk' });
      await socialKnowsUsers(pool, [late.id]);
      await late.client.ok(LIKE, { id: postId });
      await eventually(() => postCounters(plaza.client(), postId), (c) => c.likeCount === fans.length + 1, 30_000);
      expect(await durable(postId)).toEqual({ likes: fans.length + 1, pending: 0 });
    } finally {
      await stopWorker(worker);
    }
  });
});
