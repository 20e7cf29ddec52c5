import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type DecodedEvent } from '@plaza/events';
import { errorCode, registerUser, startPlaza, testPool, watchEvents, type EventWatcher, type Plaza, type TestUser } from '../src/index.js';
import { createPost, DELETE_POST, UPDATE_POST, type Connection } from './content-fixtures.js';
import {
  allPages,
  BOOKMARK,
  eventually,
  LIKE,
  postCounters,
  socialKnowsPosts,
  socialKnowsUsers,
  socialPost,
  UNBOOKMARK,
  UNLIKE,
  userCounters,
  type CountersShape,
} from './social-fixtures.js';

let plaza: Plaza;
let reactions: EventWatcher;
let author: TestUser;
let alice: TestUser;
let bob: TestUser;
const pool = testPool();

beforeAll(async () => {
  reactions = await watchEvents(TOPICS.reactions);
  plaza = await startPlaza();
  const registered = await Promise.all([1, 2, 3].map(() => registerUser(plaza.client(), { prefix: 'sr' })));
  [author, alice, bob] = registered as [TestUser, TestUser, TestUser];
  await socialKnowsUsers(pool, [author.id, alice.id, bob.id]);
});
afterAll(async () => {
  await plaza?.close();
  await reactions?.stop();
  await pool.end();
});

async function react(user: TestUser, mutation: string, postId: string): Promise<CountersShape> {
  const data = await user.client.ok<Record<string, CountersShape>>(mutation, { id: postId });
  const post = Object.values(data)[0];
  if (!post) throw new Error('no post in the answer');
  return post;
}

const LIKED = `query($id: ID!, $first: Int, $after: String) { user(id: $id) {
  likedPosts(first: $first, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } } }`;
const BOOKMARKED = `query($id: ID!, $first: Int, $after: String) { user(id: $id) {
  bookmarkedPosts(first: $first, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } } }`;

async function likedPosts(reader: TestUser | null, of: TestUser, first = 20): Promise<string[]> {
  const client = reader?.client ?? plaza.client();
  const nodes = await allPages(async (after) => {
    const data = await client.ok<{ user: { likedPosts: Connection<{ id: string }> } }>(LIKED, { id: of.id, first, after });
    return data.user.likedPosts;
  });
  return nodes.map((n) => n.id);
}

