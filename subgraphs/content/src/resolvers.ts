import { DateTimeScalar, emptyConnection, errors, isId, pageSize, parseId, requireViewer, toConnection } from '@plaza/common';
import type { Resolvers } from './__generated__/resolvers.js';
import { replyCursor } from './domain/comments.js';
import { normalizeTag } from './domain/validation.js';
import { canSeePost, canSeePostAuthor } from './domain/visibility.js';
import type { ContentContext } from './context.js';
import type { PostRow } from './store.js';

/** A tag as resolvers pass it around: its normalised name. */
export interface TagRef {
  name: string;
}

/** A user this subgraph knows by id only (identity owns the rest). */
export interface UserRef {
  id: string;
}

const userRef = (id: string) => ({ __typename: 'User' as const, id });

const viewerId = (ctx: ContentContext) => ctx.viewer?.userId ?? null;

/** A post by id if the viewer may see it; null exactly as if it did not exist otherwise. */
async function visiblePost(ctx: ContentContext, id: string): Promise<PostRow | null> {
  const post = await ctx.loaders.postById.load(id);
  return post && canSeePost(post, viewerId(ctx)) ? post : null;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    post: (_, { id }, ctx) => visiblePost(ctx, parseId(id, 'id')),
    posts: (_, args, ctx) =>
      ctx.posts.list(args),
    tag: async (_, { name }, ctx) => {
      const tag = normalizeTag(name);
      if (tag === null) return null;
      return (await ctx.loaders.postCountByTag.load(tag)) > 0 ? { name: tag } : null;
    },
    viewerDrafts: (_, args, ctx) => ctx.posts.drafts(requireViewer(ctx), args),
  },
  Mutation: {
    createPost: (_, { input }, ctx) =>
      ctx.posts.create(requireViewer(ctx), input),
    updatePost: (_, { id, input }, ctx) => {
      const viewer = requireViewer(ctx);
      return ctx.posts.update(viewer, parseId(id, 'id'), input);
    },
    publishPost: (_, { id }, ctx) => {
      const viewer = requireViewer(ctx);
      return ctx.posts.publish(viewer, parseId(id, 'id'));
    },
    deletePost: (_, { id }, ctx) => {
      const viewer = requireViewer(ctx);
      return ctx.posts.remove(viewer, parseId(id, 'id'));
    },
    addComment: (_, { input }, ctx) => {
      const viewer = requireViewer(ctx);
      return ctx.comments.add(viewer, {
        postId: parseId(input.postId, 'input.postId'),
        parentId: input.parentId != null ? parseId(input.parentId, 'input.parentId') : null,
        body: input.body,
        anonymous: input.anonymous,
      });
    },
    deleteComment: (_, { id }, ctx) => {
      const viewer = requireViewer(ctx);
      return ctx.comments.remove(viewer, parseId(id, 'id'));
    },
  },
  Post: {
    __resolveReference: (ref, ctx) =>
      isId(ref.id) ? visiblePost(ctx, ref.id.toLowerCase()) : null,
    tags: (post) => post.tags.map((name) => ({ name })),
    isAnonymous: (post) => post.anonymous,
    author: (post, _, ctx) =>
      canSeePostAuthor(post, viewerId(ctx)) ? userRef(post.authorId) : null,
    viewerIsAuthor: (post, _, ctx) => post.authorId === viewerId(ctx),
    comments: (post, args, ctx) => ctx.comments.roots(post.id, args),
  },
  Comment: {
    /** A comment exists for a viewer exactly when its post does. */
    __resolveReference: async (ref, ctx) => {
      if (!isId(ref.id)) return null;
      const comment = await ctx.loaders.commentById.load(ref.id.toLowerCase());
      return comment && (await visiblePost(ctx, comment.postId)) ? comment : null;
    },
    // A comment is only reachable through its post, so its post is visible to whoever reads it.
    post: async (comment, _, ctx) => (await visiblePost(ctx, comment.postId)) ?? Promise.reject(errors.notFound('Post')),
    body: (comment) => (comment.deletedAt ? '' : comment.body),
    isDeleted: (comment) => comment.deletedAt !== null,
    isAnonymous: (comment) => comment.anonymous,
    author: (comment) => (comment.anonymous || comment.deletedAt ? null : userRef(comment.authorId)),
    pseudonym: (comment) => (comment.anonymous && !comment.deletedAt ? comment.pseudonym : null),
    viewerIsAuthor: (comment, _, ctx) => comment.authorId === viewerId(ctx),
    parent: (comment, _, ctx) =>
      comment.parentId ? ctx.loaders.commentById.load(comment.parentId) : null,
    replies: async (comment, args, ctx) => {
      const first = pageSize(args.first, 3);
      // Replies attach to their root: a reply's own list is always empty.
      if (comment.rootId !== null) return toConnection([], first, replyCursor);
      if (args.after != null) return ctx.comments.repliesAfter(comment.id, first, args.after);
      const rows = await ctx.loaders.firstReplies(first + 1).load(comment.id);
      return toConnection(rows, first, replyCursor);
    },
    replyCount: (comment) => (comment.rootId === null ? comment.replyCount : 0),
  },
  Tag: {
    __resolveReference: (ref) => {
      const name = normalizeTag(ref.name);
      return name === null ? null : { name };
    },
    postCount: (tag, _, ctx) => ctx.loaders.postCountByTag.load(tag.name),
    posts: (tag, args, ctx) => ctx.posts.list({ ...args, tag: tag.name }),
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    posts: (user, args, ctx) => {
      if (isId(user.id)) return ctx.posts.list({ ...args, authorId: user.id });
      pageSize(args.first);
      return emptyConnection();
    },
    postCount: (user, _, ctx) =>
      isId(user.id) ? ctx.loaders.postCountByAuthor.load(user.id.toLowerCase()) : 0,
  },
};
