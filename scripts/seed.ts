import { pathToFileURL } from 'node:url';

/**
 * Demo data, written through the public API (so every subgraph's rules and events apply):
 * a few accounts, posts in Chinese and English with tags, threaded comments, some anonymous;
 * follows (alice, xiaoming and lihua are friends), likes, bookmarks and views, so that feeds and the
 * hot list have something to show; a short chat between alice and xiaoming.
 * Idempotent: accounts that exist are signed into; posts are written once; follows, likes,
 * bookmarks and messages (with a clientMessageId) are idempotent themselves.
 */
export const DEMO_PASSWORD = 'plaza-demo-2026';

const USERS = [
  { username: 'alice', displayName: 'Alice' },
  { username: 'xiaoming', displayName: '小明' },
  { username: 'lihua', displayName: '李华' },
  { username: 'bob', displayName: 'Bob' },
];

type Gql = <T>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<T>;

function client(url: string): Gql {
  return async <T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length || !body.data) {
      const err = new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`);
      Object.assign(err, { code: body.errors?.[0]?.extensions?.code });
      throw err;
    }
    return body.data;
  };
}

async function signIn(gql: Gql, username: string, displayName: string): Promise<{ id: string; token: string }> {
  try {
    const { register } = await gql<{ register: { accessToken: string; user: { id: string } } }>(
      'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }',
      { i: { username, password: DEMO_PASSWORD, displayName } },
    );
    return { id: register.user.id, token: register.accessToken };
  } catch (err) {
    if ((err as { code?: string }).code !== 'CONFLICT') throw err;
    const { login } = await gql<{ login: { accessToken: string; user: { id: string } } }>(
      'mutation($i: LoginInput!) { login(input: $i) { accessToken user { id } } }',
      { i: { username, password: DEMO_PASSWORD } },
    );
    return { id: login.user.id, token: login.accessToken };
  }
}

interface PostSeed {
  by: string;
  title: string;
  body: string;
  tags: string[];
  anonymous?: boolean;
  comments?: { by: string; body: string; anonymous?: boolean; replies?: { by: string; body: string; anonymous?: boolean }[] }[];
}

const POSTS: PostSeed[] = [
  {
    by: 'xiaoming',
    title: '图书馆三楼的自习室太安静了',
    body: '今天在图书馆三楼自习，安静到能听见翻书的声音。推荐给期末周复习的同学！📚',
    tags: ['自习', '图书馆', '期末'],
    comments: [
      { by: 'lihua', body: '三楼靠窗的位置最好，就是要早点去占座。', replies: [{ by: 'xiaoming', body: '对！八点前去基本都有位置。' }] },
      { by: 'bob', body: 'Is it open on weekends too?' },
    ],
  },
  {
    by: 'alice',
    title: 'Weekend hike: West Lake loop',
    body: 'Did the full West Lake loop this morning, about 15 km. Best light around 7am.\nBring water!',
    tags: ['hiking', 'travel', '杭州'],
    comments: [{ by: 'xiaoming', body: '周末一起去吗？', replies: [{ by: 'alice', body: 'Sure, Saturday at 7?' }] }],
  },
  {
    by: 'lihua',
    title: '有没有人觉得食堂的麻辣烫涨价了',
    body: '上学期还是 12 块，这学期变成 15 块了……',
    tags: ['食堂', '吐槽'],
    anonymous: true,
    comments: [
      { by: 'bob', body: '同感，分量也少了。', anonymous: true, replies: [{ by: 'lihua', body: '楼主本人来回复一下：确实少了。', anonymous: true }] },
      { by: 'alice', body: '二食堂的还是 12 块！', anonymous: true },
    ],
  },
  {
    by: 'bob',
    title: 'GraphQL federation notes',
    body: 'Notes from building a federated graph: keep entities small, batch everything with DataLoader, and compose in CI.',
    tags: ['graphql', 'backend', 'notes'],
  },
  {
    by: 'alice',
    title: '树洞：毕业论文还没开始写',
    body: '距离截止还有一个月，一个字都没写。有没有同样焦虑的人？',
    tags: ['树洞', '毕业'],
    anonymous: true,
    comments: [{ by: 'xiaoming', body: '抱抱，先从文献综述开始吧。', anonymous: true }],
  },
];

export async function seedDemo(url: string): Promise<{ usernames: string[]; password: string; posts: number }> {
  const gql = client(url);
  const accounts = new Map<string, { id: string; token: string }>();
  for (const u of USERS) accounts.set(u.username, await signIn(gql, u.username, u.displayName));
  const account = (name: string) => {
    const a = accounts.get(name);
    if (!a) throw new Error(`seed: unknown demo user ${name}`);
    return a;
  };

  // Written once: bob's public post marks a seeded database.
  const { posts } = await gql<{ posts: { edges: unknown[] } }>(
    'query($a: ID!) { posts(first: 1, authorId: $a) { edges { cursor } } }',
    { a: account('bob').id },
  );
  const written = posts.edges.length > 0 ? 0 : await writePosts(gql, account);
  await writeSocial(gql, account);
  return { usernames: [...accounts.keys()], password: DEMO_PASSWORD, posts: written };
}

type Account = (name: string) => { id: string; token: string };

async function writePosts(gql: Gql, account: Account): Promise<number> {
  for (const p of POSTS) {
    const { createPost } = await gql<{ createPost: { id: string } }>(
      'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }',
      { i: { title: p.title, body: p.body, tags: p.tags, anonymous: p.anonymous ?? false } },
      account(p.by).token,
    );
    for (const c of p.comments ?? []) {
      const { addComment } = await gql<{ addComment: { id: string } }>(
        'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
        { i: { postId: createPost.id, body: c.body, anonymous: c.anonymous ?? false } },
        account(c.by).token,
      );
      for (const r of c.replies ?? []) {
        await gql(
          'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
          { i: { postId: createPost.id, parentId: addComment.id, body: r.body, anonymous: r.anonymous ?? false } },
          account(r.by).token,
        );
      }
    }
  }
  return POSTS.length;
}

/** Who follows whom: pairs both ways are friends (and may chat). */
const FOLLOWS: [string, string][] = [
  ['alice', 'xiaoming'], ['xiaoming', 'alice'],
  ['xiaoming', 'lihua'], ['lihua', 'xiaoming'],
  ['lihua', 'alice'], ['alice', 'lihua'],
  ['bob', 'alice'], ['bob', 'xiaoming'],
];

const CHAT: { from: string; to: string; body: string }[] = [
  { from: 'xiaoming', to: 'alice', body: '周六西湖走起？' },
  { from: 'alice', to: 'xiaoming', body: 'Sure! 7am at 断桥?' },
  { from: 'xiaoming', to: 'alice', body: '好，不见不散 👋' },
];

/**
 * Social learns of new users and posts, and messaging of new friendships, from Kafka events within
 * about a second: until then they answer NOT_FOUND (or FORBIDDEN for a message). Retry for 10 s.
 */
async function eventually<T>(write: () => Promise<T>, codes: readonly string[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!codes.includes((err as { code?: string }).code ?? '') || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function writeSocial(gql: Gql, account: Account): Promise<void> {
  for (const [from, to] of FOLLOWS) {
    await eventually(() => gql('mutation($u: ID!) { follow(userId: $u) { id } }', { u: account(to).id }, account(from).token), ['NOT_FOUND']);
  }
  // Every demo account likes and views the others' public posts; some are bookmarked too.
  const names = USERS.map((u) => u.username);
  const byAuthor = new Map<string, string[]>();
  for (const name of names) {
    const { posts } = await gql<{ posts: { edges: { node: { id: string } }[] } }>(
      'query($a: ID!) { posts(first: 20, authorId: $a) { edges { node { id } } } }',
      { a: account(name).id },
    );
    byAuthor.set(name, posts.edges.map((e) => e.node.id));
  }
  for (const reader of names) {
    for (const [author, ids] of byAuthor) {
      if (author === reader) continue;
      for (const postId of ids) {
        await eventually(() => gql('mutation($p: ID!) { recordView(postId: $p) }', { p: postId }, account(reader).token), ['NOT_FOUND']);
        if (reader !== 'bob' || author === 'alice') {
          await gql('mutation($p: ID!) { likePost(postId: $p) { id } }', { p: postId }, account(reader).token);
        }
        if (reader === 'xiaoming') {
          await gql('mutation($p: ID!) { bookmarkPost(postId: $p) { id } }', { p: postId }, account(reader).token);
        }
      }
    }
  }
  // Messaging learns of the friendships from social's events within about a second: retry until then.
  for (const [i, m] of CHAT.entries()) {
    const input = { toUserId: account(m.to).id, body: m.body, clientMessageId: `demo-chat-${i}` };
    await eventually(
      () => gql('mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }', { i: input }, account(m.from).token),
      ['FORBIDDEN'],
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.argv[2] ?? 'http://localhost:4000/graphql';
  seedDemo(url).then(
    (r) => console.log(`seed: ${r.usernames.length} accounts, ${r.posts} new posts (password "${r.password}")`),
    (err: unknown) => {
      console.error('seed failed:', err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
