import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// `npm run test:quick`, the inner loop: the test files that need no database, no child process and no
// build (pure domain, texts, the fake Bot API, the sender's logic on fakes). Chosen by what a file
// imports or reads (a built file under dist/src), so a new test joins or leaves the quick set by
// itself; `npm test` still runs everything.
const needsMore =
  /support\/(database|harness|bot-process|cli-process|e2e-session|cli)\.js|createTestDatabase|openDatabase|child_process|'dist\/src\//;

function quickFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return ['e2e', 'leaks', 'faults'].includes(entry.name) ? [] : quickFiles(path);
    return path.endsWith('.test.ts') && !needsMore.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

export default defineConfig({
  test: {
    include: quickFiles('test'),
    testTimeout: 30_000,
    setupFiles: ['test/support/test-key.ts'],
    pool: 'forks',
  },
});
