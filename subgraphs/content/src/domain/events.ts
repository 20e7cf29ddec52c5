import { createEvent, type EventData, type OutgoingEvent } from '@plaza/events';
import type { CommentRow, PostRow } from '../store.js';

export const SOURCE = 'content';

/** A post as events carry it: the author of an anonymous post never leaves the subgraph. */
export function postSnapshot(post: PostRow): EventData<'post.published'> {
  return {
    postId: post.id,
    authorId: post.anonymous ? null : post.authorId,
    anonymous: post.anonymous,
    status: post.status,
    visibility: post.visibility,
    title: post.title,
    body: post.body,
    tags: post.tags,
    mediaUrls: post.mediaUrls,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    publishedAt: post.publishedAt?.toISOString() ?? null,
  };
}

export function postPublished(post: PostRow): OutgoingEvent {
  return createEvent('post.published', postSnapshot(post), { source: SOURCE });
}

export function postUpdated(post: PostRow, changed: EventData<'post.updated'>['changed']): OutgoingEvent {
  return createEvent('post.updated', { ...postSnapshot(post), changed }, { source: SOURCE });
}

export function postDeleted(post: PostRow): OutgoingEvent {
  return createEvent(
    'post.deleted',
    {
      postId: post.id,
      authorId: post.anonymous ? null : post.authorId,
      anonymous: post.anonymous,
      deletedAt: (post.deletedAt ?? new Date()).toISOString(),
    },
    { source: SOURCE },
  );
}

export function commentAdded(comment: CommentRow): OutgoingEvent {
  return createEvent(
    'comment.added',
    {
      commentId: comment.id,
      postId: comment.postId,
      rootId: comment.rootId,
      parentId: comment.parentId,
      authorId: comment.anonymous ? null : comment.authorId,
      anonymous: comment.anonymous,
      pseudonym: comment.pseudonym,
      body: comment.body,
      createdAt: comment.createdAt.toISOString(),
    },
    { source: SOURCE },
  );
}

export function commentDeleted(comment: CommentRow): OutgoingEvent {
  return createEvent(
    'comment.deleted',
    {
      commentId: comment.id,
      postId: comment.postId,
      deletedAt: (comment.deletedAt ?? new Date()).toISOString(),
    },
    { source: SOURCE },
  );
}
