import { execFileSync } from 'node:child_process';

/** Builds dist/ once so end-to-end tests can start the real bot process as `npm start` would. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
