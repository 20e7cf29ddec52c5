import { defineConfig } from 'vitest/config';
import './test-env.js';

export default defineConfig({
  test: {
    projects: ['packages/*', 'subgraphs/*', 'gateway', 'schema', 'e2e', 'bench/gateway'],
    // Two cores: two test files at a time, each in its own process.
    pool: 'forks',
    maxWorkers: 2,
  },
});
