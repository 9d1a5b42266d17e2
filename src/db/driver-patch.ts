import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// postgres.js 3.4.9 throws an uncatchable TypeError, killing the process, when the server goes away
// mid-transaction (upstream porsager/postgres#1154, #1208). scripts/patch-postgres-driver.mjs patches the
// installed driver at `npm ci`; an install with --ignore-scripts skips it and brings the crash back
// silently. So nothing opens PostgreSQL until the patch is seen in place: what each hunk of the script
// leaves behind, in each file it patches (keep these in step with the script).

/** The files the script patches, inside the driver's folder: the ESM build and the CommonJS one. */
const PATCHED_FILES = ['src/connection.js', 'cjs/src/connection.js'];
/** The marker the script writes (hunk 1), then the write-buffer reset it adds on close (hunk 2). */
const APPLIED = [
  '/* liaison-bot: null-socket guard */',
  "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener('data', data)",
];

/** Thrown when the installed PostgreSQL driver lacks the patch; start-up refuses (exit 2). */
export class PostgresDriverUnpatchedError extends Error {
  constructor(
    readonly driverDir: string,
    readonly problems: string[],
  ) {
    super(
      `the PostgreSQL driver in ${driverDir} lacks liaison-bot's patch (${problems.join('; ')}), without which the process dies when PostgreSQL goes away mid-transaction. Reinstall with \`npm ci\` (without --ignore-scripts: its postinstall runs scripts/patch-postgres-driver.mjs), or run \`node scripts/patch-postgres-driver.mjs\`.`,
    );
    this.name = 'PostgresDriverUnpatchedError';
  }
}

/** The folder of the postgres.js package this code loads. */
export function installedPostgresDriverDir(): string {
  let folder = dirname(createRequire(import.meta.url).resolve('postgres'));
  while (!isDriverRoot(folder)) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('the postgres package.json was not found above its entry point');
    folder = parent;
  }
  return folder;
}

function isDriverRoot(folder: string): boolean {
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'postgres';
  } catch {
    return false;
  }
}

/** What is missing from the driver in `driverDir` for the patch to be in place; empty when it is. */
export function postgresDriverPatchProblems(driverDir: string): string[] {
  const problems: string[] = [];
  for (const file of PATCHED_FILES) {
    let source: string;
    try {
      source = readFileSync(join(driverDir, file), 'utf8');
    } catch (error) {
      problems.push(`${file} unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      continue;
    }
    const missing = APPLIED.flatMap((text, index) => (source.includes(text) ? [] : [index + 1]));
    if (missing.length === APPLIED.length) problems.push(`${file} is not patched`);
    else if (missing.length > 0) problems.push(`${file} lacks hunk ${missing.join(', ')}`);
  }
  return problems;
}

const verified = new Set<string>();

/**
 * Throws PostgresDriverUnpatchedError unless the driver in `driverDir` (by default the one this code
 * loads) is patched. Reads the files once per folder and process when they pass.
 */
export function assertPostgresDriverPatched(driverDir: string = installedPostgresDriverDir()): void {
  if (verified.has(driverDir)) return;
  const problems = postgresDriverPatchProblems(driverDir);
  if (problems.length > 0) throw new PostgresDriverUnpatchedError(driverDir, problems);
  verified.add(driverDir);
}
