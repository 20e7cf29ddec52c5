import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startPlaza, type Plaza, type TestUser } from '../src/index.js';
import { addComment, ADD_COMMENT, createPost, DELETE_COMMENT, type CommentShape, type Connection } from './content-fixtures.js';

let plaza: Plaza;
let host: TestUser;
let users: TestUser[];

/** The fixed order of pseudonyms after the host's 洞主. */
const NAMES = [
  'Alice', 'Bob', 'Carol', 'Dave', 'Eve', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj',
  'Olivia', 'Peggy', 'Quentin', 'Rupert', 'Sybil', 'Trent', 'Uma', 'Victor', 'Walter', 'Xavier', 'Yolanda', 'Zoe',
  'Angry Alice', 'Angry Bob', 'Angry Carol', 'Angry Dave', 'Angry Eve', 'Angry Frank', 'Angry Grace', 'Angry Heidi',
];

/** Registers users a few at a time: password hashing is deliberately slow. */
async function registerMany(n: number): Promise<TestUser[]> {
  const out: TestUser[] = [];
  while (out.length < n) {
    const batch = Math.min(6, n - out.length);
    out.push(...(await Promise.all(Array.from({ length: batch }, () => registerUser(plaza.client(), { prefix: 'ps' })))));
  }
  return out;
}

beforeAll(async () => {
  // A larger pool than the default 3, so that many first comments really run in Postgres at once.
  plaza = await startPlaza({ env: { PG_POOL_MAX: '10' } });
  const registered = await registerMany(33);
  host = registered[0]!;
  users = registered.slice(1);
}, 120_000);
afterAll(async () => {
  await plaza?.close();
});

const LIGHT_FIELDS = 'id body isDeleted isAnonymous pseudonym author { id }';
const ROOTS = `query($id: ID!) { post(id: $id) { comments(first: 100) { edges { node { ${LIGHT_FIELDS} } } } } }`;

type LightComment = Pick<CommentShape, 'id' | 'body' | 'isDeleted' | 'isAnonymous' | 'pseudonym' | 'author'>;

/** A post's root comments (the tests below write roots only). */
async function rootComments(postId: string): Promise<LightComment[]> {
  const data = await host.client.ok<{ post: { comments: Connection<LightComment> } }>(ROOTS, { id: postId });
  return data.post.comments.edges.map((e) => e.node);
}

