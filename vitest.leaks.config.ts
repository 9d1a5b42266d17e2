import { defineConfig } from 'vitest/config';

// The leak hunt: every output of every feature checked for marker strings (see test/leaks/).
export default defineConfig({
  test: {
    include: ['test/leaks/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/test-key.ts'],
    pool: 'forks',
  },
});
