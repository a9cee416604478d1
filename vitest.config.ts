import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The sandbox, moto and the aws CLI are real processes: two cores cannot run many at once.
    maxWorkers: 2,
  },
});
