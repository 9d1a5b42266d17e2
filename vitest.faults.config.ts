import { defineConfig } from 'vitest/config';

// The fault-and-abuse suite: real bot processes against the fake Bot API, one scenario at a time,
// because scenario 3 stops the shared Postgres server and every scenario measures timing.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts', 'test/faults/report.ts'],
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
