#!/usr/bin/env node
// Runs at every install (package.json "prepare"): compiles TypeScript into dist/ (as `npm run build` does),
// so `npm start` runs built code and needs neither TypeScript nor a writable source tree. A production
// install (`npm ci --omit=dev`) has no TypeScript: there the dist/ that was built before is used, and
// the install fails only if there is none.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const built = join(root, 'dist', 'src', 'main.js');

// npm says `--omit=dev` in the environment of the scripts it runs. (TypeScript may be installed even
// then, as an optional peer of i18next: a production install still keeps the dist/ it was given.)
const production = (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev');
if (production && existsSync(built)) {
  process.stderr.write('liaison-bot: a production install: using the built dist/\n');
  process.exit(0);
}
if (!existsSync(tsc)) {
  if (existsSync(built)) {
    process.stderr.write('liaison-bot: TypeScript is not installed: using the built dist/\n');
    process.exit(0);
  }
  process.stderr.write(
    'liaison-bot: there is no dist/ and no TypeScript to build it. Install with the dev dependencies (npm ci), or copy in a dist/ built by `npm run build`\n',
  );
  process.exit(1);
}
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  // tsc still emits on type errors; `npm run typecheck` (and CI) reports them. A half-typed working
  // copy must not stop an install, but a build that emitted nothing must.
  if (!existsSync(built)) process.exit(result.status ?? 1);
  process.stderr.write('liaison-bot: the build reported type errors (see above); dist/ was written anyway\n');
}
