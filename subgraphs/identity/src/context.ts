import type DataLoader from 'dataloader';
import { createKeyedLoader, type RequestIdentity } from '@plaza/common';
import type { Accounts } from './domain/accounts.js';
import type { IdentityStore, UserRow } from './store.js';

export interface IdentityContext extends RequestIdentity {
  accounts: Accounts;
  store: IdentityStore;
  loaders: { userById: DataLoader<string, UserRow | null> };
}

export function createLoaders(store: IdentityStore): IdentityContext['loaders'] {
  return { userById: createKeyedLoader((ids) => store.usersByIds(ids), (row) => row.id) };
}
