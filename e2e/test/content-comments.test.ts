import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, registerUser, startPlaza, type Plaza, type TestUser } from '../src/index.js';
import {
  addComment,
  ADD_COMMENT,
  COMMENT_FIELDS,
  createPost,
  DELETE_COMMENT,
  DELETE_POST,
  expectBadInput,
  GET_POST,
  UPDATE_POST,
  type CommentShape,
  type Connection,
  type PostShape,
} from './content-fixtures.js';

let plaza: Plaza;
let host: TestUser;
let ann: TestUser;
let ben: TestUser;

beforeAll(async () => {
  plaza = await startPlaza();
  [host, ann, ben] = await Promise.all([
    registerUser(plaza.client(), { prefix: 'cc' }),
    registerUser(plaza.client(), { prefix: 'cc' }),
    registerUser(plaza.client(), { prefix: 'cc' }),
  ]);
});
afterAll(async () => {
  await plaza?.close();
});

type Thread = CommentShape & { replies: Connection<CommentShape> };
interface PostWithComments {
  post: (PostShape & { comments: Connection<Thread> }) | null;
}

const THREADS = `query($id: ID!, $first: Int, $after: String, $replies: Int) {
  post(id: $id) {
    id commentCount
    comments(first: $first, after: $after) {
      edges { cursor node { ${COMMENT_FIELDS} replies(first: $replies) { edges { cursor node { ${COMMENT_FIELDS} } } pageInfo { hasNextPage endCursor } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
const REPLIES_AFTER = `query($id: ID!, $first: Int, $after: String) {
  post(id: $id) { comments(first: 1) { edges { node { id replies(first: $first, after: $after) {
    edges { cursor node { id body } } pageInfo { hasNextPage endCursor } } } } } }
}`;

const ids = (c: Connection<{ id: string }>) => c.edges.map((e) => e.node.id);

async function threads(client: TestUser['client'], postId: string, vars: { first?: number; after?: string; replies?: number } = {}) {
  const data = await client.ok<PostWithComments>(THREADS, { id: postId, ...vars });
  return data.post!;
}

describe('threads', () => {
  it('makes a root without parent; a reply to a reply joins the root’s thread with its parent kept', async () => {
    const post = await createPost(host.client);
    const root = await addComment(ann.client, { postId: post.id, body: 'root' });
    expect(root).toMatchObject({ parent: null, replyCount: 0, post: { id: post.id }, author: { id: ann.id }, isAnonymous: false, pseudonym: null });
    const reply = await addComment(ben.client, { postId: post.id, parentId: root.id, body: 'reply' });
    const nested = await addComment(ann.client, { postId: post.id, parentId: reply.id, body: 'reply to reply' });
    expect(reply.parent).toEqual({ id: root.id });
    expect(nested.parent).toEqual({ id: reply.id });

    const read = await threads(ben.client, post.id);
    expect(ids(read.comments)).toEqual([root.id]);
    const thread = read.comments.edges[0]!.node;
    expect(thread.replyCount).toBe(2);
    expect(ids(thread.replies)).toEqual([reply.id, nested.id]);
    expect(thread.replies.edges[1]!.node.parent).toEqual({ id: reply.id });
    // Replies attach to their root: a reply has no list of its own.
    expect(thread.replies.edges[0]!.node.replyCount).toBe(0);
    expect(read.commentCount).toBe(3);
  });

  it('lists roots oldest first and replies oldest first, 3 by default, both paged by cursor', async () => {
    const post = await createPost(host.client);
    const roots: string[] = [];
    for (let i = 0; i < 5; i++) roots.push((await addComment(ann.client, { postId: post.id, body: `root ${i}` })).id);
    const replies: string[] = [];
    for (let i = 0; i < 7; i++) replies.push((await addComment(ben.client, { postId: post.id, parentId: roots[0]!, body: `reply ${i}` })).id);

    const page1 = await threads(ann.client, post.id, { first: 2 });
    expect(ids(page1.comments)).toEqual(roots.slice(0, 2));
    expect(page1.comments.pageInfo.hasNextPage).toBe(true);
    const page2 = await threads(ann.client, post.id, { first: 2, after: page1.comments.pageInfo.endCursor! });
    expect(ids(page2.comments)).toEqual(roots.slice(2, 4));
    const page3 = await threads(ann.client, post.id, { first: 2, after: page2.comments.pageInfo.endCursor! });
    expect(ids(page3.comments)).toEqual(roots.slice(4));
    expect(page3.comments.pageInfo.hasNextPage).toBe(false);

    const defaultReplies = await ann.client.ok<{ post: { comments: Connection<{ id: string; replies: Connection<{ id: string }> }> } }>(
      `query($id: ID!) { post(id: $id) { comments(first: 1) { edges { node { id replies { edges { node { id } } pageInfo { hasNextPage endCursor } } } } } } }`,
      { id: post.id },
    );
    const first = defaultReplies.post.comments.edges[0]!.node.replies;
    expect(ids(first)).toEqual(replies.slice(0, 3));
    expect(first.pageInfo.hasNextPage).toBe(true);

    const seen = [...ids(first)];
    let after = first.pageInfo.endCursor!;
    for (;;) {
      const next = await ann.client.ok<{ post: { comments: Connection<{ replies: Connection<{ id: string }> }> } }>(REPLIES_AFTER, {
        id: post.id,
        first: 3,
        after,
      });
      const page = next.post.comments.edges[0]!.node.replies;
      seen.push(...ids(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(replies);
  });

  it('gives each root of a page its own first replies', async () => {
    const post = await createPost(host.client);
    const expected = new Map<string, string[]>();
    for (let r = 0; r < 4; r++) {
      const root = await addComment(ann.client, { postId: post.id, body: `root ${r}` });
      const thread: string[] = [];
      for (let i = 0; i < r + 1; i++) {
        thread.push((await addComment(ben.client, { postId: post.id, parentId: thread.at(-1) ?? root.id, body: `${r}.${i}` })).id);
      }
      expected.set(root.id, thread);
    }
    const read = await threads(host.client, post.id, { replies: 2 });
    expect(read.comments.edges).toHaveLength(4);
    for (const { node } of read.comments.edges) {
      const thread = expected.get(node.id)!;
      expect(ids(node.replies)).toEqual(thread.slice(0, 2));
      expect(node.replies.pageInfo.hasNextPage).toBe(thread.length > 2);
      expect(node.replyCount).toBe(thread.length);
    }
    expect(read.commentCount).toBe(4 + 1 + 2 + 3 + 4);
  });

  it('stores comment bodies verbatim and validates them in code points', async () => {
    const post = await createPost(host.client);
    const body = '  <i>不</i> 转义 🙂\nline two\r\n';
    const comment = await addComment(ann.client, { postId: post.id, body });
    expect(comment.body).toBe(body);
    expect((await addComment(ann.client, { postId: post.id, body: '🙂'.repeat(2_000) })).body).toHaveLength(4_000);
    expectBadInput(await ann.client.request(ADD_COMMENT, { input: { postId: post.id, body: '🙂'.repeat(2_001) } }), 'input.body');
    expectBadInput(await ann.client.request(ADD_COMMENT, { input: { postId: post.id, body: ' \n ' } }), 'input.body');
    expectBadInput(await ann.client.request(ADD_COMMENT, { input: { postId: 'nope', body: 'x' } }), 'input.postId');
    expectBadInput(await ann.client.request(ADD_COMMENT, { input: { postId: post.id, parentId: 'nope', body: 'x' } }), 'input.parentId');
  });

  it('refuses a parent from another post, an unknown parent and a deleted parent', async () => {
    const post = await createPost(host.client);
    const other = await createPost(host.client);
    const elsewhere = await addComment(ann.client, { postId: other.id });
    expectBadInput(await ann.client.request(ADD_COMMENT, { input: { postId: post.id, parentId: elsewhere.id, body: 'x' } }), 'input.parentId');
    const unknown = await ann.client.request(ADD_COMMENT, {
      input: { postId: post.id, parentId: '01890a5d-ac96-774b-bcce-b302099a8057', body: 'x' },
    });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const gone = await addComment(ann.client, { postId: post.id });
    await ann.client.ok(DELETE_COMMENT, { id: gone.id });
    expectBadInput(await ben.client.request(ADD_COMMENT, { input: { postId: post.id, parentId: gone.id, body: 'x' } }), 'input.parentId');
  });

  it('hides the comments of posts the viewer cannot see: adding is NOT_FOUND, reading is null', async () => {
    const draft = await createPost(host.client, { publish: false });
    const hidden = await createPost(host.client, { visibility: 'PRIVATE' });
    const deleted = await createPost(host.client);
    const early = await addComment(ann.client, { postId: deleted.id });
    await host.client.ok(DELETE_POST, { id: deleted.id });
    for (const id of [draft.id, hidden.id, deleted.id]) {
      expect(errorCode(await ann.client.request(ADD_COMMENT, { input: { postId: id, body: 'x' } }))).toBe('NOT_FOUND');
      expect((await ann.client.ok<PostWithComments>(THREADS, { id })).post).toBeNull();
    }
    expect(errorCode(await ann.client.request(DELETE_COMMENT, { id: early.id }))).toBe('NOT_FOUND');
    // The author may comment on their private post, not on a draft.
    expect((await addComment(host.client, { postId: hidden.id })).post.id).toBe(hidden.id);
    expectBadInput(await host.client.request(ADD_COMMENT, { input: { postId: draft.id, body: 'x' } }), 'input.postId');
  });

  it('hides the comments of a post that turns private from everyone else', async () => {
    const post = await createPost(host.client);
    const comment = await addComment(ann.client, { postId: post.id });
    await host.client.ok(UPDATE_POST, { id: post.id, input: { visibility: 'PRIVATE' } });
    expect((await ann.client.ok<PostWithComments>(THREADS, { id: post.id })).post).toBeNull();
    expect(errorCode(await ann.client.request(DELETE_COMMENT, { id: comment.id }))).toBe('NOT_FOUND');
    expect(ids((await threads(host.client, post.id)).comments)).toEqual([comment.id]);
  });
});

describe('deleteComment', () => {
  it('leaves a placeholder: empty body, no author, isDeleted, and keeps the replies', async () => {
    const post = await createPost(host.client);
    const root = await addComment(ann.client, { postId: post.id, body: 'to be deleted' });
    const reply = await addComment(ben.client, { postId: post.id, parentId: root.id, body: 'still here' });
    expect((await ann.client.ok<{ deleteComment: boolean }>(DELETE_COMMENT, { id: root.id })).deleteComment).toBe(true);

    const read = await threads(ben.client, post.id);
    const placeholder = read.comments.edges[0]!.node;
    expect(placeholder).toMatchObject({ id: root.id, isDeleted: true, body: '', author: null, pseudonym: null });
    expect(ids(placeholder.replies)).toEqual([reply.id]);
    expect(placeholder.replies.edges[0]!.node).toMatchObject({ body: 'still here', isDeleted: false, parent: { id: root.id } });
    expect(read.commentCount).toBe(1);
    expect(placeholder.replyCount).toBe(1);
    // Deleting again changes nothing.
    expect((await ann.client.ok<{ deleteComment: boolean }>(DELETE_COMMENT, { id: root.id })).deleteComment).toBe(true);
    expect((await threads(ben.client, post.id)).commentCount).toBe(1);
  });

  it('lets the post’s author delete any comment on it, and nobody else but the comment’s author', async () => {
    const post = await createPost(host.client);
    const root = await addComment(ann.client, { postId: post.id });
    const reply = await addComment(ann.client, { postId: post.id, parentId: root.id, anonymous: true });
    expect(errorCode(await ben.client.request(DELETE_COMMENT, { id: root.id }))).toBe('FORBIDDEN');
    expect(errorCode(await ben.client.request(DELETE_COMMENT, { id: reply.id }))).toBe('FORBIDDEN');
    expect(errorCode(await plaza.client().request(DELETE_COMMENT, { id: root.id }))).toBe('UNAUTHENTICATED');
    expect((await host.client.ok<{ deleteComment: boolean }>(DELETE_COMMENT, { id: reply.id })).deleteComment).toBe(true);
    const read = await threads(ann.client, post.id);
    expect(read.comments.edges[0]!.node.replyCount).toBe(0);
    expect(read.comments.edges[0]!.node.replies.edges[0]!.node).toMatchObject({ id: reply.id, isDeleted: true, pseudonym: null, body: '' });
    expect(read.commentCount).toBe(1);
    expect(errorCode(await ann.client.request(DELETE_COMMENT, { id: '01890a5d-ac96-774b-bcce-b302099a8057' }))).toBe('NOT_FOUND');
    expectBadInput(await ann.client.request(DELETE_COMMENT, { id: 'x' }), 'id');
  });

  it('keeps commentCount and replyCount exact under concurrent comments and deletions', async () => {
    const post = await createPost(host.client);
    const root = await addComment(ann.client, { postId: post.id });
    const added = await Promise.all(
      Array.from({ length: 12 }, (_, i) => addComment(i % 2 ? ann.client : ben.client, { postId: post.id, parentId: root.id, body: `r${i}` })),
    );
    await Promise.all(added.slice(0, 5).map((c) => host.client.ok(DELETE_COMMENT, { id: c.id })));
    const read = await threads(ann.client, post.id, { replies: 20 });
    expect(read.commentCount).toBe(1 + 12 - 5);
    expect(read.comments.edges[0]!.node.replyCount).toBe(12 - 5);
    expect(read.comments.edges[0]!.node.replies.edges).toHaveLength(12);
    const post2 = await ann.client.ok<{ post: PostShape }>(GET_POST, { id: post.id });
    expect(post2.post.commentCount).toBe(8);
  });
});

describe('comment pages', () => {
  it('refuses first above 100 and malformed cursors on comments and replies', async () => {
    const post = await createPost(host.client);
    await addComment(ann.client, { postId: post.id });
    expectBadInput(await ann.client.request(THREADS, { id: post.id, first: 101 }), 'first');
    expectBadInput(await ann.client.request(THREADS, { id: post.id, replies: 101 }), 'first');
    expectBadInput(await ann.client.request(THREADS, { id: post.id, after: 'bad' }), 'after');
    expectBadInput(await ann.client.request(REPLIES_AFTER, { id: post.id, first: 3, after: 'bad' }), 'after');
  });
});
