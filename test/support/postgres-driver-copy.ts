import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedPostgresDriverDir } from '../../src/db/driver-patch.js';

/** The files scripts/patch-postgres-driver.mjs patches. */
export const DRIVER_FILES = ['src/connection.js', 'cjs/src/connection.js'] as const;

/**
 * The patch's hunks as [what the script leaves, what postgres.js 3.4.9 has there]: undoing them on the
 * installed (patched) driver gives the driver as released, without fetching it.
 */
const HUNKS: [patched: string, released: string][] = [
  [
    "  function nextWrite(fn) {\n    /* liaison-bot: null-socket guard */\n    if (socket === null) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)",
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
  ],
  [
    "    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener('data', data)",
    "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)",
  ],
];

/** A copy of the installed driver (patched at `npm ci`) in a new temporary folder; returns the folder. */
export async function copyInstalledDriver(): Promise<string> {
  const folder = join(await mkdtemp(join(tmpdir(), 'pg-driver-')), 'postgres');
  await cp(installedPostgresDriverDir(), folder, { recursive: true });
  return folder;
}

/** Undoes the given hunks (1-based; all by default) of the patch in `file` of a driver copy. */
export async function unpatch(
  driverDir: string,
  file: (typeof DRIVER_FILES)[number],
  hunks: number[] = HUNKS.map((_, index) => index + 1),
): Promise<void> {
  const path = join(driverDir, file);
  let source = await readFile(path, 'utf8');
  for (const hunk of hunks) {
    const [patched, released] = HUNKS[hunk - 1] as [string, string];
    if (!source.includes(patched)) {
      throw new Error(`${path} lacks hunk ${hunk}: the installed driver is not patched (run npm ci)`);
    }
    source = source.replace(patched, () => released);
  }
  await writeFile(path, source);
}

/** A copy of the driver as released: every hunk undone in every file. */
export async function copyReleasedDriver(): Promise<string> {
  const folder = await copyInstalledDriver();
  for (const file of DRIVER_FILES) await unpatch(folder, file);
  return folder;
}
