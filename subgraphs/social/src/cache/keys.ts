/**
 * Every Redis key social uses. Redis holds derived state only: each key can be lost (a flush, a
 * restart, an eviction) and is rebuilt from Postgres. One Redis serves one database: two Redis
 * deployments in front of one database would each miss the other's updates.
 */
export const keys = {
  /** Hash of a post's durable counters: ver, l(ikes), b(ookmarks), v(iews), c(omments), p(ublished ms), s (listed 0/1). */
  postCounters: (postId: string) => `social:pc:${postId}`,
  /** Hash of a user's durable counters: ver, fr (followers), fg (following), lr (likes received). */
  userCounters: (userId: string) => `social:uc:${userId}`,
  /** Hash of a viewer's reactions: `l:<postId>` and `b:<postId>` → 1 or 0. */
  viewerFlags: (userId: string) => `social:vf:${userId}`,
  /** Set while a viewer's view of a post counts for the window (the value is unused). */
  viewSeen: (postId: string, viewer: string) => `social:seen:${postId}:${viewer}`,
  /** Sorted set of post ids pushed into a reader's feed, scored by published time (ms). */
  inbox: (userId: string) => `social:inbox:${userId}`,
  /** Hash beside an inbox: epoch (generation it was built in), floor (entries at or below it may be missing), building. */
  inboxMeta: (userId: string) => `social:inbox:${userId}:m`,
  /** Sorted set of the hot list: post id → log2(points) + published hours / half-life. */
  hot: 'social:hot',
  /** Sorted set beside the hot list: post id → published time (ms), to drop posts that leave the window. */
  hotPublished: 'social:hot:pub',
  /** Present once the hot list has been built from Postgres (its absence means it was lost). */
  hotBuilt: 'social:hot:built',
  /** Held by the instance rebuilding the hot list. */
  hotLock: 'social:hot:lock',
  /** A frozen copy of the top of the hot list that `trending` pages through. */
  hotSnapshot: (id: number) => `social:hot:snap:${id}`,
};
