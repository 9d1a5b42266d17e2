import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import EndToEndFirst from './test/support/sequencer.js';

// Durations of the last run, which order the next, are kept per database: a file's length differs
// between them (the tour runs for minutes on PGlite and is skipped on Postgres).
const database = process.env.TEST_DATABASE_URL?.trim() ? 'postgres' : 'pglite';

export default defineConfig({
  cacheDir: `node_modules/.vite/${database}`,
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/leaks/**', 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/test-key.ts'],
    pool: 'forks',
    sequence: { sequencer: EndToEndFirst },
    // At least four files at once (one per core on larger machines): most files wait on a bot process, a long poll, Telegram's
    // one message a second per chat or a quiet window rather than on CPU. On 2 cores, two workers
    // kept the Postgres run 60% idle (7 min 45 s; four: 5 min 53 s); the PGlite run is near CPU-bound
    // either way (12 min 44 s with two, 11 min 7 s to 11 min 41 s with four).
    maxWorkers: Math.max(4, availableParallelism()),
  },
});
