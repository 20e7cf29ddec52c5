import type DataLoader from 'dataloader';
import { createKeyedLoader, type RequestIdentity } from '@plaza/common';
import type { Messages } from './domain/messages.js';
import type { ConversationView, MessageRow, MessagingStore } from './store.js';

export interface MessagingLoaders {
  messageById: DataLoader<string, MessageRow | null>;
  /** The viewer's views of conversations by id; null for conversations they are not part of. */
  viewById: DataLoader<string, ConversationView | null>;
}

export interface MessagingContext extends RequestIdentity {
  messages: Messages;
  loaders: MessagingLoaders;
}

/**
 * Per-request loaders. A subscription builds fresh ones for every event (a loader's cache would
 * otherwise serve the first event's unread counts to every later one).
 */
export function createLoaders(store: MessagingStore, viewerId: string | null): MessagingLoaders {
  return {
    messageById: createKeyedLoader((ids) => store.messagesByIds(ids), (row) => row.id),
    viewById: createKeyedLoader(
      (ids) => (viewerId === null ? Promise.resolve([]) : store.viewsOf(viewerId, ids)),
      (row) => row.id,
    ),
  };
}
