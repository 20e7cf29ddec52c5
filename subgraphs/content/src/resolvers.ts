import { DateTimeScalar, emptyConnection, isId, pageSize, parseId, requireViewer, toConnection, type GraphQLResolverMap } from '@plaza/common';
import { replyCursor } from './domain/comments.js';
import { normalizeTag } from './domain/validation.js';
import { canSeePost, canSeePostAuthor } from './domain/visibility.js';
import type { ContentContext } from './context.js';
import type { CommentRow, PostRow } from './store.js';

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

interface TagRef {
  name: string;
}

interface UserRef {
  id: string;
}

const userRef = (id: string) => ({ __typename: 'User' as const, id });

const viewerId = (ctx: ContentContext) => ctx.viewer?.userId ?? null;

/** A post by id if the viewer may see it; null exactly as if it did not exist otherwise. */
async function visiblePost(ctx: ContentContext, id: string): Promise<PostRow | null> {
  const post = await ctx.loaders.postById.load(id);
  return post && canSeePost(post, viewerId(ctx)) ? post : null;
}

export const resolvers: GraphQLResolverMap<ContentContext> = {
  DateTime: DateTimeScalar,
  Query: {
    post: (_: unknown, { id }: { id: string }, ctx: ContentContext) => visiblePost(ctx, parseId(id, 'id')),
    posts: (_: unknown, args: PageArgs & { tag?: string | null; authorId?: string | null }, ctx: ContentContext) =>
      ctx.posts.list(args),
    tag: async (_: unknown, { name }: { name: string }, ctx: ContentContext) => {
      const tag = normalizeTag(name);
      if (tag === null) return null;
      return (await ctx.loaders.postCountByTag.load(tag)) > 0 ? { name: tag } : null;
    },
    viewerDrafts: (_: unknown, args: PageArgs, ctx: ContentContext) => ctx.posts.drafts(requireViewer(ctx), args),
  },
  Mutation: {
    createPost: (_: unknown, { input }: { input: unknown }, ctx: ContentContext) =>
      ctx.posts.create(requireViewer(ctx), input),
    updatePost: (_: unknown, { id, input }: { id: string; input: unknown }, ctx: ContentContext) => {
      const viewer = requireViewer(ctx);
      return ctx.posts.update(viewer, parseId(id, 'id'), input);
    },
    publishPost: (_: unknown, { id }: { id: string }, ctx: ContentContext) => {
      const viewer = requireViewer(ctx);
      return ctx.posts.publish(viewer, parseId(id, 'id'));
    },
    deletePost: (_: unknown, { id }: { id: string }, ctx: ContentContext) => {
      const viewer = requireViewer(ctx);
      return ctx.posts.remove(viewer, parseId(id, 'id'));
    },
    addComment: (
      _: unknown,
      { input }: { input: { postId: string; parentId?: string | null; body: string; anonymous?: boolean | null } },
      ctx: ContentContext,
    ) => {
      const viewer = requireViewer(ctx);
      return ctx.comments.add(viewer, {
        postId: parseId(input.postId, 'input.postId'),
        parentId: input.parentId != null ? parseId(input.parentId, 'input.parentId') : null,
        body: input.body,
        anonymous: input.anonymous,
      });
    },
    deleteComment: (_: unknown, { id }: { id: string }, ctx: ContentContext) => {
      const viewer = requireViewer(ctx);
      return ctx.comments.remove(viewer, parseId(id, 'id'));
    },
  },
  Post: {
    __resolveReference: (ref: { id: string }, ctx: ContentContext) =>
      isId(ref.id) ? visiblePost(ctx, ref.id.toLowerCase()) : null,
    tags: (post: PostRow): TagRef[] => post.tags.map((name) => ({ name })),
    isAnonymous: (post: PostRow) => post.anonymous,
    author: (post: PostRow, _: unknown, ctx: ContentContext) =>
      canSeePostAuthor(post, viewerId(ctx)) ? userRef(post.authorId) : null,
    viewerIsAuthor: (post: PostRow, _: unknown, ctx: ContentContext) => post.authorId === viewerId(ctx),
    comments: (post: PostRow, args: PageArgs, ctx: ContentContext) => ctx.comments.roots(post.id, args),
  },
  Comment: {
    /** A comment exists for a viewer exactly when its post does. */
    __resolveReference: async (ref: { id: string }, ctx: ContentContext) => {
      if (!isId(ref.id)) return null;
      const comment = await ctx.loaders.commentById.load(ref.id.toLowerCase());
      return comment && (await visiblePost(ctx, comment.postId)) ? comment : null;
    },
    post: (comment: CommentRow, _: unknown, ctx: ContentContext) => visiblePost(ctx, comment.postId),
    body: (comment: CommentRow) => (comment.deletedAt ? '' : comment.body),
    isDeleted: (comment: CommentRow) => comment.deletedAt !== null,
    isAnonymous: (comment: CommentRow) => comment.anonymous,
    author: (comment: CommentRow) => (comment.anonymous || comment.deletedAt ? null : userRef(comment.authorId)),
    pseudonym: (comment: CommentRow) => (comment.anonymous && !comment.deletedAt ? comment.pseudonym : null),
    viewerIsAuthor: (comment: CommentRow, _: unknown, ctx: ContentContext) => comment.authorId === viewerId(ctx),
    parent: (comment: CommentRow, _: unknown, ctx: ContentContext) =>
      comment.parentId ? ctx.loaders.commentById.load(comment.parentId) : null,
    replies: async (comment: CommentRow, args: PageArgs, ctx: ContentContext) => {
      const first = pageSize(args.first, 3);
      // Replies attach to their root: a reply's own list is always empty.
      if (comment.rootId !== null) return toConnection([], first, replyCursor);
      if (args.after != null) return ctx.comments.repliesAfter(comment.id, first, args.after);
      const rows = await ctx.loaders.firstReplies(first + 1).load(comment.id);
      return toConnection(rows, first, replyCursor);
    },
    replyCount: (comment: CommentRow) => (comment.rootId === null ? comment.replyCount : 0),
  },
  Tag: {
    __resolveReference: (ref: TagRef) => {
      const name = normalizeTag(ref.name);
      return name === null ? null : { name };
    },
    postCount: (tag: TagRef, _: unknown, ctx: ContentContext) => ctx.loaders.postCountByTag.load(tag.name),
    posts: (tag: TagRef, args: PageArgs, ctx: ContentContext) => ctx.posts.list({ ...args, tag: tag.name }),
  },
  User: {
    __resolveReference: (ref: UserRef) => ({ id: ref.id }),
    posts: (user: UserRef, args: PageArgs, ctx: ContentContext) => {
      if (isId(user.id)) return ctx.posts.list({ ...args, authorId: user.id });
      pageSize(args.first);
      return emptyConnection();
    },
    postCount: (user: UserRef, _: unknown, ctx: ContentContext) =>
      isId(user.id) ? ctx.loaders.postCountByAuthor.load(user.id.toLowerCase()) : 0,
  },
};
