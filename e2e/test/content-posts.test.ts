import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, GraphQLClient, registerUser, startPlaza, type Plaza, type TestUser } from '../src/index.js';
import {
  addComment,
  createPost,
  CREATE_POST,
  decodeCursor,
  DELETE_POST,
  expectBadInput,
  GET_POST,
  listPosts,
  LIST_POSTS,
  PUBLISH_POST,
  uniqueTag,
  UPDATE_POST,
  type Connection,
  type PostShape,
} from './content-fixtures.js';

let plaza: Plaza;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  plaza = await startPlaza();
  [alice, bob] = await Promise.all([registerUser(plaza.client(), { prefix: 'cp' }), registerUser(plaza.client(), { prefix: 'cp' })]);
});
afterAll(async () => {
  await plaza?.close();
});

const USER_POSTS = `query($id: ID!, $first: Int, $after: String) {
  user(id: $id) { id username postCount posts(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }
}`;
const TAG = `query($name: String!, $first: Int, $after: String) {
  tag(name: $name) { name postCount posts(first: $first, after: $after) { edges { cursor node { id tags { name } } } pageInfo { hasNextPage endCursor } } }
}`;
const DRAFTS = `query($first: Int, $after: String) {
  viewerDrafts(first: $first, after: $after) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } }
}`;

interface UserPosts {
  user: { id: string; username: string; postCount: number; posts: Connection<{ id: string }> } | null;
}
interface TagResult {
  tag: { name: string; postCount: number; posts: Connection<{ id: string; tags: { name: string }[] }> } | null;
}

const ids = (c: Connection<{ id: string }>) => c.edges.map((e) => e.node.id);

