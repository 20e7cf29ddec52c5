import type DataLoader from 'dataloader';
import { createCountLoader, createGroupedLoader, createKeyedLoader, type RequestIdentity } from '@plaza/common';
import type { Comments } from './domain/comments.js';
import type { Posts } from './domain/posts.js';
import type { CommentRow, ContentStore, PostRow } from './store.js';

export interface ContentLoaders {
  /** Live posts by id, whoever may see them: callers apply `canSeePost`. */
  postById: DataLoader<string, PostRow | null>;
  commentById: DataLoader<string, CommentRow | null>;
  /** `User.postCount`: listed, non-anonymous posts per author. */
  postCountByAuthor: DataLoader<string, number>;
  /** `Tag.postCount`: listed posts per tag. */
  postCountByTag: DataLoader<string, number>;
  /**
   * The first `perRoot` replies of threads, by root id: every root of a page asks, and one
   * window-function query answers them all. One loader per page size.
   */
  firstReplies(perRoot: number): DataLoader<string, CommentRow[]>;
}

export interface ContentContext extends RequestIdentity {
  posts: Posts;
  comments: Comments;
  loaders: ContentLoaders;
}

export function createLoaders(store: ContentStore): ContentLoaders {
  const repliesBySize = new Map<number, DataLoader<string, CommentRow[]>>();
  return {
    postById: createKeyedLoader((ids) => store.postsByIds(ids), (row) => row.id),
    commentById: createKeyedLoader((ids) => store.commentsByIds(ids), (row) => row.id),
    postCountByAuthor: createCountLoader((ids) => store.postCountsByAuthor(ids)),
    postCountByTag: createCountLoader((tags) => store.postCountsByTag(tags)),
    firstReplies(perRoot) {
      let loader = repliesBySize.get(perRoot);
      if (!loader) {
        loader = createGroupedLoader((roots) => store.firstRepliesOfRoots(roots, perRoot), (row) => row.rootId ?? '');
        repliesBySize.set(perRoot, loader);
      }
      return loader;
    },
  };
}
