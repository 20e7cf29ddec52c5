import pg from 'pg';
import { post } from '../processes.js';
import { BENCH_PASSWORD, countComments, SEED_VERSION, type DataSet } from './dataset.js';
import type { SeededGraph } from './operations.js';

/**
 * Seeds the data set through a running gateway's public API (so every subgraph's rules and events
 * apply), and remembers what it wrote in the benchmark database (table public.bench_seed), so
 * later runs reuse it: they only sign the users in again for fresh tokens.
 */

interface GqlError {
  message: string;
  extensions?: { code?: string };
}

class GqlFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

async function gql<T>(url: string, query: string, variables: object, token?: string): Promise<T> {
  const res = await post(url, JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {});
  const body = JSON.parse(res.body) as { data?: T; errors?: GqlError[] };
  if (body.errors?.length || !body.data) {
    throw new GqlFailure(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`, body.errors?.[0]?.extensions?.code);
  }
  return body.data;
}

const REGISTER = 'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }';
const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { accessToken user { id } } }';
const CREATE_POST = 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }';
const ADD_COMMENT = 'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }';

type Auth = { accessToken: string; user: { id: string } };

async function signIn(url: string, username: string, displayName: string, register: boolean): Promise<{ id: string; token: string }> {
  if (register) {
    try {
      const { register: r } = await gql<{ register: Auth }>(url, REGISTER, { i: { username, password: BENCH_PASSWORD, displayName } });
      return { id: r.user.id, token: r.accessToken };
    } catch (err) {
      if (!(err instanceof GqlFailure) || err.code !== 'CONFLICT') throw err;
    }
  }
  const { login } = await gql<{ login: Auth }>(url, LOGIN, { i: { username, password: BENCH_PASSWORD } });
  return { id: login.user.id, token: login.accessToken };
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** What bench_seed keeps: ids of what was written (tokens are not kept: they expire). */
interface Manifest {
  users: { username: string; id: string }[];
  posts: { id: string; comments: number; anonymous: boolean; tags: string[] }[];
}

export interface SeedRecord {
  version: number;
  subgraphs: string;
  manifest: Manifest;
}

export async function readSeedRecord(databaseUrl: string): Promise<SeedRecord | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query<{ ok: boolean }>("select to_regclass('public.bench_seed') is not null as ok");
    if (!exists.rows[0]?.ok) return undefined;
    const r = await client.query<SeedRecord>('select version, subgraphs, manifest from public.bench_seed limit 1');
    return r.rows[0];
  } finally {
    await client.end();
  }
}

async function writeSeedRecord(databaseUrl: string, record: SeedRecord): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('create table if not exists public.bench_seed (version int not null, subgraphs text not null, manifest jsonb not null, seeded_at timestamptz not null default now())');
    await client.query('delete from public.bench_seed');
    await client.query('insert into public.bench_seed (version, subgraphs, manifest) values ($1, $2, $3)', [record.version, record.subgraphs, JSON.stringify(record.manifest)]);
  } finally {
    await client.end();
  }
}

/**
 * Drops and re-creates the benchmark database (it holds nothing but the benchmark's data), so a
 * new data set version starts clean. Nothing may be connected to it.
 */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^plaza_bench[a-z0-9_]*$/.test(name)) throw new Error(`refusing to drop ${name}: the benchmark only drops databases named plaza_bench*`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

function toSeeded(manifest: Manifest, tokens: Map<string, string>): SeededGraph {
  const tagCounts = new Map<string, number>();
  for (const p of manifest.posts) for (const t of p.tags) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
  return {
    users: manifest.users.map((u) => ({ ...u, token: tokens.get(u.username) ?? '' })),
    // Anonymous posts have pages too: both kinds are opened.
    posts: manifest.posts.map((p) => ({ id: p.id, comments: p.comments })),
    tags: [...tagCounts].map(([name, posts]) => ({ name, posts })),
  };
}

export interface SeedOutcome {
  graph: SeededGraph;
  /** True when this run wrote the data (false: reused a seeded database). */
  seeded: boolean;
  counts: { users: number; posts: number; comments: number };
}

/**
 * Seeds (when `existing` is absent) or signs in again (when present) through the gateway at `url`.
 */
export async function seedThroughGateway(opts: {
  url: string;
  databaseUrl: string;
  data: DataSet;
  subgraphs: string;
  existing: SeedRecord | undefined;
  log: (line: string) => void;
}): Promise<SeedOutcome> {
  const { url, data, log } = opts;
  const tokens = new Map<string, string>();
  const ids = new Map<string, string>();
  const register = opts.existing === undefined;
  const started = Date.now();
  // Sign-ups hash passwords (argon2): two at a time keeps the 2 cores for the rest.
  await pool(data.users, 2, async (u) => {
    const a = await signIn(url, u.username, u.displayName, register);
    tokens.set(u.username, a.token);
    ids.set(u.username, a.id);
  });
  const counts = { users: data.users.length, posts: data.posts.length, comments: countComments(data) };
  if (opts.existing) {
    log(`plaza: reusing the seeded data set (${counts.users} users, ${counts.posts} posts, ${counts.comments} comments); signed in again in ${Date.now() - started} ms`);
    return { graph: toSeeded(opts.existing.manifest, tokens), seeded: false, counts };
  }
  const token = (i: number) => {
    const u = data.users[i];
    const t = u ? tokens.get(u.username) : undefined;
    if (!t) throw new Error(`no token for user ${i}`);
    return t;
  };
  const posts: Manifest['posts'] = new Array<Manifest['posts'][number]>(data.posts.length);
  let done = 0;
  // Comments of one post are written in order (threads are oldest first); posts in parallel.
  await pool(data.posts, 6, async (p, i) => {
    const { createPost } = await gql<{ createPost: { id: string } }>(
      url,
      CREATE_POST,
      { i: { title: p.title, body: p.body, tags: p.tags, anonymous: p.anonymous } },
      token(p.by),
    );
    for (const c of p.comments) {
      const { addComment } = await gql<{ addComment: { id: string } }>(
        url,
        ADD_COMMENT,
        { i: { postId: createPost.id, body: c.body, anonymous: c.anonymous } },
        token(c.by),
      );
      for (const r of c.replies) {
        await gql(url, ADD_COMMENT, { i: { postId: createPost.id, parentId: addComment.id, body: r.body, anonymous: r.anonymous } }, token(r.by));
      }
    }
    posts[i] = { id: createPost.id, comments: p.comments.reduce((n, c) => n + 1 + c.replies.length, 0), anonymous: p.anonymous, tags: p.tags };
    done += 1;
    if (done % 50 === 0) log(`plaza: seeded ${done}/${data.posts.length} posts`);
  });
  const manifest: Manifest = { users: data.users.map((u) => ({ username: u.username, id: ids.get(u.username) ?? '' })), posts };
  await writeSeedRecord(opts.databaseUrl, { version: SEED_VERSION, subgraphs: opts.subgraphs, manifest });
  log(`plaza: seeded ${counts.users} users, ${counts.posts} posts, ${counts.comments} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { graph: toSeeded(manifest, tokens), seeded: true, counts };
}
