import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type DecodedEvent } from '@plaza/events';
import { registerUser, startPlaza, testPool, waitUntil, watchEvents, type EventWatcher, type Plaza, type TestUser } from '../src/index.js';
import { addComment, createPost, DELETE_COMMENT, DELETE_POST, PUBLISH_POST, uniqueTag, UPDATE_POST } from './content-fixtures.js';

let plaza: Plaza;
let posts: EventWatcher;
let author: TestUser;
let reader: TestUser;
const pool = testPool();

beforeAll(async () => {
  posts = await watchEvents(TOPICS.posts);
  plaza = await startPlaza();
  [author, reader] = await Promise.all([registerUser(plaza.client(), { prefix: 'ce' }), registerUser(plaza.client(), { prefix: 'ce' })]);
});
afterAll(async () => {
  await plaza?.close();
  await posts?.stop();
  await pool.end();
});

const of = (type: string, key: string) => (e: DecodedEvent) => e.type === type && e.envelope.key === key;

describe('content events', () => {
  it('publishes post.published keyed by post id, with what search and social need', async () => {
    const tag = uniqueTag('ev');
    const post = await createPost(author.client, {
      title: '春天 🌸',
      body: 'line one\nline two',
      tags: [`#${tag.toUpperCase()}`, '春天'],
      mediaUrls: ['https://img.example.com/1.jpg'],
    });
    const event = await posts.waitFor(of('post.published', post.id));
    expect(event.envelope).toMatchObject({ source: 'content', version: 1, key: post.id });
    expect(event.envelope.data).toEqual({
      postId: post.id,
      authorId: author.id,
      anonymous: false,
      status: 'PUBLISHED',
      visibility: 'PUBLIC',
      title: '春天 🌸',
      body: 'line one\nline two',
      tags: [tag, '春天'],
      mediaUrls: ['https://img.example.com/1.jpg'],
      createdAt: post.createdAt,
      updatedAt: post.updatedAt,
      publishedAt: post.publishedAt,
    });
    // Written through the outbox: the row is marked published once Kafka has it.
    await waitUntil(async () => {
      const { rows } = await pool.query<{ n: string }>(
        'select count(*) as n from content.outbox where key = $1 and published_at is null',
        [post.id],
      );
      return rows[0]?.n === '0';
    });
  });

  it('carries authorId null for anonymous posts and comments, and the author’s id nowhere in the envelope', async () => {
    const post = await createPost(author.client, { anonymous: true, title: '树洞' });
    const published = await posts.waitFor(of('post.published', post.id));
    expect(published.envelope.data).toMatchObject({ postId: post.id, authorId: null, anonymous: true });
    expect(JSON.stringify(published.envelope)).not.toContain(author.id);

    const comment = await addComment(author.client, { postId: post.id, anonymous: true, body: '我是洞主' });
    const added = await posts.waitFor((e) => e.type === 'comment.added' && (e.envelope.data as { commentId: string }).commentId === comment.id);
    expect(added.envelope.key).toBe(post.id);
    expect(added.envelope.data).toEqual({
      commentId: comment.id,
      postId: post.id,
      rootId: null,
      parentId: null,
      authorId: null,
      anonymous: true,
      pseudonym: '洞主',
      body: '我是洞主',
      createdAt: comment.createdAt,
    });
    expect(JSON.stringify(added.envelope)).not.toContain(author.id);

    await author.client.ok(UPDATE_POST, { id: post.id, input: { body: 'changed' } });
    const updated = await posts.waitFor(of('post.updated', post.id));
    expect(updated.envelope.data).toMatchObject({ authorId: null, anonymous: true, body: 'changed', changed: ['body'] });
    await author.client.ok(DELETE_POST, { id: post.id });
    const deleted = await posts.waitFor(of('post.deleted', post.id));
    expect(deleted.envelope.data).toMatchObject({ postId: post.id, authorId: null, anonymous: true });
    for (const e of [updated, deleted]) expect(JSON.stringify(e.envelope)).not.toContain(author.id);
  });

  it('publishes post.updated with the changed fields, visibility changes included', async () => {
    const post = await createPost(author.client, { tags: ['a'] });
    await author.client.ok(UPDATE_POST, { id: post.id, input: { title: 'new title', tags: ['A', 'b'] } });
    const first = await posts.waitFor((e) => of('post.updated', post.id)(e) && (e.envelope.data as { title: string }).title === 'new title');
    expect(first.envelope.data).toMatchObject({ changed: ['title', 'tags'], tags: ['a', 'b'], authorId: author.id });

    await author.client.ok(UPDATE_POST, { id: post.id, input: { visibility: 'PRIVATE' } });
    const hidden = await posts.waitFor((e) => of('post.updated', post.id)(e) && (e.envelope.data as { visibility: string }).visibility === 'PRIVATE');
    expect(hidden.envelope.data).toMatchObject({ changed: ['visibility'], visibility: 'PRIVATE', status: 'PUBLISHED' });
  });

  it('keeps drafts silent until publishPost, then publishes post.published once', async () => {
    const draft = await createPost(author.client, { publish: false });
    await author.client.ok(UPDATE_POST, { id: draft.id, input: { title: 'still a draft' } });
    await author.client.ok(PUBLISH_POST, { id: draft.id });
    await author.client.ok(PUBLISH_POST, { id: draft.id });
    const published = await posts.waitFor(of('post.published', draft.id));
    expect(published.envelope.data).toMatchObject({ status: 'PUBLISHED', title: 'still a draft' });
    // A later event on the same key proves everything before it has been read (one partition per key).
    await author.client.ok(DELETE_POST, { id: draft.id });
    await posts.waitFor(of('post.deleted', draft.id));
    const forPost = posts.seen().filter((e) => e.envelope.key === draft.id).map((e) => e.type);
    expect(forPost).toEqual(['post.published', 'post.deleted']);
  });

  it('publishes comment.added for named replies and comment.deleted, in order on the post’s key', async () => {
    const post = await createPost(author.client);
    const root = await addComment(reader.client, { postId: post.id, body: 'root' });
    const reply = await addComment(author.client, { postId: post.id, parentId: root.id, body: 'reply' });
    await reader.client.ok(DELETE_COMMENT, { id: root.id });
    const deleted = await posts.waitFor(of('comment.deleted', post.id));
    expect(deleted.envelope.data).toMatchObject({ commentId: root.id, postId: post.id });

    const forPost = posts.seen().filter((e) => e.envelope.key === post.id);
    expect(forPost.map((e) => e.type)).toEqual(['post.published', 'comment.added', 'comment.added', 'comment.deleted']);
    expect(forPost[2]!.envelope.data).toMatchObject({
      commentId: reply.id,
      rootId: root.id,
      parentId: root.id,
      authorId: author.id,
      anonymous: false,
      pseudonym: null,
      body: 'reply',
    });
  });
});
