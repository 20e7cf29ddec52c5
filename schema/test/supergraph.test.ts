import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, SUPERGRAPH_FILE } from '../compose.js';

describe('schema/supergraph.graphql', () => {
  it('composes from the subgraphs without errors', () => {
    expect(() => composeSupergraph()).not.toThrow();
  });

  it('is up to date with the subgraphs (run `npm run compose` when this fails)', () => {
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composeSupergraph());
  });
});
