import { defineConfig } from 'vitest/config';
import '../test-env.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**'],
    globalSetup: ['./test/global-setup.ts'],
    // Each file starts its own in-process Plaza; two at a time suits a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
