/**
 * The hot score (README, "Hot list"):
 *
 *   points   = likes + 2 × bookmarks + 3 × comments + 0.1 × views
 *   hotScore = points × 2^(−(now − publishedAt) / halfLife)
 *
 * Decay is exponential in the post's age, so between two posts the ratio of their scores never
 * changes as time passes: the hot list can be ordered by a time-free rank,
 *
 *   rank = log2(points) + publishedAt / halfLife      (hotScore = 2^(rank − now / halfLife))
 *
 * which changes only when a post's counts change. The sorted set in Redis stores the rank; no
 * periodic rewrite of every score is needed for the decay itself.
 */
export const HOT_WEIGHTS = { likes: 1, bookmarks: 2, comments: 3, views: 0.1 } as const;

const HOUR_MS = 3_600_000;

export interface HotInputs {
  likes: number;
  bookmarks: number;
  comments: number;
  views: number;
  /** Published time in ms since the epoch; null when social does not know it. */
  publishedAt: number | null;
}

export function hotPoints(c: HotInputs): number {
  return (
    HOT_WEIGHTS.likes * c.likes +
    HOT_WEIGHTS.bookmarks * c.bookmarks +
    HOT_WEIGHTS.comments * c.comments +
    HOT_WEIGHTS.views * c.views
  );
}

/** The decayed score at `nowMs`; 0 for a post without points or a publication time. */
export function hotScore(c: HotInputs, nowMs: number, halfLifeHours: number): number {
  const points = hotPoints(c);
  if (points <= 0 || c.publishedAt === null) return 0;
  const ageHours = Math.max(0, nowMs - c.publishedAt) / HOUR_MS;
  return points * 2 ** (-ageHours / halfLifeHours);
}

/** The time-free rank the hot list is sorted by; null when the post has no points. */
export function hotRank(c: HotInputs, halfLifeHours: number): number | null {
  const points = hotPoints(c);
  if (points <= 0 || c.publishedAt === null) return null;
  return Math.log2(points) + c.publishedAt / HOUR_MS / halfLifeHours;
}
