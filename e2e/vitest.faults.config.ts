import { defineConfig } from 'vitest/config';
import '../test-env.js';

/** Fault tests stop and start shared infrastructure (the Kafka broker): one file at a time, alone. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
