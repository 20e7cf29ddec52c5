import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kafka consumer groups take a few seconds to join.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
