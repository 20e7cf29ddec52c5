import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // These tests talk to the real Postgres.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
