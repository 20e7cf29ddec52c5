import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createLogger } from '@plaza/common';
import { createEvent, TOPICS } from '@plaza/events';
import { errorCode, GraphQLClient, registerUser, startPlaza, testPool, watchEvents, type EventWatcher, type Plaza, type TestUser } from '../src/index.js';
import { createPost } from './content-fixtures.js';
import { eventually, postCounters, RECORD_VIEW, socialKnowsUsers, socialPost } from './social-fixtures.js';

/** A short window, so that a test can see a viewer count again once it has passed. */
const WINDOW_SECONDS = 3;

let plaza: Plaza;
let views: EventWatcher;
let author: TestUser;
const pool = testPool();

beforeAll(async () => {
  views = await watchEvents(TOPICS.views);
  plaza = await startPlaza({ subgraphEnv: { social: { VIEW_WINDOW_SECONDS: String(WINDOW_SECONDS) } } });
  author = await registerUser(plaza.client(), { prefix: 'sv' });
  await socialKnowsUsers(pool, [author.id]);
});
afterAll(async () => {
  await plaza?.close();
  await views?.stop();
  await pool.end();
});

const view = async (client: GraphQLClient, id: string) => (await client.ok<{ recordView: boolean }>(RECORD_VIEW, { id })).recordView;
const anonymousAt = (ip: string) => new GraphQLClient(plaza.url, undefined, ip);

describe('recordView', () => {
  it('counts one view per signed-in viewer per window, from any address', async () => {
    const post = await socialPost(author.client, pool);
    const reader = await registerUser(plaza.client(), { prefix: 'sv' });
    const elsewhere = new GraphQLClient(plaza.url, reader.accessToken, '10.99.0.1');
    expect(await view(reader.client, post.id)).toBe(true);
    expect(await view(reader.client, post.id)).toBe(false);
    expect(await view(elsewhere, post.id)).toBe(false);
    expect(await view(author.client, post.id)).toBe(true);
    const counted = await eventually(() => postCounters(plaza.client(), post.id), (c) => c.viewCount === 2);
    expect(counted.viewCount).toBe(2);
  });

  it('counts anonymous viewers once per client address per window', async () => {
    const post = await socialPost(author.client, pool);
    expect(await view(anonymousAt('10.98.0.1'), post.id)).toBe(true);
    expect(await view(anonymousAt('10.98.0.1'), post.id)).toBe(false);
    expect(await view(anonymousAt('10.98.0.2'), post.id)).toBe(true);
    await eventually(() => postCounters(plaza.client(), post.id), (c) => c.viewCount === 2);
  });

  it('counts the same viewer again once the window has passed', async () => {
    const post = await socialPost(author.client, pool);
    const client = anonymousAt('10.98.1.1');
    expect(await view(client, post.id)).toBe(true);
    await sleep(WINDOW_SECONDS * 1_000 + 500);
    expect(await view(client, post.id)).toBe(true);
    expect(await view(client, post.id)).toBe(false);
    await eventually(() => postCounters(plaza.client(), post.id), (c) => c.viewCount === 2);
  });

  it('sends counted views to Kafka summed per post, and counts each exactly once', async () => {
    const post = await socialPost(author.client, pool);
    const n = 25;
    const counted = await Promise.all(Array.from({ length: n }, (_, i) => view(anonymousAt(`10.97.${i}.1`), post.id)));
    expect(counted.every(Boolean)).toBe(true);
    await eventually(() => postCounters(plaza.client(), post.id), (c) => c.viewCount === n);
    const ofPost = () => views.seen().filter((e) => e.type === 'post.viewed' && e.envelope.key === post.id);
    const total = () => ofPost().reduce((s, e) => s + (e.envelope.data as { count: number }).count, 0);
    await eventually(() => Promise.resolve(total()), (sum) => sum >= n);
    expect(total()).toBe(n);
    const events = ofPost();
    // Batched: fewer messages than views.
    expect(events.length).toBeLessThan(n);
    expect(events[0]?.envelope).toMatchObject({ source: 'social', key: post.id });
  });

  it('is NOT_FOUND for posts the viewer cannot see, BAD_USER_INPUT for a malformed id', async () => {
    const draft = await createPost(author.client, { publish: false });
    expect(errorCode(await plaza.client().request(RECORD_VIEW, { id: draft.id }))).toBe('NOT_FOUND');
    const secret = await socialPost(author.client, pool, { visibility: 'PRIVATE' });
    expect(errorCode(await plaza.client().request(RECORD_VIEW, { id: secret.id }))).toBe('NOT_FOUND');
    expect(await view(author.client, secret.id)).toBe(true);
    const malformed = await plaza.client().request(RECORD_VIEW, { id: '42' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'postId' });
  });

  it('applies view events from the topic exactly, and sets aside malformed ones without stopping', async () => {
    const post = await socialPost(author.client, pool);
    const viewed = (count: number) => createEvent('post.viewed', { postId: post.id, count, at: new Date().toISOString() }, { source: 'e2e' }).envelope;
    // A count the catalog refuses, and a value that is not JSON: both named by the post's id.
    const refused = { ...viewed(1), data: { postId: post.id, count: 0, at: new Date().toISOString() } };
    const values = [JSON.stringify(viewed(4)), JSON.stringify(refused), `{not json ${post.id}`, JSON.stringify(viewed(2))];
    const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'plaza-e2e-views', logger: createLogger('e2e', 'silent') });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: TOPICS.views, acks: -1, messages: values.map((value) => ({ key: post.id, value })) });
    } finally {
      await producer.disconnect();
    }
    await eventually(() => postCounters(plaza.client(), post.id), (c) => c.viewCount === 6);
    const { rows } = await pool.query<{ error: string }>(
      `select error from social.dead_letters where consumer = 'views' and value like '%' || $1 || '%' order by "offset"`,
      [post.id],
    );
    expect(rows.map((r) => r.error.split(':')[0])).toEqual(['undecodable', 'undecodable']);
    expect((await postCounters(plaza.client(), post.id)).viewCount).toBe(6);
  });
});
