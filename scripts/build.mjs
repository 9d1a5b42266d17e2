#!/usr/bin/env node
// Runs at every install (package.json "prepare") and as `npm run build`: compiles TypeScript into dist/,
// so `npm start` runs built code and needs neither TypeScript nor a writable source tree, then bundles
// the two entry points (see bundleEntryPoints). A production install (`npm ci --omit=dev`) has no
// TypeScript: there the dist/ that was built before is used, and the install fails only if there is none.
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
await bundleEntryPoints();

/**
 * Rewrites dist/src/main.js and dist/src/cli.js, which tsc just wrote as one small module each, as
 * one file each holding the app and most of its packages. Unbundled, `node dist/src/main.js --version`
 * opened 633 files (145 of them the app's modules) and took 0.62 s, bundled 66 files and 0.35 s
 * (2-core bench machine): resolving, reading and compiling each file, which every bot start and every
 * CLI command paid.
 * Nothing else changes: the other dist/ modules (the bench and tests import them) stay as tsc wrote
 * them, and without esbuild the unbundled entry points, which run the same code, are kept.
 *
 * Left outside the bundle, each for a reason of its own:
 * - @electric-sql/pglite loads its WebAssembly and data files from beside its own module;
 * - postgres is patched at install (scripts/patch-postgres-driver.mjs) and checked at start
 *   (src/db/driver-patch.ts): the code that runs must be that installed, checked copy;
 * - pino and pino-pretty: pino's transports run in worker threads that load files by path;
 * - node-cron runs background tasks from a daemon file beside its own module;
 * - echarts, @resvg/resvg-js (a native addon) and exceljs are imported only when first used.
 */
async function bundleEntryPoints() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('liaison-bot: esbuild is not installed: dist/ keeps its unbundled entry points\n');
    return;
  }
  for (const entry of ['main', 'cli']) {
    await esbuild.build({
      entryPoints: [join(root, 'src', `${entry}.ts`)],
      outfile: join(root, 'dist', 'src', `${entry}.js`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20.19',
      sourcemap: 'linked',
      logLevel: 'warning',
      external: [
        '@electric-sql/pglite',
        'postgres',
        'pino',
        'pino-pretty',
        'node-cron',
        'echarts',
        '@resvg/resvg-js',
        'exceljs',
      ],
      // The bundled CommonJS packages (telegraf and its own) call require(), which ES modules lack.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
  }
}
