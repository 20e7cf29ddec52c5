import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@plaza/common/kafkajs-node24';
import kafkajs from 'kafkajs';
import { TOPICS } from '@plaza/events';
import { registerUser, startPlaza, testPool, waitUntil, watchEvents, type EventWatcher, type Plaza, type TestUser } from '../src/index.js';
import { BOOKMARK, eventually, LIKE, postCounters, socialKnowsUsers, socialPost, UNBOOKMARK, UNLIKE } from './social-fixtures.js';

let plaza: Plaza;
let reactions: EventWatcher;
let author: TestUser;
let fans: TestUser[] = [];
const pool = testPool();

beforeAll(async () => {
  reactions = await watchEvents(TOPICS.reactions);
  plaza = await startPlaza();
  author = await registerUser(plaza.client(), { prefix: 'sc' });
  fans = await Promise.all(Array.from({ length: 24 }, () => registerUser(plaza.client(), { prefix: 'sc' })));
  await socialKnowsUsers(pool, [author.id, ...fans.map((f) => f.id)]);
});
afterAll(async () => {
  await plaza?.close();
  await reactions?.stop();
  await pool.end();
});

async function durable(postId: string): Promise<{ likes: number; bookmarks: number; pending: number }> {
  const { rows } = await pool.query<{ likes: number; bookmarks: number; pending: number }>(
    `select p.likes, p.bookmarks, (select count(*)::int from social.pending_counts where subject = p.id) as pending
       from social.posts p where p.id = $1`,
    [postId],
  );
  if (!rows[0]) throw new Error('post unknown to social');
  return rows[0];
}

describe('counts under concurrency', () => {
  it('equal the distinct current likers after a burst of concurrent likes, unlikes and repeats', async () => {
    const post = await socialPost(author.client, pool);
    // Every fan runs its own sequence; all fans at once, and each step sent twice at once.
    const scripts = [
      [LIKE, LIKE, UNLIKE, LIKE],
      [LIKE, UNLIKE, UNLIKE],
      [UNLIKE, LIKE, LIKE],
      [LIKE, UNLIKE, LIKE, UNLIKE],
    ];
    await Promise.all(
      fans.map(async (fan, i) => {
        for (const step of scripts[i % scripts.length]!) {
          await Promise.all([fan.client.ok(step, { id: post.id }), fan.client.ok(step, { id: post.id })]);
        }
      }),
    );
    const likers = fans.filter((_, i) => scripts[i % scripts.length]!.at(-1) === LIKE);
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from social.likes where post_id = $1', [post.id]);
    expect(rows[0]?.n).toBe(likers.length);
    const seen = await eventually(() => postCounters(plaza.client(), post.id), (c) => c.likeCount === likers.length, 20_000);
    expect(seen.likeCount).toBe(likers.length);
    await waitUntil(async () => ((await durable(post.id)).pending === 0 ? true : undefined), 20_000);
    expect(await durable(post.id)).toMatchObject({ likes: likers.length, pending: 0 });
    for (const fan of fans.slice(0, 4)) {
      const own = await postCounters(fan.client, post.id);
      expect(own.viewerHasLiked).toBe(likers.includes(fan));
    }
  });

  it('equal the distinct current bookmarkers after a burst, likes and bookmarks apart', async () => {
    const post = await socialPost(author.client, pool);
    await Promise.all(fans.map((fan) => fan.client.ok(BOOKMARK, { id: post.id })));
    await Promise.all(fans.slice(0, 10).flatMap((fan) => [fan.client.ok(UNBOOKMARK, { id: post.id }), fan.client.ok(LIKE, { id: post.id })]));
    const seen = await eventually(
      () => postCounters(plaza.client(), post.id),
      (c) => c.bookmarkCount === fans.length - 10 && c.likeCount === 10,
      20_000,
    );
    expect(seen).toMatchObject({ bookmarkCount: fans.length - 10, likeCount: 10 });
  });

  it('ignore a like event delivered twice: a redelivery finds nothing left to apply', async () => {
    const post = await socialPost(author.client, pool);
    await fans[0]!.client.ok(LIKE, { id: post.id });
    await fans[1]!.client.ok(LIKE, { id: post.id });
    const liked = await reactions.waitFor((e) => e.type === 'post.liked' && e.envelope.key === post.id);
    await eventually(() => durable(post.id), (d) => d.likes === 2 && d.pending === 0);

    // The same event again, as a relay that crashed before marking it published would send it.
    const kafka = new kafkajs.Kafka({ clientId: 'plaza-e2e-redeliver', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: TOPICS.reactions, acks: -1, messages: [{ key: liked.envelope.key, value: JSON.stringify(liked.envelope) }] });
    await producer.disconnect();
    if (!sent) throw new Error('nothing sent');
    // Applied (or skipped) once the counters consumer's stored position has passed it.
    await waitUntil(async () => {
      const { rows } = await pool.query<{ next: string }>(
        `select next_offset::text as next from social.consumer_offsets where consumer = 'counters' and topic = $1 and partition = $2`,
        [TOPICS.reactions, sent.partition],
      );
      return rows[0] && BigInt(rows[0].next) > BigInt(sent.baseOffset ?? '0') ? true : undefined;
    }, 20_000);
    expect(await durable(post.id)).toMatchObject({ likes: 2, pending: 0 });
    expect((await postCounters(plaza.client(), post.id)).likeCount).toBe(2);
  });
});