describe('createPost', () => {
  it('publishes by default, with the viewer as author and publishedAt set', async () => {
    const before = Date.now();
    const post = await createPost(alice.client, { title: 'Hello', body: 'World' });
    expect(post).toMatchObject({
      title: 'Hello',
      body: 'World',
      status: 'PUBLISHED',
      visibility: 'PUBLIC',
      isAnonymous: false,
      author: { id: alice.id },
      viewerIsAuthor: true,
      commentCount: 0,
      mediaUrls: [],
      tags: [],
    });
    expect(new Date(post.publishedAt!).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(post.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('normalises tags: trimmed, lower-cased, one leading # dropped, duplicates merged in order', async () => {
    const tag = uniqueTag('norm');
    const post = await createPost(alice.client, {
      tags: [`  #${tag.toUpperCase()} `, tag, '旅行', '#旅行', ` ${tag} `, '##double'],
      mediaUrls: ['https://img.example.com/a.jpg', 'http://img.example.com/b.png'],
    });
    expect(post.tags.map((t) => t.name)).toEqual([tag, '旅行', '#double']);
    expect(post.mediaUrls).toEqual(['https://img.example.com/a.jpg', 'http://img.example.com/b.png']);
  });

  it('keeps title and body verbatim: emoji, CJK, newlines, surrounding spaces and HTML', async () => {
    const title = '  树洞 🌳 <b>bold</b>  ';
    const body = '第一行 😀👍🏽\n\nsecond line\r\n<script>alert("x")</script> &amp; 👨‍👩‍👧\t ';
    const post = await createPost(alice.client, { title, body });
    expect(post.title).toBe(title);
    expect(post.body).toBe(body);
    const again = await bob.client.ok<{ post: PostShape }>(GET_POST, { id: post.id });
    expect(again.post.title).toBe(title);
    expect(again.post.body).toBe(body);
  });

  it('counts lengths in code points: a 100-emoji title is accepted, 101 are not', async () => {
    const ok = await createPost(alice.client, { title: '😀'.repeat(100) });
    expect([...ok.title]).toHaveLength(100);
    const res = await alice.client.request(CREATE_POST, { input: { title: '😀'.repeat(101), body: 'b' } });
    expectBadInput(res, 'input.title');
  });

  it('refuses each rule violation with BAD_USER_INPUT naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ title: '' }, 'input.title'],
      [{ title: '   \n ' }, 'input.title'],
      [{ title: 'x'.repeat(101) }, 'input.title'],
      [{ body: '' }, 'input.body'],
      [{ body: 'x'.repeat(20_001) }, 'input.body'],
      [{ tags: Array.from({ length: 11 }, (_, i) => `tag${i}`) }, 'input.tags'],
      [{ tags: ['ok', 'x'.repeat(31)] }, 'input.tags.1'],
      [{ tags: ['#'] }, 'input.tags.0'],
      [{ tags: ['   '] }, 'input.tags.0'],
      [{ mediaUrls: Array.from({ length: 10 }, (_, i) => `https://img.example.com/${i}.jpg`) }, 'input.mediaUrls'],
      [{ mediaUrls: ['ftp://img.example.com/a.jpg'] }, 'input.mediaUrls.0'],
      [{ mediaUrls: ['https://ok.example.com/a.jpg', 'javascript:alert(1)'] }, 'input.mediaUrls.1'],
      [{ mediaUrls: ['not a url'] }, 'input.mediaUrls.0'],
    ];
    for (const [input, field] of cases) {
      const res = await alice.client.request(CREATE_POST, { input: { title: 'ok', body: 'ok', ...input } });
      expectBadInput(res, field);
    }
  });

  it('accepts the limits exactly: 20,000-character body, 10 distinct tags (after merging), 9 media URLs', async () => {
    const tags = Array.from({ length: 10 }, (_, i) => `lim${i}`);
    const post = await createPost(alice.client, {
      body: '字'.repeat(20_000),
      tags: [...tags, ...tags.map((t) => `#${t.toUpperCase()}`)],
      mediaUrls: Array.from({ length: 9 }, (_, i) => `https://img.example.com/${i}.jpg`),
      publish: false,
    });
    expect([...post.body]).toHaveLength(20_000);
    expect(post.tags.map((t) => t.name)).toEqual(tags);
    expect(post.mediaUrls).toHaveLength(9);
  });

  it('needs a signed-in user for every write, and refuses an invalid token before anything runs', async () => {
    const anonymous = plaza.client();
    const post = await createPost(alice.client);
    const writes: [string, Record<string, unknown>][] = [
      [CREATE_POST, { input: { title: 't', body: 'b' } }],
      [UPDATE_POST, { id: post.id, input: { title: 't' } }],
      [PUBLISH_POST, { id: post.id }],
      [DELETE_POST, { id: post.id }],
      ['mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', { input: { postId: post.id, body: 'b' } }],
      ['mutation($id: ID!) { deleteComment(id: $id) }', { id: post.id }],
      [DRAFTS, {}],
    ];
    for (const [query, variables] of writes) {
      expect(errorCode(await anonymous.request(query, variables))).toBe('UNAUTHENTICATED');
    }
    const forged = plaza.client(`${alice.accessToken}x`);
    expect(errorCode(await forged.request(GET_POST, { id: post.id }))).toBe('UNAUTHENTICATED');
  });
});

describe('drafts and private posts', () => {
  it('keeps a draft visible to its author only, in no list, until publishPost', async () => {
    const tag = uniqueTag('draft');
    const draft = await createPost(alice.client, { tags: [tag], publish: false });
    expect(draft).toMatchObject({ status: 'DRAFT', publishedAt: null });

    expect((await alice.client.ok<{ post: PostShape }>(GET_POST, { id: draft.id })).post.id).toBe(draft.id);
    expect((await bob.client.ok<{ post: PostShape | null }>(GET_POST, { id: draft.id })).post).toBeNull();
    expect((await plaza.client().ok<{ post: PostShape | null }>(GET_POST, { id: draft.id })).post).toBeNull();
    for (const client of [alice.client, bob.client]) {
      expect(ids(await listPosts(client, { tag }))).toEqual([]);
      expect(ids(await listPosts(client, { authorId: alice.id }))).not.toContain(draft.id);
      expect((await client.ok<TagResult>(TAG, { name: tag })).tag).toBeNull();
    }
    const drafts = await alice.client.ok<{ viewerDrafts: Connection<{ id: string; status: string }> }>(DRAFTS, { first: 100 });
    expect(ids(drafts.viewerDrafts)).toContain(draft.id);
    const bobsDrafts = await bob.client.ok<{ viewerDrafts: Connection<{ id: string }> }>(DRAFTS, { first: 100 });
    expect(ids(bobsDrafts.viewerDrafts)).not.toContain(draft.id);

    const published = (await alice.client.ok<{ publishPost: PostShape }>(PUBLISH_POST, { id: draft.id })).publishPost;
    expect(published.status).toBe('PUBLISHED');
    expect(published.publishedAt).not.toBeNull();
    expect((await bob.client.ok<{ post: PostShape }>(GET_POST, { id: draft.id })).post.id).toBe(draft.id);
    expect(ids(await listPosts(bob.client, { tag }))).toEqual([draft.id]);
    expect((await bob.client.ok<TagResult>(TAG, { name: tag })).tag?.postCount).toBe(1);
    const draftsAfter = await alice.client.ok<{ viewerDrafts: Connection<{ id: string }> }>(DRAFTS, { first: 100 });
    expect(ids(draftsAfter.viewerDrafts)).not.toContain(draft.id);
  });

  it('sets publishedAt once: publishing again changes nothing', async () => {
    const draft = await createPost(alice.client, { publish: false });
    const first = (await alice.client.ok<{ publishPost: PostShape }>(PUBLISH_POST, { id: draft.id })).publishPost;
    await new Promise((r) => setTimeout(r, 20));
    const second = (await alice.client.ok<{ publishPost: PostShape }>(PUBLISH_POST, { id: draft.id })).publishPost;
    expect(second.publishedAt).toBe(first.publishedAt);
    expect(second.updatedAt).toBe(first.updatedAt);
  });

  it('keeps a published private post visible to its author only, in no list', async () => {
    const tag = uniqueTag('priv');
    const post = await createPost(alice.client, { tags: [tag], visibility: 'PRIVATE' });
    expect(post).toMatchObject({ status: 'PUBLISHED', visibility: 'PRIVATE' });
    expect((await alice.client.ok<{ post: PostShape }>(GET_POST, { id: post.id })).post.id).toBe(post.id);
    expect((await bob.client.ok<{ post: PostShape | null }>(GET_POST, { id: post.id })).post).toBeNull();
    expect(ids(await listPosts(alice.client, { tag }))).toEqual([]);
    expect(ids(await listPosts(alice.client, { authorId: alice.id, first: 100 }))).not.toContain(post.id);
    expect((await alice.client.ok<TagResult>(TAG, { name: tag })).tag).toBeNull();
  });

  it('takes a post out of every list when it turns private, and back when public again', async () => {
    const tag = uniqueTag('vis');
    const post = await createPost(alice.client, { tags: [tag] });
    expect((await bob.client.ok<TagResult>(TAG, { name: tag })).tag?.postCount).toBe(1);

    await alice.client.ok(UPDATE_POST, { id: post.id, input: { visibility: 'PRIVATE' } });
    expect((await bob.client.ok<{ post: PostShape | null }>(GET_POST, { id: post.id })).post).toBeNull();
    expect(ids(await listPosts(bob.client, { tag }))).toEqual([]);
    expect((await bob.client.ok<TagResult>(TAG, { name: tag })).tag).toBeNull();

    const back = (await alice.client.ok<{ updatePost: PostShape }>(UPDATE_POST, { id: post.id, input: { visibility: 'PUBLIC' } })).updatePost;
    expect(back.publishedAt).toBe(post.publishedAt);
    expect(ids(await listPosts(bob.client, { tag }))).toEqual([post.id]);
  });
});

describe('who may change a post', () => {
  it('lets only the author update, publish or delete a post others can see: FORBIDDEN for them', async () => {
    const post = await createPost(alice.client, { title: 'mine' });
    expect(errorCode(await bob.client.request(UPDATE_POST, { id: post.id, input: { title: 'theirs' } }))).toBe('FORBIDDEN');
    expect(errorCode(await bob.client.request(PUBLISH_POST, { id: post.id }))).toBe('FORBIDDEN');
    expect(errorCode(await bob.client.request(DELETE_POST, { id: post.id }))).toBe('FORBIDDEN');
    expect((await bob.client.ok<{ post: PostShape }>(GET_POST, { id: post.id })).post.title).toBe('mine');
  });

  it('answers NOT_FOUND, never FORBIDDEN, for posts the viewer cannot see: drafts, private, deleted, unknown', async () => {
    const draft = await createPost(alice.client, { publish: false });
    const hidden = await createPost(alice.client, { visibility: 'PRIVATE' });
    const deleted = await createPost(alice.client);
    await alice.client.ok(DELETE_POST, { id: deleted.id });
    const unknown = '01890a5d-ac96-774b-bcce-b302099a8057';
    for (const id of [draft.id, hidden.id, deleted.id, unknown]) {
      const update = await bob.client.request(UPDATE_POST, { id, input: { title: 'x' } });
      expect(errorCode(update)).toBe('NOT_FOUND');
      expect(errorCode(await bob.client.request(PUBLISH_POST, { id }))).toBe('NOT_FOUND');
      expect(errorCode(await bob.client.request(DELETE_POST, { id }))).toBe('NOT_FOUND');
      expect(update.raw).not.toContain(alice.id);
    }
  });

  it('refuses malformed ids with BAD_USER_INPUT naming the argument', async () => {
    expectBadInput(await bob.client.request(GET_POST, { id: 'not-an-id' }), 'id');
    expectBadInput(await bob.client.request(UPDATE_POST, { id: '123', input: { title: 'x' } }), 'id');
    expectBadInput(await bob.client.request(DELETE_POST, { id: 'x' }), 'id');
    expectBadInput(await bob.client.request(LIST_POSTS, { authorId: 'nope' }), 'authorId');
  });
});

describe('updatePost', () => {
  it('changes only the given fields, re-normalises tags, moves tag lists, and bumps updatedAt', async () => {
    const [oldTag, newTag] = [uniqueTag('old'), uniqueTag('new')];
    const post = await createPost(alice.client, { title: 'before', body: 'body stays', tags: [oldTag], mediaUrls: ['https://a.example/1.jpg'] });
    await new Promise((r) => setTimeout(r, 5));
    const updated = (
      await alice.client.ok<{ updatePost: PostShape }>(UPDATE_POST, {
        id: post.id,
        input: { title: 'after ✨', tags: [` #${newTag.toUpperCase()}`, newTag] },
      })
    ).updatePost;
    expect(updated).toMatchObject({ title: 'after ✨', body: 'body stays', mediaUrls: ['https://a.example/1.jpg'], publishedAt: post.publishedAt });
    expect(updated.tags.map((t) => t.name)).toEqual([newTag]);
    expect(new Date(updated.updatedAt).getTime()).toBeGreaterThan(new Date(post.updatedAt).getTime());
    expect(ids(await listPosts(bob.client, { tag: oldTag }))).toEqual([]);
    expect(ids(await listPosts(bob.client, { tag: newTag }))).toEqual([post.id]);

    const cleared = (await alice.client.ok<{ updatePost: PostShape }>(UPDATE_POST, { id: post.id, input: { tags: [], mediaUrls: [] } })).updatePost;
    expect(cleared.tags).toEqual([]);
    expect(cleared.mediaUrls).toEqual([]);
    expect(ids(await listPosts(bob.client, { tag: newTag }))).toEqual([]);
  });

  it('validates updates like creation', async () => {
    const post = await createPost(alice.client);
    expectBadInput(await alice.client.request(UPDATE_POST, { id: post.id, input: { title: '' } }), 'input.title');
    expectBadInput(await alice.client.request(UPDATE_POST, { id: post.id, input: { body: 'x'.repeat(20_001) } }), 'input.body');
    expectBadInput(await alice.client.request(UPDATE_POST, { id: post.id, input: { mediaUrls: ['file:///etc/passwd'] } }), 'input.mediaUrls.0');
  });
});

describe('deletePost', () => {
  it('removes the post from every read path, for its author too', async () => {
    const tag = uniqueTag('del');
    const author = await registerUser(plaza.client(), { prefix: 'cpd' });
    const post = await createPost(author.client, { tags: [tag] });
    const keep = await createPost(author.client, { tags: [tag] });
    expect((await bob.client.ok<TagResult>(TAG, { name: tag })).tag?.postCount).toBe(2);

    expect((await author.client.ok<{ deletePost: boolean }>(DELETE_POST, { id: post.id })).deletePost).toBe(true);

    for (const client of [author.client, bob.client, plaza.client()]) {
      expect((await client.ok<{ post: PostShape | null }>(GET_POST, { id: post.id })).post).toBeNull();
      expect(ids(await listPosts(client, { tag }))).toEqual([keep.id]);
      expect(ids(await listPosts(client, { authorId: author.id }))).toEqual([keep.id]);
      const tagged = (await client.ok<TagResult>(TAG, { name: tag })).tag;
      expect(tagged?.postCount).toBe(1);
      expect(ids(tagged!.posts)).toEqual([keep.id]);
      const user = (await client.ok<UserPosts>(USER_POSTS, { id: author.id })).user;
      expect(user?.postCount).toBe(1);
      expect(ids(user!.posts)).toEqual([keep.id]);
    }
    const latest = await listPosts(bob.client, { first: 100 });
    expect(ids(latest)).not.toContain(post.id);
    expect(errorCode(await author.client.request(DELETE_POST, { id: post.id }))).toBe('NOT_FOUND');
    expect(errorCode(await author.client.request(UPDATE_POST, { id: post.id, input: { title: 'x' } }))).toBe('NOT_FOUND');
  });
});

describe('lists', () => {
  it('lists published public posts newest first, filtered by tag and by author', async () => {
    const tag = uniqueTag('list');
    const a1 = await createPost(alice.client, { tags: [tag] });
    const b1 = await createPost(bob.client, { tags: [tag] });
    const a2 = await createPost(alice.client, { tags: [tag, uniqueTag('other')] });
    const a3 = await createPost(alice.client);
    await createPost(alice.client, { tags: [tag], publish: false });

    expect(ids(await listPosts(bob.client, { tag }))).toEqual([a2.id, b1.id, a1.id]);
    expect(ids(await listPosts(bob.client, { tag, authorId: alice.id }))).toEqual([a2.id, a1.id]);
    expect(ids(await listPosts(bob.client, { tag: `  #${tag.toUpperCase()}` }))).toEqual([a2.id, b1.id, a1.id]);
    const byAlice = ids(await listPosts(bob.client, { authorId: alice.id, first: 100 }));
    expect(byAlice.slice(0, 3)).toEqual([a3.id, a2.id, a1.id]);

    // The latest list: our posts in order, and the whole page newest first.
    const latest = await listPosts(bob.client, { first: 100 });
    const times = latest.edges.map((e) => new Date(e.node.publishedAt!).getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const ours = ids(latest).filter((id) => [a1.id, b1.id, a2.id, a3.id].includes(id));
    expect(ours).toEqual([a3.id, a2.id, b1.id, a1.id]);
    expect(latest.edges.every((e) => e.node.status === 'PUBLISHED' && e.node.visibility === 'PUBLIC')).toBe(true);
  });

  it('pages with keyset cursors that hold no author id', async () => {
    const tag = uniqueTag('page');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await createPost(alice.client, { tags: [tag] })).id);
    const newestFirst = [...made].reverse();

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listPosts(bob.client, { tag, first: 2, after });
      seen.push(...ids(page));
      for (const edge of page.edges) expect(decodeCursor(edge.cursor)).not.toContain(alice.id);
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(newestFirst);

    const byAuthor = await plaza.client().ok<UserPosts>(USER_POSTS, { id: alice.id, first: 2 });
    expect(byAuthor.user?.posts.pageInfo.hasNextPage).toBe(true);
    expect(byAuthor.user?.username).toBe(alice.username);
  });

  it('keeps pages correct while newer posts are inserted between page requests: no duplicate, no skip', async () => {
    const tag = uniqueTag('ins');
    const original: string[] = [];
    for (let i = 0; i < 7; i++) original.push((await createPost(alice.client, { tags: [tag] })).id);

    const seen: string[] = [];
    const inserted: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listPosts(bob.client, { tag, first: 2, after });
      seen.push(...ids(page));
      // Two newer posts arrive before every next page request.
      for (let i = 0; i < 2; i++) inserted.push((await createPost(bob.client, { tags: [tag] })).id);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual([...original].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    // The new posts are all at the top of a fresh first page.
    const fresh = await listPosts(bob.client, { tag, first: inserted.length });
    expect(ids(fresh)).toEqual([...inserted].reverse());
  });

  it('refuses first above 100 or below 0 and malformed or foreign cursors with BAD_USER_INPUT', async () => {
    expectBadInput(await bob.client.request(LIST_POSTS, { first: 101 }), 'first');
    expectBadInput(await bob.client.request(LIST_POSTS, { first: -1 }), 'first');
    expect((await bob.client.ok<{ posts: Connection<PostShape> }>(LIST_POSTS, { first: 100 })).posts.edges.length).toBeLessThanOrEqual(100);
    expectBadInput(await bob.client.request(LIST_POSTS, { after: 'garbage' }), 'after');
    expectBadInput(await bob.client.request(LIST_POSTS, { after: Buffer.from('[1,"post","x","y"]').toString('base64url') }), 'after');
    const foreign = Buffer.from(JSON.stringify([1, 'comment', new Date().toISOString(), alice.id])).toString('base64url');
    expectBadInput(await bob.client.request(LIST_POSTS, { after: foreign }), 'after');
    expectBadInput(await bob.client.request(USER_POSTS, { id: alice.id, first: 500 }), 'first');
    expectBadInput(await bob.client.request(LIST_POSTS, { tag: '  # ' }), 'tag');
    const zero = (await bob.client.ok<{ posts: Connection<PostShape> }>(LIST_POSTS, { first: 0 })).posts;
    expect(zero.edges).toEqual([]);
  });

  it('answers tag(name) with the normalised name, its count of listed posts, and its posts', async () => {
    const tag = uniqueTag('tagq');
    const p1 = await createPost(alice.client, { tags: [tag, '共同'] });
    const p2 = await createPost(bob.client, { tags: [`#${tag}`] });
    await createPost(alice.client, { tags: [tag], visibility: 'PRIVATE' });
    const res = await plaza.client().ok<TagResult>(TAG, { name: ` #${tag.toUpperCase()} `, first: 1 });
    expect(res.tag).toMatchObject({ name: tag, postCount: 2 });
    expect(ids(res.tag!.posts)).toEqual([p2.id]);
    const next = await plaza.client().ok<TagResult>(TAG, { name: tag, after: res.tag!.posts.pageInfo.endCursor });
    expect(ids(next.tag!.posts)).toEqual([p1.id]);
    expect((await plaza.client().ok<TagResult>(TAG, { name: uniqueTag('never') })).tag).toBeNull();
    expect((await plaza.client().ok<TagResult>(TAG, { name: '#' })).tag).toBeNull();
    expect((await plaza.client().ok<{ post: { tags: { name: string; postCount: number }[] } }>(
      `query($id: ID!) { post(id: $id) { tags { name postCount } } }`, { id: p2.id })).post.tags).toEqual([{ name: tag, postCount: 2 }]);
  });

  it('resolves User.posts and User.postCount through the gateway, next to identity fields', async () => {
    const author = await registerUser(plaza.client(), { prefix: 'cpu' });
    const p1 = await createPost(author.client);
    const p2 = await createPost(author.client);
    await createPost(author.client, { publish: false });
    await createPost(author.client, { visibility: 'PRIVATE' });
    const res = await bob.client.ok<UserPosts>(USER_POSTS, { id: author.id });
    expect(res.user).toMatchObject({ id: author.id, username: author.username, postCount: 2 });
    expect(ids(res.user!.posts)).toEqual([p2.id, p1.id]);
    const viewer = await author.client.ok<{ viewer: { postCount: number; posts: Connection<{ id: string }> } }>(
      `{ viewer { postCount posts { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
    );
    expect(viewer.viewer.postCount).toBe(2);
    const withAuthor = await bob.client.ok<{ post: { author: { id: string; username: string; postCount: number } } }>(
      `query($id: ID!) { post(id: $id) { author { id username postCount } } }`,
      { id: p1.id },
    );
    expect(withAuthor.post.author).toEqual({ id: author.id, username: author.username, postCount: 2 });
  });
});

describe('entities for other subgraphs', () => {
  const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) {
    ... on Post { id title author { id } } ... on Comment { id body } ... on Tag { name postCount } } }`;
  type Entity = { id?: string; title?: string; author?: { id: string } | null; body?: string; name?: string; postCount?: number } | null;

  /** What the gateway would send the content subgraph on a viewer's behalf. */
  const subgraph = (user?: TestUser) => new GraphQLClient(plaza.subgraphUrls.content!, user?.accessToken);

  it('resolves Post, Comment and Tag references with the same visibility rules as every read path', async () => {
    const tag = uniqueTag('ent');
    const open = await createPost(alice.client, { tags: [tag] });
    const draft = await createPost(alice.client, { publish: false });
    const hidden = await createPost(alice.client, { visibility: 'PRIVATE' });
    const hollow = await createPost(alice.client, { anonymous: true });
    const deleted = await createPost(alice.client);
    const onOpen = await addComment(bob.client, { postId: open.id, body: 'visible' });
    const onHidden = await addComment(alice.client, { postId: hidden.id, body: 'hidden' });
    await alice.client.ok(DELETE_POST, { id: deleted.id });
    const reps = [
      { __typename: 'Post', id: open.id },
      { __typename: 'Post', id: draft.id },
      { __typename: 'Post', id: hidden.id },
      { __typename: 'Post', id: hollow.id },
      { __typename: 'Post', id: deleted.id },
      { __typename: 'Post', id: 'not-an-id' },
      { __typename: 'Comment', id: onOpen.id },
      { __typename: 'Comment', id: onHidden.id },
      { __typename: 'Tag', name: ` #${tag.toUpperCase()}` },
    ];
    const forBob = await subgraph(bob).ok<{ _entities: Entity[] }>(ENTITIES, { reps });
    expect(forBob._entities).toEqual([
      { id: open.id, title: 'A title', author: { id: alice.id } },
      null,
      null,
      { id: hollow.id, title: 'A title', author: null },
      null,
      null,
      { id: onOpen.id, body: 'visible' },
      null,
      { name: tag, postCount: 1 },
    ]);
    const forAlice = await subgraph(alice).ok<{ _entities: Entity[] }>(ENTITIES, { reps });
    expect(forAlice._entities.map((e) => e?.id ?? e?.name ?? null)).toEqual([
      open.id, draft.id, hidden.id, hollow.id, null, null, onOpen.id, onHidden.id, tag,
    ]);
    expect(forAlice._entities[3]).toMatchObject({ author: { id: alice.id } });
  });
});
