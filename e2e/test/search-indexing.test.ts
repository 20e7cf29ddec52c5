import { randomUUID } from 'node:crypto';
import '@plaza/common/kafkajs-node24';
import kafkajs from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '@plaza/events';
import { registerUser, startPlaza, testPool, waitUntil, watchEvents, type Plaza, type TestUser } from '../src/index.js';
import { createPost, DELETE_POST, UPDATE_POST } from './content-fixtures.js';
import { postIds, search, uniqueWord, waitForIndexed, waitForPost } from './search-fixtures.js';

/**
 * The index follows content's and identity's events: what is published is found through the
 * gateway (content and identity resolve the fields), and what is deleted or made private leaves
 * the results within 2 seconds of its event.
 */
let plaza: Plaza;
let pool: pg.Pool;
let author: TestUser;

beforeAll(async () => {
  plaza = await startPlaza();
  pool = testPool();
  author = await registerUser(plaza.client(), { displayName: 'Search Author' });
});

afterAll(async () => {
  await pool?.end();
  await plaza?.close();
});

describe('indexing from events', () => {
  it('finds a published post through the gateway, with its fields resolved by content', async () => {
    const word = uniqueWord();
    const post = await createPost(author.client, { title: `校园 ${word} 指南`, body: '图书馆三楼的座位很安静', tags: ['campus'] });
    await waitForPost(plaza.client(), word, post.id, true);
    const result = await search(plaza.client(), { query: word });
    expect(result.edges).toHaveLength(1);
    expect(result.edges[0]?.node).toEqual({
      __typename: 'Post',
      id: post.id,
      title: `校园 ${word} 指南`,
      isAnonymous: false,
      author: { id: author.id },
    });
    expect(result.edges[0]?.score).toBeGreaterThan(0);
  });

  it('never finds drafts or private posts', async () => {
    const word = uniqueWord();
    const draft = await createPost(author.client, { title: `draft ${word}`, publish: false });
    const secret = await createPost(author.client, { title: `private ${word}`, visibility: 'PRIVATE' });
    const visible = await createPost(author.client, { title: `public ${word}` });
    // The public one arrives after the other two on the same topic: by then they were seen too.
    await waitForPost(plaza.client(), word, visible.id, true);
    await waitForIndexed(pool, [secret.id]);
    const ids = postIds(await search(plaza.client(), { query: word }));
    expect(ids).toEqual([visible.id]);
    expect(ids).not.toContain(draft.id);
  });

  it('removes a deleted post from the results within 2 seconds of its event', async () => {
    const word = uniqueWord();
    const post = await createPost(author.client, { title: `to delete ${word}` });
    await waitForPost(plaza.client(), word, post.id, true);
    const watcher = await watchEvents(TOPICS.posts);
    try {
      await author.client.ok(DELETE_POST, { id: post.id });
      const event = await watcher.waitFor((e) => e.type === 'post.deleted' && e.envelope.key === post.id);
      const since = Date.parse(event.envelope.occurredAt);
      await waitForPost(plaza.client(), word, post.id, false);
      expect(Date.now() - since).toBeLessThan(2_000);
    } finally {
      await watcher.stop();
    }
  });

  it('removes a post made private within 2 seconds, and finds its new text after an edit', async () => {
    const word = uniqueWord();
    const edited = uniqueWord();
    const post = await createPost(author.client, { title: `to hide ${word}` });
    await waitForPost(plaza.client(), word, post.id, true);
    await author.client.ok(UPDATE_POST, { id: post.id, input: { title: `now ${edited}` } });
    await waitForPost(plaza.client(), edited, post.id, true);
    expect(postIds(await search(plaza.client(), { query: word }))).toEqual([]);

    const watcher = await watchEvents(TOPICS.posts);
    try {
      await author.client.ok(UPDATE_POST, { id: post.id, input: { visibility: 'PRIVATE' } });
      const event = await watcher.waitFor((e) => e.type === 'post.updated' && e.envelope.key === post.id);
      const since = Date.parse(event.envelope.occurredAt);
      await waitForPost(plaza.client(), edited, post.id, false);
      expect(Date.now() - since).toBeLessThan(2_000);
    } finally {
      await watcher.stop();
    }
    // A privatised post keeps no text in the index.
    const { rows } = await pool.query('select title, body, searchable from search.posts where post_id = $1', [post.id]);
    expect(rows[0]).toEqual({ title: '', body: '', searchable: false });
  });

  it('finds anonymous posts without storing or returning anything that links them to their author', async () => {
    const word = uniqueWord();
    const post = await createPost(author.client, { title: `anonymous ${word}`, body: 'a tree hollow', anonymous: true });
    await waitForPost(plaza.client(), word, post.id, true);
    const res = await plaza.client().request(
      `query($q: String!) { search(query: $q) { edges { cursor highlight node { ... on Post { id isAnonymous author { id } } } } } }`,
      { q: word },
    );
    expect(res.errors).toBeUndefined();
    expect(res.raw).toContain(post.id);
    expect(res.raw).not.toContain(author.id);
    expect(res.raw).not.toContain(author.username);
    const { rows } = await pool.query('select author_id from search.posts where post_id = $1', [post.id]);
    expect(rows[0]).toEqual({ author_id: null });
  });

  it('finds people by username and display name, and tags by name', async () => {
    const name = uniqueWord();
    const person = await registerUser(plaza.client(), { displayName: `${name} 小明` });
    const tag = uniqueWord('tag');
    const post = await createPost(author.client, { title: 'tagged post', tags: [tag] });
    await waitForPost(plaza.client(), tag, post.id, true);
    const people = await search(plaza.client(), { query: name, types: ['USER'] });
    expect(people.edges.map((e) => e.node)).toEqual([
      { __typename: 'User', id: person.id, username: person.username, displayName: `${name} 小明` },
    ]);
    const byUsername = await search(plaza.client(), { query: person.username, types: ['USER'] });
    expect(byUsername.edges.map((e) => e.node.__typename === 'User' && e.node.id)).toEqual([person.id]);
    const tags = await search(plaza.client(), { query: tag, types: ['TAG'] });
    expect(tags.edges.map((e) => e.node)).toEqual([{ __typename: 'Tag', name: tag, postCount: 1 }]);
  });

  it('changes nothing when an event is replayed', async () => {
    const word = uniqueWord();
    const watcher = await watchEvents(TOPICS.posts);
    let published;
    try {
      const post = await createPost(author.client, { title: `replayed ${word}` });
      published = await watcher.waitFor((e) => e.type === 'post.published' && e.envelope.key === post.id);
      await waitForPost(plaza.client(), word, post.id, true);
      await author.client.ok(DELETE_POST, { id: post.id });
      await waitForPost(plaza.client(), word, post.id, false);
    } finally {
      await watcher.stop();
    }
    const postId = published.envelope.key;
    const before = await pool.query('select * from search.posts where post_id = $1', [postId]);

    // The same post.published message again, as an outbox relay retry would send it.
    const kafka = new kafkajs.Kafka({
      clientId: `plaza-e2e-${randomUUID()}`,
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const [sent] = await producer.send({
        topic: TOPICS.posts,
        messages: [{ key: postId, value: JSON.stringify(published.envelope) }],
      });
      // Applied once the index's stored position on that partition is past the message.
      await waitUntil(async () => {
        const { rows } = await pool.query<{ next: string }>(
          `select next_offset::text as next from search.consumer_offsets
            where consumer = 'index' and topic = $1 and partition = $2`,
          [TOPICS.posts, sent?.partition],
        );
        return rows.some((r) => BigInt(r.next) > BigInt(sent?.baseOffset ?? '0'));
      });
    } finally {
      await producer.disconnect();
    }
    expect(postIds(await search(plaza.client(), { query: `replayed ${word}` }))).toEqual([]);
    const again = await pool.query('select * from search.posts where post_id = $1', [postId]);
    expect(again.rows).toEqual(before.rows);
  });
});
