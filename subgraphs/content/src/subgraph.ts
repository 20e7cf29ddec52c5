import { defineSubgraph } from '@plaza/common';
import { createLoaders, type ContentContext } from './context.js';
import { createComments } from './domain/comments.js';
import { createPosts } from './domain/posts.js';
import { resolvers } from './resolvers.js';
import { createContentStore } from './store.js';

/** Posts, drafts, tags, threaded comments and tree-hollow pseudonyms. */
export const content = defineSubgraph({
  name: 'content',
  port: 4002,
  moduleUrl: import.meta.url,
  resolvers,
  wire({ runtime }) {
    const store = createContentStore(runtime.pool, () => runtime.outbox.wake());
    const posts = createPosts({ store });
    const comments = createComments({ store });
    return {
      context: (identity): ContentContext => ({ ...identity, posts, comments, loaders: createLoaders(store) }),
    };
  },
});
