import { describe, expect, it } from 'vitest';
import { flattenAtPath, flattenConditioned, hydratedConditionedPaths, hydratedPaths, isConditionedPath, withoutConditions } from '../src/executor/paths.js';

const data = {
  reviews: [
    { __typename: 'UserReview', product: { __typename: 'Product', id: '1' } },
    { __typename: 'AnonymousReview', product: { __typename: 'Product', id: '2' } },
    null,
    { __typename: 'UserReview', product: { __typename: 'Product', id: '3' } },
  ],
  review: { __typename: 'AnonymousReview', product: { __typename: 'Product', id: '4' } },
};

describe('type-conditioned plan paths (typeConditionedFetching)', () => {
  it('are recognised, and plain paths are not', () => {
    expect(isConditionedPath(['reviews', '@|[UserReview]', 'product'])).toBe(true);
    expect(isConditionedPath(['', 'review|[UserReview]', 'product'])).toBe(true);
    expect(isConditionedPath(['reviews', '@', 'product'])).toBe(false);
  });

  it('leave out the values of other types, in lists and in fields', () => {
    // A null element stays null (no entity: nothing is sent for it), as with plain paths.
    const nonNull = (value: unknown) => (value as unknown[]).filter((x) => x !== null);
    expect(nonNull(flattenConditioned(data, ['reviews', '@|[UserReview]', 'product']))).toEqual([
      { __typename: 'Product', id: '1' },
      { __typename: 'Product', id: '3' },
    ]);
    expect(flattenConditioned(data, ['', 'review|[UserReview]', 'product'])).toBeUndefined();
    expect(flattenConditioned(data, ['', 'review|[UserReview,AnonymousReview]', 'product'])).toEqual({ __typename: 'Product', id: '4' });
  });

  it('find the same values as plain paths when every type is allowed', () => {
    const plain = flattenAtPath(data, ['reviews', '@', 'product']) as unknown[];
    expect(flattenConditioned(data, ['reviews', '@|[UserReview,AnonymousReview]', 'product'])).toEqual(plain);
    expect(hydratedConditionedPaths(['reviews', '@|[UserReview,AnonymousReview]', 'product'], data)).toEqual(hydratedPaths(['reviews', '@', 'product'], data));
  });

  it('hydrate error paths entity by entity, in the order the entities were sent, without conditions', () => {
    expect(hydratedConditionedPaths(['reviews', '@|[UserReview]', 'product'], data)).toEqual([
      ['reviews', 0, 'product'],
      ['reviews', 3, 'product'],
    ]);
    expect(withoutConditions(['', 'review|[UserReview]', 'product', '@|[A]'])).toEqual(['review', 'product', '@']);
  });
});
