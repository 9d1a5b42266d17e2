import { spawnSync } from 'node:child_process';

/**
 * Builds dist/ once so end-to-end tests can start the real bot process as `npm start` would.
 * Type errors do not stop the emit (CI type-checks separately), so a half-typed file elsewhere
 * does not block unrelated tests.
 */
export default function setup(): void {
  const result = spawnSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    process.stderr.write(`warning: the build reported type errors; end-to-end tests run the emitted code\n`);
  }
}
