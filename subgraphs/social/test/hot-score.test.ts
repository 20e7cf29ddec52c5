import { describe, expect, it } from 'vitest';
import { hotPoints, hotRank, hotScore, type HotInputs } from '../src/domain/hot-score.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const post = (c: Partial<HotInputs>): HotInputs => ({ likes: 0, bookmarks: 0, comments: 0, views: 0, publishedAt: T0, ...c });

describe('the hot score', () => {
  it('weighs likes 1, bookmarks 2, comments 3 and views 0.1', () => {
    expect(hotPoints(post({ likes: 4, bookmarks: 3, comments: 2, views: 50 }))).toBeCloseTo(4 + 6 + 6 + 5);
  });

  it('halves every half-life after publication, and is 0 without points or a publication time', () => {
    const p = post({ likes: 8 });
    expect(hotScore(p, T0, 24)).toBe(8);
    expect(hotScore(p, T0 + 24 * HOUR, 24)).toBeCloseTo(4);
    expect(hotScore(p, T0 + 72 * HOUR, 24)).toBeCloseTo(1);
    expect(hotScore(post({}), T0, 24)).toBe(0);
    expect(hotScore(post({ likes: 3, publishedAt: null }), T0, 24)).toBe(0);
    expect(hotRank(post({}), 24)).toBeNull();
  });

  it('ranks posts by a time-free number in the same order as their decayed scores at any moment', () => {
    const posts = [
      post({ likes: 100, publishedAt: T0 }),
      post({ likes: 10, publishedAt: T0 + 60 * HOUR }),
      post({ views: 30, publishedAt: T0 + 90 * HOUR }),
      post({ comments: 5, bookmarks: 1, publishedAt: T0 + 30 * HOUR }),
    ];
    for (const now of [T0 + 90 * HOUR, T0 + 200 * HOUR, T0 + 1_000 * HOUR]) {
      const byScore = [...posts.keys()].sort((a, b) => hotScore(posts[b]!, now, 24) - hotScore(posts[a]!, now, 24));
      const byRank = [...posts.keys()].sort((a, b) => hotRank(posts[b]!, 24)! - hotRank(posts[a]!, 24)!);
      expect(byRank).toEqual(byScore);
      for (const p of posts) expect(2 ** (hotRank(p, 24)! - now / HOUR / 24)).toBeCloseTo(hotScore(p, now, 24), 6);
    }
  });
});
