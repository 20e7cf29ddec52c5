import { defineConfig } from 'vitest/config';

// The benchmark's own unit tests (harness, graphs, report), a project of the root's `npm test`.
// They need only the repository's packages (autocannon is a root dev dependency for them); the
// benchmark itself runs Hive Gateway and stock Apollo from this folder's own package.json.
// `graphql` resolves to its CommonJS build, the one @apollo/subgraph loads: one graphql realm for
// the schemas it builds and the `execute` the tests call (under node --import tsx that is the
// default; vite would pick the ESM build).
export default defineConfig({
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: { include: ['test/**/*.test.ts'] },
});
