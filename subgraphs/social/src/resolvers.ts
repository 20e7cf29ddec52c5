import { errors, isId, requireViewer } from '@plaza/common';
import type { Resolvers } from './__generated__/resolvers.js';
import type { SocialContext } from './context.js';
import { hotScore } from './domain/hot-score.js';
import type { PostRef, UserRef } from './domain/refs.js';
import type { PostCounters, UserCounters } from './store.js';

export type { PostRef, UserRef };

/** The canonical (lower-case) id of an entity reference, or null when it is not a Plaza id. */
const idOf = (ref: { id: string }): string | null => (isId(ref.id) ? ref.id.toLowerCase() : null);

/** A post's counters: the mutation's own snapshot when there is one, else the cache (one Redis read per batch). */
async function postCounters(post: PostRef, ctx: SocialContext): Promise<PostCounters | null> {
  if (post.snapshot) return post.snapshot;
  const id = idOf(post);
  return id === null ? null : ctx.loaders.postCounters.load(id);
}

async function userCounters(user: UserRef, ctx: SocialContext): Promise<UserCounters | null> {
  if (user.snapshot) return user.snapshot;
  const id = idOf(user);
  return id === null ? null : ctx.loaders.userCounters.load(id);
}

async function viewerFlags(post: PostRef, ctx: SocialContext) {
  if (post.snapshot) return { liked: post.snapshot.viewerHasLiked, bookmarked: post.snapshot.viewerHasBookmarked };
  const id = idOf(post);
  return id === null || !ctx.viewer ? { liked: false, bookmarked: false } : ctx.loaders.viewerFlags.load(id);
}

/** Whether the viewer follows the user (`viewerIsFollowing`) or the user follows the viewer. */
async function relation(user: UserRef, ctx: SocialContext, direction: 'viewerFollows' | 'followsViewer'): Promise<boolean> {
  if (user.snapshot) return direction === 'viewerFollows' ? user.snapshot.viewerIsFollowing : user.snapshot.isFollowingViewer;
  const id = idOf(user);
  if (id === null || !ctx.viewer || id === ctx.viewer.userId) return false;
  return ctx.loaders[direction].load(id);
}

const viewerId = (ctx: SocialContext) => ctx.viewer?.userId ?? null;

export const resolvers: Resolvers = {
  Query: {
    feed: (_, args, ctx) => ctx.feed.page(requireViewer(ctx), args),
    trending: (_, args, ctx) => ctx.hotList.page(args),
  },
  Mutation: {
    follow: (_, { userId }, ctx) => ctx.follows.follow(requireViewer(ctx), userId),
    unfollow: (_, { userId }, ctx) => ctx.follows.unfollow(requireViewer(ctx), userId),
    likePost: (_, { postId }, ctx) => ctx.reactions.like(requireViewer(ctx), postId),
    unlikePost: (_, { postId }, ctx) => ctx.reactions.unlike(requireViewer(ctx), postId),
    bookmarkPost: (_, { postId }, ctx) => ctx.reactions.bookmark(requireViewer(ctx), postId),
    unbookmarkPost: (_, { postId }, ctx) => ctx.reactions.unbookmark(requireViewer(ctx), postId),
    recordView: (_, { postId }, ctx) => ctx.views.record(ctx, postId),
  },
  Post: {
    // Content decides whether the viewer may see a post; social only adds its counters.
    __resolveReference: (ref) => ({ id: ref.id }),
    likeCount: async (post, _, ctx) => (await postCounters(post, ctx))?.likes ?? 0,
    viewCount: async (post, _, ctx) => (await postCounters(post, ctx))?.views ?? 0,
    bookmarkCount: async (post, _, ctx) => (await postCounters(post, ctx))?.bookmarks ?? 0,
    hotScore: async (post, _, ctx) => {
      const counters = await postCounters(post, ctx);
      return counters ? hotScore(counters, Date.now(), ctx.hotHalfLifeHours) : 0;
    },
    viewerHasLiked: async (post, _, ctx) => (await viewerFlags(post, ctx)).liked,
    viewerHasBookmarked: async (post, _, ctx) => (await viewerFlags(post, ctx)).bookmarked,
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    followerCount: async (user, _, ctx) => (await userCounters(user, ctx))?.followers ?? 0,
    followingCount: async (user, _, ctx) => (await userCounters(user, ctx))?.following ?? 0,
    likesReceived: async (user, _, ctx) => (await userCounters(user, ctx))?.likesReceived ?? 0,
    followers: (user, args, ctx) => ctx.follows.list('followers', user.id, args),
    following: (user, args, ctx) => ctx.follows.list('following', user.id, args),
    friends: (user, args, ctx) => ctx.follows.list('friends', user.id, args),
    viewerIsFollowing: (user, _, ctx) => relation(user, ctx, 'viewerFollows'),
    isFollowingViewer: (user, _, ctx) => relation(user, ctx, 'followsViewer'),
    likedPosts: (user, args, ctx) => ctx.reactions.likedPosts(user.id, viewerId(ctx), args),
    bookmarkedPosts: (user, args, ctx) => {
      if (!isId(user.id)) throw errors.forbidden('Only the user can see their bookmarks.');
      return ctx.reactions.bookmarkedPosts(user.id, viewerId(ctx), args);
    },
  },
};
