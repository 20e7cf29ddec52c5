import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'subgraphs/*', 'gateway', 'schema', 'e2e'],
    // Two cores: two test files at a time, each in its own process.
    pool: 'forks',
    maxWorkers: 2,
  },
});