describe('likes', () => {
  it('count once per user however often they like, and the answer already shows the like', async () => {
    const post = await socialPost(author.client, pool);
    const first = await react(alice, LIKE, post.id);
    expect(first).toMatchObject({ id: post.id, likeCount: 1, viewerHasLiked: true, viewerHasBookmarked: false });
    expect(await react(alice, LIKE, post.id)).toMatchObject({ likeCount: 1, viewerHasLiked: true });
    expect(await react(bob, LIKE, post.id)).toMatchObject({ likeCount: 2, viewerHasLiked: true });

    // Every other reader sees the count once the pipeline applied the likes; their own flag is false.
    const seen = await eventually(() => postCounters(author.client, post.id), (c) => c.likeCount === 2);
    expect(seen).toMatchObject({ viewerHasLiked: false, likeCount: 2 });
    expect(await postCounters(alice.client, post.id)).toMatchObject({ viewerHasLiked: true });
    expect(await postCounters(plaza.client(), post.id)).toMatchObject({ likeCount: 2, viewerHasLiked: false });
  });

  it('unlike idempotently; unliking a post not liked changes nothing', async () => {
    const post = await socialPost(author.client, pool);
    expect(await react(alice, UNLIKE, post.id)).toMatchObject({ likeCount: 0, viewerHasLiked: false });
    await react(alice, LIKE, post.id);
    expect(await react(alice, UNLIKE, post.id)).toMatchObject({ likeCount: 0, viewerHasLiked: false });
    expect(await react(alice, UNLIKE, post.id)).toMatchObject({ likeCount: 0 });
    // Liked and unliked before the pipeline caught up: the durable count ends at 0, never below.
    await eventually(async () => (await pool.query<{ n: number }>('select count(*)::int as n from social.pending_counts where subject = $1', [post.id])).rows[0]?.n, (n) => n === 0);
    expect((await postCounters(bob.client, post.id)).likeCount).toBe(0);
    expect(await postCounters(alice.client, post.id)).toMatchObject({ viewerHasLiked: false });
  });

  it('is NOT_FOUND for posts that do not exist, are deleted, drafts, or private to someone else', async () => {
    const missing = await alice.client.request(LIKE, { id: '0190a3c4-0000-7000-8000-000000000001' });
    expect(errorCode(missing)).toBe('NOT_FOUND');

    const draft = await createPost(author.client, { publish: false });
    expect(errorCode(await alice.client.request(LIKE, { id: draft.id }))).toBe('NOT_FOUND');
    expect(errorCode(await author.client.request(BOOKMARK, { id: draft.id }))).toBe('NOT_FOUND');

    const secret = await socialPost(author.client, pool, { visibility: 'PRIVATE' });
    expect(errorCode(await alice.client.request(LIKE, { id: secret.id }))).toBe('NOT_FOUND');
    // The author may like their own private post.
    expect(await react(author, LIKE, secret.id)).toMatchObject({ likeCount: 1, viewerHasLiked: true });

    const gone = await socialPost(author.client, pool);
    await react(alice, LIKE, gone.id);
    await author.client.ok(DELETE_POST, { id: gone.id });
    await socialKnowsPosts(pool, [gone.id], { deleted: true });
    expect(errorCode(await alice.client.request(UNLIKE, { id: gone.id }))).toBe('NOT_FOUND');
    expect(errorCode(await bob.client.request(LIKE, { id: gone.id }))).toBe('NOT_FOUND');

    const hidden = await socialPost(author.client, pool);
    await author.client.ok(UPDATE_POST, { id: hidden.id, input: { visibility: 'PRIVATE' } });
    await socialKnowsPosts(pool, [hidden.id], { visibility: 'PRIVATE' });
    expect(errorCode(await bob.client.request(BOOKMARK, { id: hidden.id }))).toBe('NOT_FOUND');

    const malformed = await alice.client.request(LIKE, { id: 'nope' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'postId' });
    expect(errorCode(await plaza.client().request(LIKE, { id: hidden.id }))).toBe('UNAUTHENTICATED');
  });

  it('lists a user’s liked posts publicly, most recent like first, leaving out posts the reader cannot see', async () => {
    const fan = await registerUser(plaza.client(), { prefix: 'sr' });
    const posts = [];
    for (let i = 0; i < 4; i++) posts.push(await socialPost(author.client, pool, { title: `liked ${i}` }));
    const secret = await socialPost(fan.client, pool, { visibility: 'PRIVATE' });
    for (const p of posts) await react(fan, LIKE, p.id);
    await react(fan, LIKE, secret.id);
    const expected = posts.map((p) => p.id).reverse();
    expect(await likedPosts(null, fan, 3)).toEqual(expected);
    expect(await likedPosts(bob, fan)).toEqual(expected);
    // The owner sees their own private post too.
    expect(await likedPosts(fan, fan)).toEqual([secret.id, ...expected]);

    await react(fan, UNLIKE, posts[1]!.id);
    expect(await likedPosts(bob, fan)).toEqual([posts[3]!.id, posts[2]!.id, posts[0]!.id]);
    await author.client.ok(DELETE_POST, { id: posts[0]!.id });
    await socialKnowsPosts(pool, [posts[0]!.id], { deleted: true });
    expect(await likedPosts(bob, fan)).toEqual([posts[3]!.id, posts[2]!.id]);
  });

  it('counts toward the author’s likesReceived, except likes on anonymous posts', async () => {
    const writer = await registerUser(plaza.client(), { prefix: 'sr' });
    await socialKnowsUsers(pool, [writer.id]);
    const open = await socialPost(writer.client, pool);
    const hollow = await socialPost(writer.client, pool, { anonymous: true });
    await react(alice, LIKE, open.id);
    await react(bob, LIKE, open.id);
    await react(alice, LIKE, hollow.id);
    await react(bob, LIKE, hollow.id);
    await eventually(() => postCounters(writer.client, hollow.id), (c) => c.likeCount === 2);
    const counted = await eventually(() => userCounters(alice.client, writer.id), (u) => u.likesReceived === 2);
    expect(counted.likesReceived).toBe(2);
    await react(bob, UNLIKE, open.id);
    await eventually(() => userCounters(alice.client, writer.id), (u) => u.likesReceived === 1);
    await eventually(() => postCounters(writer.client, open.id), (c) => c.likeCount === 1);
    expect((await userCounters(alice.client, writer.id)).likesReceived).toBe(1);
  });

  it('publishes post.liked and post.unliked through the outbox keyed by post, once per real change', async () => {
    const post = await socialPost(author.client, pool);
    await react(alice, LIKE, post.id);
    await react(alice, LIKE, post.id);
    await react(alice, UNLIKE, post.id);
    const of = (type: string) => (e: DecodedEvent) => e.type === type && e.envelope.key === post.id;
    const liked = await reactions.waitFor(of('post.liked'));
    expect(liked.envelope).toMatchObject({ source: 'social', key: post.id });
    expect(liked.envelope.data).toMatchObject({ postId: post.id, userId: alice.id });
    await reactions.waitFor(of('post.unliked'));
    expect(reactions.seen().filter(of('post.liked'))).toHaveLength(1);
  });
});

describe('bookmarks', () => {
  it('count once per user, show in the answer, and undo idempotently', async () => {
    const post = await socialPost(author.client, pool);
    expect(await react(alice, BOOKMARK, post.id)).toMatchObject({ bookmarkCount: 1, viewerHasBookmarked: true, viewerHasLiked: false });
    expect(await react(alice, BOOKMARK, post.id)).toMatchObject({ bookmarkCount: 1 });
    expect(await react(bob, BOOKMARK, post.id)).toMatchObject({ bookmarkCount: 2 });
    expect(await react(bob, UNBOOKMARK, post.id)).toMatchObject({ bookmarkCount: 1, viewerHasBookmarked: false });
    expect(await react(bob, UNBOOKMARK, post.id)).toMatchObject({ bookmarkCount: 1 });
    await eventually(() => postCounters(author.client, post.id), (c) => c.bookmarkCount === 1);
    const bookmarked = await reactions.waitFor((e) => e.type === 'post.bookmarked' && e.envelope.key === post.id);
    expect(bookmarked.envelope.data).toMatchObject({ postId: post.id });
  });

  it('are listed for their owner only: FORBIDDEN for anyone else', async () => {
    const keeper = await registerUser(plaza.client(), { prefix: 'sr' });
    const a = await socialPost(author.client, pool);
    const b = await socialPost(author.client, pool);
    await react(keeper, BOOKMARK, a.id);
    await react(keeper, BOOKMARK, b.id);
    const own = await allPages(async (after) =>
      (await keeper.client.ok<{ user: { bookmarkedPosts: Connection<{ id: string }> } }>(BOOKMARKED, { id: keeper.id, first: 1, after })).user
        .bookmarkedPosts,
    );
    expect(own.map((p) => p.id)).toEqual([b.id, a.id]);
    expect(errorCode(await bob.client.request(BOOKMARKED, { id: keeper.id }))).toBe('FORBIDDEN');
    expect(errorCode(await plaza.client().request(BOOKMARKED, { id: keeper.id }))).toBe('FORBIDDEN');
  });
});
