import type { RequestIdentity } from '@plaza/common';
import type { Search } from './domain/search.js';

/** Search has no per-request state: every field of a page is answered by one query. */
export interface SearchContext extends RequestIdentity {
  search: Search;
}
