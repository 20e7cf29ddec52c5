import DataLoader from 'dataloader';
import type { RequestIdentity } from '@plaza/common';
import { createCachedLoader } from './cache/cached-loader.js';
import { ZERO_POST, ZERO_USER, type CounterCache } from './cache/counter-cache.js';
import type { Feed } from './domain/feed.js';
import type { Follows } from './domain/follows.js';
import type { HotList } from './domain/hot-list.js';
import type { Reactions } from './domain/reactions.js';
import type { Views } from './domain/views.js';
import type { PostCounters, SocialStore, UserCounters } from './store.js';

export interface ViewerFlags {
  liked: boolean;
  bookmarked: boolean;
}

export interface SocialLoaders {
  /** `likeCount`, `viewCount`, `bookmarkCount`, `hotScore`: one Redis read per batch. */
  postCounters: DataLoader<string, PostCounters>;
  /** `followerCount`, `followingCount`, `likesReceived`: one Redis read per batch. */
  userCounters: DataLoader<string, UserCounters>;
  /** `viewerHasLiked`, `viewerHasBookmarked` of the signed-in viewer: one Redis read per batch. */
  viewerFlags: DataLoader<string, ViewerFlags>;
  /** Whether the viewer follows each user. */
  viewerFollows: DataLoader<string, boolean>;
  /** Whether each user follows the viewer. */
  followsViewer: DataLoader<string, boolean>;
}

export interface SocialContext extends RequestIdentity {
  follows: Follows;
  reactions: Reactions;
  feed: Feed;
  hotList: HotList;
  views: Views;
  loaders: SocialLoaders;
  /** The hot score's half-life, h (the score is computed from the counters at read time). */
  hotHalfLifeHours: number;
}

const NO_FLAGS: ViewerFlags = { liked: false, bookmarked: false };

/** The per-request loaders; `viewerId` is the signed-in viewer (null when anonymous). */
export function createLoaders(deps: {
  store: SocialStore;
  cache: CounterCache;
  viewerId: string | null;
  onRedisError: (err: unknown) => void;
}): SocialLoaders {
  const { store, cache, viewerId, onRedisError } = deps;
  const viewer = viewerId;
  return {
    postCounters: createCachedLoader<PostCounters>({
      get: (ids) => cache.getPosts(ids),
      load: (ids) => store.postCounters(ids),
      fill: (entries) => cache.fillPosts(entries),
      zero: ZERO_POST,
      onRedisError,
    }),
    userCounters: createCachedLoader<UserCounters>({
      get: (ids) => cache.getUsers(ids),
      load: (ids) => store.userCounters(ids),
      fill: (entries) => cache.fillUsers(entries),
      zero: ZERO_USER,
      onRedisError,
    }),
    viewerFlags: new DataLoader<string, ViewerFlags>(async (postIds) => {
      if (viewer === null) return postIds.map(() => NO_FLAGS);
      let cached: [boolean | null, boolean | null][];
      let redisUp = true;
      try {
        cached = await cache.getFlags(viewer, postIds);
      } catch (err) {
        onRedisError(err);
        redisUp = false;
        cached = postIds.map(() => [null, null]);
      }
      const misses = postIds.filter((_, i) => cached[i]?.[0] === null || cached[i]?.[1] === null);
      const found = new Map<string, ViewerFlags>();
      if (misses.length > 0) {
        for (const id of misses) found.set(id, { liked: false, bookmarked: false });
        for (const r of await store.viewerReactions(viewer, misses)) {
          const flags = found.get(r.postId);
          if (flags && r.kind === 'l') flags.liked = true;
          if (flags && r.kind === 'b') flags.bookmarked = true;
        }
        if (redisUp) await cache.fillFlags(viewer, [...found].map(([postId, f]) => ({ postId, ...f }))).catch(onRedisError);
      }
      return postIds.map((id, i) => {
        const [liked, bookmarked] = cached[i] ?? [null, null];
        return liked !== null && bookmarked !== null ? { liked, bookmarked } : (found.get(id) ?? NO_FLAGS);
      });
    }, { maxBatchSize: 1_000 }),
    viewerFollows: new DataLoader<string, boolean>(async (userIds) => {
      if (viewer === null) return userIds.map(() => false);
      const followed = await store.followedAmong(viewer, userIds);
      return userIds.map((id) => followed.has(id));
    }, { maxBatchSize: 1_000 }),
    followsViewer: new DataLoader<string, boolean>(async (userIds) => {
      if (viewer === null) return userIds.map(() => false);
      const followers = await store.followersAmong(viewer, userIds);
      return userIds.map((id) => followers.has(id));
    }, { maxBatchSize: 1_000 }),
  };
}
