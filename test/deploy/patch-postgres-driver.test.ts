// scripts/patch-postgres-driver.mjs (package.json "postinstall") patches postgres.js against the crash
// when the server goes away mid-transaction. It applies every hunk of every file or writes nothing, fails
// when the driver is missing or not the version it is written for, and a second run is a no-op. Each
// test runs it on a temporary copy of the installed driver.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installedPostgresDriverDir, postgresDriverPatchProblems } from '../../src/db/driver-patch.js';
import { packageRoot } from '../../src/paths.js';
import {
  copyInstalledDriver,
  copyReleasedDriver,
  DRIVER_FILES,
  unpatch,
} from '../support/postgres-driver-copy.js';

const root = packageRoot();
const script = join(root, 'scripts', 'patch-postgres-driver.mjs');

function patchDriver(driverDir: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [script, driverDir], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const contents = (driverDir: string) =>
  Promise.all(DRIVER_FILES.map((file) => readFile(join(driverDir, file), 'utf8')));

describe('scripts/patch-postgres-driver.mjs', () => {
  const folders: string[] = [];
  const track = (driverDir: string) => {
    folders.push(dirname(driverDir));
    return driverDir;
  };
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it('patches the driver as released into exactly what npm ci installed, which the start-up check accepts', async () => {
    const driver = track(await copyReleasedDriver());
    expect(postgresDriverPatchProblems(driver)).toEqual([
      'src/connection.js is not patched',
      'cjs/src/connection.js is not patched',
    ]);
    const run = patchDriver(driver);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toContain('patched postgres 3.4.9');
    expect(await contents(driver)).toEqual(await contents(installedPostgresDriverDir()));
    expect(postgresDriverPatchProblems(driver)).toEqual([]);
  });

  it('is a no-op the second time: exit 0, says it is already patched, changes nothing', async () => {
    const driver = track(await copyReleasedDriver());
    expect(patchDriver(driver).status).toBe(0);
    const once = await contents(driver);
    const again = patchDriver(driver);
    expect(again).toMatchObject({ status: 0, stderr: '' });
    expect(again.stdout).toContain('already patched');
    expect(await contents(driver)).toEqual(once);
  });

  it('finishes a run cut short between the two files', async () => {
    const driver = track(await copyInstalledDriver());
    await unpatch(driver, 'cjs/src/connection.js');
    const run = patchDriver(driver);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('(cjs/src/connection.js)');
    expect(postgresDriverPatchProblems(driver)).toEqual([]);
  });

  it('refuses a half-patched file (exit 1, says to reinstall) and writes nothing anywhere', async () => {
    const driver = track(await copyReleasedDriver());
    // src/connection.js has hunk 1 and not hunk 2 (as an older script could leave it); cjs is as released.
    await writeFile(
      join(driver, 'src/connection.js'),
      readFileSync(join(installedPostgresDriverDir(), 'src/connection.js'), 'utf8'),
    );
    await unpatch(driver, 'src/connection.js', [2]);
    const before = await contents(driver);
    const run = patchDriver(driver);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('NOT patched (nothing was written)');
    expect(run.stderr).toContain('src/connection.js is half-patched (hunk 1 applied, hunk 2 not)');
    expect(run.stderr).toContain('npm ci');
    expect(await contents(driver)).toEqual(before);
    expect(patchDriver(driver).status).toBe(1);
  });

  it('refuses a driver whose code moved under a hunk, naming the file and hunk', async () => {
    const driver = track(await copyReleasedDriver());
    const path = join(driver, 'cjs/src/connection.js');
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace('function nextWrite(fn) {', 'function nextWrite(cb) {'),
    );
    const before = await contents(driver);
    const run = patchDriver(driver);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cjs/src/connection.js: hunk 1 of 2 matches nowhere');
    expect(await contents(driver)).toEqual(before);
  });

  it('fails when a driver file is missing, and writes the other one neither', async () => {
    const driver = track(await copyReleasedDriver());
    await rm(join(driver, 'cjs/src/connection.js'));
    const before = await readFile(join(driver, 'src/connection.js'), 'utf8');
    const run = patchDriver(driver);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cjs/src/connection.js is missing');
    expect(await readFile(join(driver, 'src/connection.js'), 'utf8')).toBe(before);
  });

  it('fails when the driver is not installed at all', async () => {
    const driver = track(await copyReleasedDriver());
    await rm(driver, { recursive: true });
    const run = patchDriver(driver);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/package\.json is missing: postgres is not installed there/);
  });

  it('refuses another driver version than the one it is written for', async () => {
    const driver = track(await copyReleasedDriver());
    const manifest = join(driver, 'package.json');
    await writeFile(
      manifest,
      (await readFile(manifest, 'utf8')).replace('"version": "3.4.9"', '"version": "3.4.10"'),
    );
    const run = patchDriver(driver);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('postgres 3.4.10 is installed, but this patch is written for 3.4.9');
    expect(postgresDriverPatchProblems(driver)).toHaveLength(2);
  });

  it('is written for the exact version package.json and the lockfile pin', () => {
    const writtenFor = /const WRITTEN_FOR = '([^']+)'/.exec(readFileSync(script, 'utf8'))?.[1];
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    expect(writtenFor).toBe('3.4.9');
    expect(manifest.dependencies.postgres).toBe(writtenFor);
    expect(lock.packages['']?.dependencies?.postgres).toBe(writtenFor);
    expect(lock.packages['node_modules/postgres']?.version).toBe(writtenFor);
  });
});
