import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/leaks/**', 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/test-key.ts'],
    pool: 'forks',
    // At least two files at once, even on 2 cores: most files wait on a bot process, a long poll or
    // a quiet window rather than on CPU (one worker kept the machine half idle: PGlite 40 -> 14 min).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
