import { z } from 'zod';
import { TOPICS } from '../topics.js';
import { defineEvent, id, timestamp } from './define.js';

const visibility = z.enum(['PUBLIC', 'PRIVATE']);
const status = z.enum(['DRAFT', 'PUBLISHED']);

/**
 * A post as the other subgraphs need it. `authorId` is null for anonymous posts: an anonymous
 * post's author never leaves the content subgraph, not even in events.
 */
const PostSnapshotSchema = z.object({
  postId: id,
  authorId: id.nullable(),
  anonymous: z.boolean(),
  status,
  visibility,
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  mediaUrls: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
  publishedAt: timestamp.nullable(),
});

const CommentSnapshotSchema = z.object({
  commentId: id,
  postId: id,
  rootId: id.nullable(),
  parentId: id.nullable(),
  /** Null for anonymous comments. */
  authorId: id.nullable(),
  anonymous: z.boolean(),
  pseudonym: z.string().nullable(),
  body: z.string(),
  createdAt: timestamp,
});

/** content's events: `post.*` and `comment.*` on the posts topic, keyed by post id. */
export const CONTENT_EVENTS = {
  /**
   * A post was published, once per post (`publishPost`, or `createPost` with publish). A PRIVATE
   * one is still its author's alone. Drafts are the author's own: no event until published.
   */
  'post.published': defineEvent({
    type: 'post.published',
    version: 1,
    topic: TOPICS.posts,
    schema: PostSnapshotSchema,
    key: (d) => d.postId,
  }),
  /**
   * Any change to a published post: text, tags, media or visibility (`visibility: PRIVATE` means
   * consumers must stop showing it). `changed` names the fields that changed.
   */
  'post.updated': defineEvent({
    type: 'post.updated',
    version: 1,
    topic: TOPICS.posts,
    schema: PostSnapshotSchema.extend({
      changed: z.array(z.enum(['title', 'body', 'tags', 'mediaUrls', 'visibility'])),
    }),
    key: (d) => d.postId,
  }),
  /** A published post was deleted: it is gone from every read path. */
  'post.deleted': defineEvent({
    type: 'post.deleted',
    version: 1,
    topic: TOPICS.posts,
    schema: z.object({
      postId: id,
      authorId: id.nullable(),
      anonymous: z.boolean(),
      deletedAt: timestamp,
    }),
    key: (d) => d.postId,
  }),
  /** `rootId`/`parentId` are null for a thread's root; keyed by post id, like the post's own events. */
  'comment.added': defineEvent({
    type: 'comment.added',
    version: 1,
    topic: TOPICS.posts,
    schema: CommentSnapshotSchema,
    key: (d) => d.postId,
  }),
  /** Soft delete: the comment stays as a placeholder (empty body) and keeps its replies. */
  'comment.deleted': defineEvent({
    type: 'comment.deleted',
    version: 1,
    topic: TOPICS.posts,
    schema: z.object({ commentId: id, postId: id, deletedAt: timestamp }),
    key: (d) => d.postId,
  }),
} as const;
