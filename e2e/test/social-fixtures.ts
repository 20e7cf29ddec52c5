import type pg from 'pg';
import { waitUntil, type GraphQLClient } from '../src/index.js';
import { createPost, type Connection, type PostInput, type PostShape } from './content-fixtures.js';

/** Shared by the social-*.test.ts files: the social API's shapes and a few helpers. */

export const COUNTERS = 'likeCount viewCount bookmarkCount viewerHasLiked viewerHasBookmarked hotScore';

export interface CountersShape {
  id: string;
  likeCount: number;
  viewCount: number;
  bookmarkCount: number;
  viewerHasLiked: boolean;
  viewerHasBookmarked: boolean;
  hotScore: number;
}

export const USER_SOCIAL = 'id followerCount followingCount likesReceived viewerIsFollowing isFollowingViewer';

export interface UserSocialShape {
  id: string;
  followerCount: number;
  followingCount: number;
  likesReceived: number;
  viewerIsFollowing: boolean;
  isFollowingViewer: boolean;
}

export const FOLLOW = `mutation($id: ID!) { follow(userId: $id) { ${USER_SOCIAL} } }`;
export const UNFOLLOW = `mutation($id: ID!) { unfollow(userId: $id) { ${USER_SOCIAL} } }`;
export const LIKE = `mutation($id: ID!) { likePost(postId: $id) { id ${COUNTERS} } }`;
export const UNLIKE = `mutation($id: ID!) { unlikePost(postId: $id) { id ${COUNTERS} } }`;
export const BOOKMARK = `mutation($id: ID!) { bookmarkPost(postId: $id) { id ${COUNTERS} } }`;
export const UNBOOKMARK = `mutation($id: ID!) { unbookmarkPost(postId: $id) { id ${COUNTERS} } }`;
export const RECORD_VIEW = 'mutation($id: ID!) { recordView(postId: $id) }';
export const POST_COUNTERS = `query($id: ID!) { post(id: $id) { id ${COUNTERS} } }`;
export const USER_COUNTERS = `query($id: ID!) { user(id: $id) { ${USER_SOCIAL} } }`;
export const FEED = `query($first: Int, $after: String) {
  feed(first: $first, after: $after) { edges { cursor node { id title author { id } } } pageInfo { hasNextPage endCursor } }
}`;
export const TRENDING = `query($first: Int, $after: String) {
  trending(first: $first, after: $after) { edges { cursor node { id hotScore } } pageInfo { hasNextPage endCursor } }
}`;

export async function postCounters(client: GraphQLClient, id: string): Promise<CountersShape> {
  const data = await client.ok<{ post: CountersShape | null }>(POST_COUNTERS, { id });
  if (!data.post) throw new Error(`post ${id} is not visible`);
  return data.post;
}

export async function userCounters(client: GraphQLClient, id: string): Promise<UserSocialShape> {
  const data = await client.ok<{ user: UserSocialShape | null }>(USER_COUNTERS, { id });
  if (!data.user) throw new Error(`user ${id} not found`);
  return data.user;
}

/**
 * Waits until a read through the gateway satisfies `check` (the counter pipeline has caught up).
 * A read that fails is tried again (a connection reset after a fault test blocked the process,
 * say); at the deadline the last failure is thrown.
 */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  let failure: unknown;
  try {
    return await waitUntil(async () => {
      try {
        const value = await read();
        failure = undefined;
        return check(value) ? value : undefined;
      } catch (err) {
        failure = err;
        return undefined;
      }
    }, timeoutMs, 50);
  } catch (timeout) {
    throw failure ?? timeout;
  }
}

/** Waits until social's projection knows these users (identity's `user.registered` was applied). */
export async function socialKnowsUsers(pool: pg.Pool, ids: readonly string[]): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from social.users where id = any($1::uuid[])', [ids]);
    return rows[0]?.n === new Set(ids).size;
  }, 15_000);
}

/**
 * Waits until social's projection of these posts matches content's state: known, and deleted or
 * visible as given (default: published and not deleted).
 */
export async function socialKnowsPosts(
  pool: pg.Pool,
  ids: readonly string[],
  state: { deleted?: boolean; visibility?: 'PUBLIC' | 'PRIVATE' } = {},
): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from social.posts where id = any($1::uuid[]) and status = 'PUBLISHED'
         and (deleted_at is not null) = $2 and ($3::text is null or visibility::text = $3)`,
      [ids, state.deleted ?? false, state.visibility ?? null],
    );
    return rows[0]?.n === new Set(ids).size;
  }, 15_000);
}

/** Creates a post and waits until social knows it. */
export async function socialPost(client: GraphQLClient, pool: pg.Pool, input: PostInput = {}): Promise<PostShape> {
  const post = await createPost(client, input);
  if (post.status === 'PUBLISHED') await socialKnowsPosts(pool, [post.id], { visibility: post.visibility });
  return post;
}

/** Every page of a connection query, following endCursor. */
export async function allPages<T>(
  fetch: (after: string | null) => Promise<Connection<T>>,
  maxPages = 100,
): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetch(after);
    out.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
  throw new Error(`more than ${maxPages} pages`);
}
