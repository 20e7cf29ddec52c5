import type { RequestSpec } from '../load.js';
import { createRandom } from './dataset.js';

/**
 * The read-heavy mix loaded on Plaza's own graph: real pages of the product, with the fields a
 * client shows. Only fields the composed API has today (new subgraphs' fields come with them).
 */

export const POST_PAGE = /* GraphQL */ `query PostPage($id: ID!) {
  post(id: $id) {
    id title body mediaUrls isAnonymous viewerIsAuthor createdAt publishedAt commentCount
    tags { name postCount }
    author { id username displayName avatarUrl bio postCount }
    comments(first: 20) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id body isAnonymous isDeleted pseudonym viewerIsAuthor replyCount createdAt
        author { id username displayName avatarUrl }
        replies(first: 3) {
          pageInfo { hasNextPage endCursor }
          edges { cursor node { id body pseudonym viewerIsAuthor createdAt author { id username displayName avatarUrl } } }
        }
      } }
    }
  }
}`;

export const USER_PROFILE = /* GraphQL */ `query UserProfile($username: String!) {
  userByUsername(username: $username) {
    id username displayName bio avatarUrl createdAt postCount
    posts(first: 10) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title createdAt commentCount tags { name } } }
    }
  }
}`;

export const POSTS_BY_TAG = /* GraphQL */ `query PostsByTag($tag: String!) {
  tag(name: $tag) {
    name postCount
    posts(first: 20) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title body createdAt commentCount isAnonymous tags { name } author { id username displayName avatarUrl } } }
    }
  }
}`;

/**
 * "The limit" on Plaza's graph: the content subgraph's share of the same pages, asked of it
 * directly (no gateway, no identity fields). The ceiling of what any gateway can do here.
 */
export const LIMIT_POST_PAGE = /* GraphQL */ `query PostPage($id: ID!) {
  post(id: $id) {
    id title body mediaUrls isAnonymous viewerIsAuthor createdAt publishedAt commentCount
    tags { name postCount }
    author { id postCount }
    comments(first: 20) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id body isAnonymous isDeleted pseudonym viewerIsAuthor replyCount createdAt
        author { id }
        replies(first: 3) {
          pageInfo { hasNextPage endCursor }
          edges { cursor node { id body pseudonym viewerIsAuthor createdAt author { id } } }
        }
      } }
    }
  }
}`;

export const LIMIT_USER_PROFILE = /* GraphQL */ `query UserProfile($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User {
      id postCount
      posts(first: 10) {
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id title createdAt commentCount tags { name } } }
      }
    }
  }
}`;

export const LIMIT_POSTS_BY_TAG = /* GraphQL */ `query PostsByTag($tag: String!) {
  tag(name: $tag) {
    name postCount
    posts(first: 20) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title body createdAt commentCount isAnonymous tags { name } author { id } } }
    }
  }
}`;

/** What the seeded graph holds, as the mix needs it. */
export interface SeededGraph {
  users: { username: string; id: string; token: string }[];
  /** Public posts with their number of comments (a popular post is opened more). */
  posts: { id: string; comments: number }[];
  /** Tags with their number of posts. */
  tags: { name: string; posts: number }[];
}

export interface MixSize {
  postPages: number;
  profiles: number;
  tagPages: number;
}

/** Half post pages, a quarter profiles, a quarter tag pages: 60 distinct requests. */
export const DEFAULT_MIX: MixSize = { postPages: 30, profiles: 15, tagPages: 15 };

/** Picks an index with probability proportional to its weight. */
function weighted(rand: () => number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

export interface MixedRequests {
  /** Through a gateway. */
  gateway: RequestSpec[];
  /** The same pages, the content subgraph's share, straight at the content subgraph. */
  limit: RequestSpec[];
}

/**
 * The request list of the mix, deterministic for a seeded graph: popular posts and tags are
 * opened more often; two requests in three carry a signed-in viewer's token (so answers such as
 * viewerIsAuthor differ per viewer, and de-duplication can only share identical requests).
 */
export function buildMix(graph: SeededGraph, size: MixSize = DEFAULT_MIX, seed = 7): MixedRequests {
  if (graph.users.length === 0 || graph.posts.length === 0 || graph.tags.length === 0) throw new Error('the seeded graph is empty');
  const rand = createRandom(seed);
  /** A viewer's headers and name: two in three signed in. */
  const viewer = (): { headers: Record<string, string>; name: string } => {
    const u = rand() < 2 / 3 ? graph.users[Math.floor(rand() * graph.users.length)] : undefined;
    return u ? { headers: { authorization: `Bearer ${u.token}` }, name: u.username } : { headers: {}, name: 'anonymous' };
  };
  const gateway: RequestSpec[] = [];
  const limit: RequestSpec[] = [];
  // Labels are unique (they key the reference answers): the request's number, what, and for whom.
  const add = (what: string, who: ReturnType<typeof viewer>, query: string, variables: object, limitQuery: string, limitVariables: object) => {
    const label = `#${gateway.length + 1} ${what} as ${who.name}`;
    gateway.push({ label, headers: who.headers, body: JSON.stringify({ query, variables }) });
    limit.push({ label, headers: who.headers, body: JSON.stringify({ query: limitQuery, variables: limitVariables }) });
  };
  const postWeights = graph.posts.map((p) => 1 + p.comments);
  for (let i = 0; i < size.postPages; i++) {
    const post = graph.posts[weighted(rand, postWeights)];
    if (post) add(`post page ${post.id}`, viewer(), POST_PAGE, { id: post.id }, LIMIT_POST_PAGE, { id: post.id });
  }
  // Earlier users are the prolific authors (the data set's skew): visited more.
  const userWeights = graph.users.map((_, i) => 1 / (1 + i));
  for (let i = 0; i < size.profiles; i++) {
    const user = graph.users[weighted(rand, userWeights)];
    if (user)
      add(`profile ${user.username}`, viewer(), USER_PROFILE, { username: user.username }, LIMIT_USER_PROFILE, {
        representations: [{ __typename: 'User', id: user.id }],
      });
  }
  const tagWeights = graph.tags.map((t) => t.posts);
  for (let i = 0; i < size.tagPages; i++) {
    const tag = graph.tags[weighted(rand, tagWeights)];
    if (tag) add(`tag ${tag.name}`, viewer(), POSTS_BY_TAG, { tag: tag.name }, LIMIT_POSTS_BY_TAG, { tag: tag.name });
  }
  // Interleave the kinds, as real traffic is (Fisher-Yates with the same generator).
  const order = gateway.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return { gateway: order.map((i) => gateway[i] as RequestSpec), limit: order.map((i) => limit[i] as RequestSpec) };
}
