import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { GraphQLClient, GraphQLResponse } from '../src/index.js';

/** Shared by the content-*.test.ts files: the content API's shapes and a few writers. */

export const POST_FIELDS = `id title body mediaUrls tags { name } status visibility isAnonymous author { id }
  viewerIsAuthor createdAt updatedAt publishedAt commentCount`;

export interface PostShape {
  id: string;
  title: string;
  body: string;
  mediaUrls: string[];
  tags: { name: string }[];
  status: 'DRAFT' | 'PUBLISHED';
  visibility: 'PUBLIC' | 'PRIVATE';
  isAnonymous: boolean;
  author: { id: string } | null;
  viewerIsAuthor: boolean;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  commentCount: number;
}

export const COMMENT_FIELDS = `id body isDeleted isAnonymous author { id } pseudonym viewerIsAuthor replyCount createdAt
  parent { id } post { id }`;

export interface CommentShape {
  id: string;
  body: string;
  isDeleted: boolean;
  isAnonymous: boolean;
  author: { id: string } | null;
  pseudonym: string | null;
  viewerIsAuthor: boolean;
  replyCount: number;
  createdAt: string;
  parent: { id: string } | null;
  post: { id: string };
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const CREATE_POST = `mutation($input: CreatePostInput!) { createPost(input: $input) { ${POST_FIELDS} } }`;
export const UPDATE_POST = `mutation($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { ${POST_FIELDS} } }`;
export const PUBLISH_POST = `mutation($id: ID!) { publishPost(id: $id) { ${POST_FIELDS} } }`;
export const DELETE_POST = 'mutation($id: ID!) { deletePost(id: $id) }';
export const GET_POST = `query($id: ID!) { post(id: $id) { ${POST_FIELDS} } }`;
export const ADD_COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { ${COMMENT_FIELDS} } }`;
export const DELETE_COMMENT = 'mutation($id: ID!) { deleteComment(id: $id) }';
export const LIST_POSTS = `query($first: Int, $after: String, $tag: String, $authorId: ID) {
  posts(first: $first, after: $after, tag: $tag, authorId: $authorId) {
    edges { cursor node { ${POST_FIELDS} } } pageInfo { hasNextPage endCursor }
  }
}`;

/** A tag no other test or earlier run has used (lower-case, at most 30 characters). */
export function uniqueTag(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.slice(0, 30);
}

export interface PostInput {
  title?: string;
  body?: string;
  tags?: string[];
  mediaUrls?: string[];
  visibility?: 'PUBLIC' | 'PRIVATE';
  anonymous?: boolean;
  publish?: boolean;
}

export async function createPost(client: GraphQLClient, input: PostInput = {}): Promise<PostShape> {
  const data = await client.ok<{ createPost: PostShape }>(CREATE_POST, {
    input: { title: 'A title', body: 'A body', ...input },
  });
  return data.createPost;
}

export async function addComment(
  client: GraphQLClient,
  input: { postId: string; parentId?: string; body?: string; anonymous?: boolean },
): Promise<CommentShape> {
  const data = await client.ok<{ addComment: CommentShape }>(ADD_COMMENT, { input: { body: 'A comment', ...input } });
  return data.addComment;
}

export async function listPosts(
  client: GraphQLClient,
  args: { first?: number; after?: string; tag?: string; authorId?: string },
): Promise<Connection<PostShape>> {
  return (await client.ok<{ posts: Connection<PostShape> }>(LIST_POSTS, args)).posts;
}

/** Asserts a BAD_USER_INPUT naming `field`. */
export function expectBadInput(res: GraphQLResponse<unknown>, field: string): void {
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
}

/** What an opaque cursor holds, to check that nothing private hides inside the base64. */
export function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
