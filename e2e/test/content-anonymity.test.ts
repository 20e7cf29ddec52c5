import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, registerUser, startPlaza, type GraphQLResponse, type Plaza, type TestUser } from '../src/index.js';
import {
  addComment,
  ADD_COMMENT,
  createPost,
  decodeCursor,
  DELETE_COMMENT,
  DELETE_POST,
  GET_POST,
  listPosts,
  LIST_POSTS,
  PUBLISH_POST,
  uniqueTag,
  UPDATE_POST,
  type PostShape,
} from './content-fixtures.js';

let plaza: Plaza;
let author: TestUser;
let other: TestUser;

beforeAll(async () => {
  plaza = await startPlaza();
  [author, other] = await Promise.all([registerUser(plaza.client(), { prefix: 'ca' }), registerUser(plaza.client(), { prefix: 'ca' })]);
});
afterAll(async () => {
  await plaza?.close();
});

/** Every cursor in a response body, decoded: the base64 must not hide what the raw text does not show. */
function decodedCursors(raw: string): string[] {
  return [...raw.matchAll(/"(?:cursor|endCursor)":"([^"]+)"/g)].map((m) => decodeCursor(m[1]!));
}

function expectNoTrace(res: GraphQLResponse<unknown>, secret: string): void {
  expect(res.raw).not.toContain(secret);
  expect(res.raw.toLowerCase()).not.toContain(secret.toLowerCase());
  for (const cursor of decodedCursors(res.raw)) expect(cursor).not.toContain(secret);
}

/** A post page as a client shows it (kept under the gateway's query cost limit). */
const FULL_POST = `query($id: ID!) { post(id: $id) { id title isAnonymous author { id } viewerIsAuthor commentCount
  comments(first: 20) { edges { cursor node { id body pseudonym author { id } post { author { id } }
    replies(first: 5) { edges { cursor node { id pseudonym author { id } } } pageInfo { endCursor } } } }
    pageInfo { endCursor } } } }`;
const TAG_POSTS = `query($name: String!) { tag(name: $name) { name postCount posts(first: 5) {
  edges { cursor node { id isAnonymous author { id username } } } pageInfo { hasNextPage endCursor } } } }`;
const USER_POSTS = `query($id: ID!) { user(id: $id) { postCount posts(first: 100) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`;

