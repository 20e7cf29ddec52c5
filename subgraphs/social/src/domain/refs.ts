import type { PostSnapshot, UserSnapshot } from '../store.js';

/**
 * A post as social's resolvers pass it around: its id, and after a mutation the exact state the
 * mutation's transaction saw (which the resolvers prefer to the cache).
 */
export interface PostRef {
  id: string;
  snapshot?: PostSnapshot;
}

/** A user as social's resolvers pass it around; `snapshot` as for PostRef. */
export interface UserRef {
  id: string;
  snapshot?: UserSnapshot;
}
