import { createLogger, createServiceRuntime, serveSubgraph, type RunningServer } from '@plaza/common';
import { createComments } from './domain/comments.js';
import { createPosts } from './domain/posts.js';
import type { ContentConfig } from './environment.js';
import { createLoaders, type ContentContext } from './context.js';
import { resolvers } from './resolvers.js';
import { typeDefs } from './schema.js';
import { createContentStore } from './store.js';

export const name = 'content';

/** Wires and starts the content subgraph; returns its URL and how to stop it. */
export async function startContent(config: ContentConfig): Promise<RunningServer> {
  const logger = createLogger(name, config.logLevel);
  const runtime = await createServiceRuntime(config.runtime, logger);
  const store = createContentStore(runtime.pool, () => runtime.outbox.wake());
  const posts = createPosts({ store });
  const comments = createComments({ store });

  return serveSubgraph<Omit<ContentContext, 'viewer' | 'clientIp'>>({
    runtime,
    module: { name, typeDefs, resolvers },
    server: config.server,
    context: () => ({ posts, comments, loaders: createLoaders(store) }),
  });
}