describe('anonymous posts', () => {
  it('show their author to the author only', async () => {
    const post = await createPost(author.client, { anonymous: true });
    expect(post).toMatchObject({ isAnonymous: true, author: { id: author.id }, viewerIsAuthor: true });
    const seenByOther = (await other.client.ok<{ post: PostShape }>(GET_POST, { id: post.id })).post;
    expect(seenByOther).toMatchObject({ isAnonymous: true, author: null, viewerIsAuthor: false });
    const seenSignedOut = (await plaza.client().ok<{ post: PostShape }>(GET_POST, { id: post.id })).post;
    expect(seenSignedOut).toMatchObject({ isAnonymous: true, author: null, viewerIsAuthor: false });
  });

  it('are listed in the latest posts and under their tags, but never under their author nor in the author’s count', async () => {
    const tag = uniqueTag('anon');
    const named = await createPost(author.client, { tags: [tag] });
    const hidden = await createPost(author.client, { tags: [tag], anonymous: true });
    expect((await listPosts(other.client, { tag })).edges.map((e) => e.node.id)).toEqual([hidden.id, named.id]);
    expect((await listPosts(other.client, { tag, authorId: author.id })).edges.map((e) => e.node.id)).toEqual([named.id]);
    const byAuthor = await listPosts(author.client, { authorId: author.id, first: 100 });
    expect(byAuthor.edges.map((e) => e.node.id)).not.toContain(hidden.id);
    for (const client of [other.client, author.client]) {
      const user = await client.ok<{ user: { postCount: number; posts: { edges: { node: { id: string } }[] } } }>(USER_POSTS, { id: author.id });
      expect(user.user.posts.edges.map((e) => e.node.id)).not.toContain(hidden.id);
      expect(user.user.postCount).toBe(user.user.posts.edges.length);
    }
    const latest = await listPosts(other.client, { first: 100 });
    const listed = latest.edges.find((e) => e.node.id === hidden.id);
    expect(listed?.node).toMatchObject({ isAnonymous: true, author: null });
  });

  it('leave no trace of the author’s id in any response body another viewer can get: fields, cursors or errors', async () => {
    const tag = uniqueTag('trace');
    // A fresh author who writes nothing under their name, so their id has no legitimate place anywhere.
    const [author, bystander] = await Promise.all([
      registerUser(plaza.client(), { prefix: 'ca' }),
      registerUser(plaza.client(), { prefix: 'ca' }),
    ]);
    // A tree hollow: an anonymous post whose author also answers anonymously (as 洞主).
    const post = await createPost(author.client, { tags: [tag], anonymous: true, title: '树洞', body: '说说心里话' });
    const root = await addComment(bystander.client, { postId: post.id, body: 'what happened?' });
    const hostReply = await addComment(author.client, { postId: post.id, parentId: root.id, anonymous: true, body: '不想说' });
    expect(hostReply.pseudonym).toBe('洞主');
    const hostRoot = await addComment(author.client, { postId: post.id, anonymous: true, body: 'thanks all' });
    // The same author, anonymous on someone else's post.
    const elsewhere = await createPost(bystander.client, { tags: [tag] });
    const anonComment = await addComment(author.client, { postId: elsewhere.id, anonymous: true, body: 'me too' });
    expect(anonComment.pseudonym).toBe('Alice');

    const secret = author.id;
    const responses: GraphQLResponse<unknown>[] = [];
    for (const client of [other.client, plaza.client(), bystander.client]) {
      responses.push(
        await client.request(FULL_POST, { id: post.id }),
        await client.request(FULL_POST, { id: elsewhere.id }),
        await client.request(LIST_POSTS, { tag, first: 1 }),
        await client.request(LIST_POSTS, { tag }),
        await client.request(LIST_POSTS, { first: 50 }),
        await client.request(TAG_POSTS, { name: tag }),
        // Errors: writes on the author's anonymous post and comments.
        await client.request(UPDATE_POST, { id: post.id, input: { title: 'mine now' } }),
        await client.request(PUBLISH_POST, { id: post.id }),
        await client.request(DELETE_POST, { id: post.id }),
        await client.request(DELETE_COMMENT, { id: anonComment.id }),
        await client.request(DELETE_COMMENT, { id: hostRoot.id }),
        await client.request(ADD_COMMENT, { input: { postId: elsewhere.id, parentId: hostReply.id, body: 'cross' } }),
      );
    }
    // Page two of the tag's posts, through the first page's cursor.
    const first = await other.client.ok<{ posts: { pageInfo: { endCursor: string } } }>(LIST_POSTS, { tag, first: 1 });
    responses.push(await other.client.request(LIST_POSTS, { tag, first: 1, after: first.posts.pageInfo.endCursor }));

    for (const res of responses) expectNoTrace(res, secret);
    // The checks above looked at real answers, not at errors everywhere.
    const full = responses[0] as GraphQLResponse<{ post: PostShape & { comments: { edges: unknown[] } } }>;
    expect(full.data?.post.comments.edges).toHaveLength(2);
    expect(full.raw).toContain('洞主');
    expect(errorCode(responses[6]!)).toBe('FORBIDDEN');
    expect(errorCode(responses[9]!)).toBe('FORBIDDEN');
    expect(errorCode(responses[11]!)).toBe('BAD_USER_INPUT');
  });

  it('stay anonymous: anonymity is fixed at creation and no update can change it', async () => {
    const post = await createPost(author.client, { anonymous: true });
    const res = await author.client.request(UPDATE_POST, { id: post.id, input: { anonymous: false } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect((await other.client.ok<{ post: PostShape }>(GET_POST, { id: post.id })).post.author).toBeNull();
  });
});

describe('anonymous comments', () => {
  it('never show their author, not even to the author, but tell the author it is theirs', async () => {
    const post = await createPost(other.client);
    const comment = await addComment(author.client, { postId: post.id, anonymous: true });
    expect(comment).toMatchObject({ isAnonymous: true, author: null, pseudonym: 'Alice', viewerIsAuthor: true });
    const res = await other.client.request<{ post: { comments: { edges: { node: { author: null; viewerIsAuthor: boolean } }[] } } }>(
      `query($id: ID!) { post(id: $id) { comments { edges { node { author { id } viewerIsAuthor pseudonym } } } } }`,
      { id: post.id },
    );
    expect(res.data?.post.comments.edges[0]?.node).toEqual({ author: null, viewerIsAuthor: false, pseudonym: 'Alice' });
    expectNoTrace(res, author.id);
  });
});