describe('pseudonyms', () => {
  it('names anonymous commenters Alice, Bob, Carol in order of their first anonymous comment, stable per post', async () => {
    const post = await createPost(host.client);
    const [u1, u2, u3] = users as [TestUser, TestUser, TestUser];
    const a = await addComment(u1.client, { postId: post.id, anonymous: true });
    const b = await addComment(u2.client, { postId: post.id, anonymous: true, parentId: a.id });
    const a2 = await addComment(u1.client, { postId: post.id, anonymous: true });
    const named = await addComment(u3.client, { postId: post.id });
    const c = await addComment(u3.client, { postId: post.id, anonymous: true, parentId: b.id });
    expect([a.pseudonym, b.pseudonym, a2.pseudonym, c.pseudonym]).toEqual(['Alice', 'Bob', 'Alice', 'Carol']);
    expect([a, b, a2, c].every((x) => x.isAnonymous && x.author === null)).toBe(true);
    expect(named).toMatchObject({ isAnonymous: false, pseudonym: null, author: { id: u3.id } });
    expect(a.viewerIsAuthor).toBe(true);
  });

  it('always gives the post’s author 洞主, whenever they first comment anonymously', async () => {
    const post = await createPost(host.client);
    const [u1, u2] = users as [TestUser, TestUser];
    const first = await addComment(u1.client, { postId: post.id, anonymous: true });
    const own = await addComment(host.client, { postId: post.id, anonymous: true, parentId: first.id });
    const second = await addComment(u2.client, { postId: post.id, anonymous: true });
    expect([first.pseudonym, own.pseudonym, second.pseudonym]).toEqual(['Alice', '洞主', 'Bob']);
    // The author's post can be anonymous too: the host is still 洞主.
    const hollow = await createPost(host.client, { anonymous: true });
    expect((await addComment(host.client, { postId: hollow.id, anonymous: true })).pseudonym).toBe('洞主');
    expect((await addComment(u1.client, { postId: hollow.id, anonymous: true })).pseudonym).toBe('Alice');
  });

  it('keeps pseudonyms per post: one user may be Alice here and Bob there', async () => {
    const [p1, p2] = [await createPost(host.client), await createPost(host.client)];
    const [u1, u2] = users as [TestUser, TestUser];
    expect((await addComment(u1.client, { postId: p1.id, anonymous: true })).pseudonym).toBe('Alice');
    expect((await addComment(u2.client, { postId: p2.id, anonymous: true })).pseudonym).toBe('Alice');
    expect((await addComment(u1.client, { postId: p2.id, anonymous: true })).pseudonym).toBe('Bob');
  });

  it('hides a deleted comment’s pseudonym, and the user keeps it for their next comment', async () => {
    const post = await createPost(host.client);
    const [u1, u2] = users as [TestUser, TestUser];
    const first = await addComment(u1.client, { postId: post.id, anonymous: true });
    await u1.client.ok(DELETE_COMMENT, { id: first.id });
    await addComment(u2.client, { postId: post.id, anonymous: true });
    const again = await addComment(u1.client, { postId: post.id, anonymous: true });
    expect(again.pseudonym).toBe('Alice');
    const deleted = (await rootComments(post.id)).find((c) => c.id === first.id)!;
    expect(deleted).toMatchObject({ isDeleted: true, pseudonym: null, author: null, body: '' });
  });

  it('gives dozens of users commenting at once, and one user commenting several times at once, one distinct pseudonym each', async () => {
    const post = await createPost(host.client);
    const crowd = users.slice(0, 30);
    const eager = users[30]!;
    const requests = [
      ...crowd.map((u, i) => ({ user: u, parentId: undefined as string | undefined, body: `first from ${i}` })),
      ...Array.from({ length: 6 }, (_, i) => ({ user: eager, parentId: undefined as string | undefined, body: `eager ${i}` })),
      ...Array.from({ length: 3 }, (_, i) => ({ user: host, parentId: undefined as string | undefined, body: `host ${i}` })),
    ];
    const results = await Promise.all(
      requests.map((r) => r.user.client.request<{ addComment: CommentShape }>(ADD_COMMENT, { input: { postId: post.id, body: r.body, anonymous: true } })),
    );
    expect(results.map((r) => r.errors)).toEqual(results.map(() => undefined));

    const byUser = new Map<string, Set<string>>();
    results.forEach((r, i) => {
      const userId = requests[i]!.user.id;
      const names = byUser.get(userId) ?? new Set<string>();
      names.add(r.data!.addComment.pseudonym!);
      byUser.set(userId, names);
    });
    // Exactly one pseudonym per user...
    for (const names of byUser.values()) expect(names.size).toBe(1);
    const assigned = [...byUser.entries()].map(([userId, names]) => ({ userId, name: [...names][0]! }));
    // ...no two users share one...
    expect(new Set(assigned.map((a) => a.name)).size).toBe(assigned.length);
    // ...the host is 洞主, and the others hold exactly the first 31 names of the list, none skipped.
    expect(assigned.find((a) => a.userId === host.id)?.name).toBe('洞主');
    const others = assigned.filter((a) => a.userId !== host.id).map((a) => a.name);
    expect(others.sort()).toEqual(NAMES.slice(0, 31).sort());

    // Reading back: every comment kept its author's pseudonym.
    const stored = await rootComments(post.id);
    expect(stored).toHaveLength(requests.length);
    const storedNames = new Map(results.map((r) => [r.data!.addComment.id, r.data!.addComment.pseudonym]));
    for (const c of stored) expect(c.pseudonym).toBe(storedNames.get(c.id));
  });
});
