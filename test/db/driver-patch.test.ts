// Nothing opens PostgreSQL through a postgres.js driver installed without liaison-bot's patch (as
// `npm ci --ignore-scripts` leaves it): the process would die when the server goes away mid-transaction.
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertPostgresDriverPatched,
  installedPostgresDriverDir,
  PostgresDriverUnpatchedError,
  postgresDriverPatchProblems,
} from '../../src/db/driver-patch.js';
import { packageRoot } from '../../src/paths.js';
import { copyInstalledDriver, copyReleasedDriver, unpatch } from '../support/postgres-driver-copy.js';

describe('the start-up check of the PostgreSQL driver patch', () => {
  const folders: string[] = [];
  const track = (driverDir: string) => {
    folders.push(dirname(driverDir));
    return driverDir;
  };
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it('finds the driver this code loads, patched by npm ci', () => {
    expect(installedPostgresDriverDir()).toBe(join(packageRoot(), 'node_modules', 'postgres'));
    expect(postgresDriverPatchProblems(installedPostgresDriverDir())).toEqual([]);
    expect(() => assertPostgresDriverPatched()).not.toThrow();
  });

  it('accepts a patched copy', async () => {
    const driver = track(await copyInstalledDriver());
    expect(postgresDriverPatchProblems(driver)).toEqual([]);
    expect(() => assertPostgresDriverPatched(driver)).not.toThrow();
  });

  it('refuses the driver as released, saying to run npm ci without --ignore-scripts', async () => {
    const driver = track(await copyReleasedDriver());
    const refusal = (() => {
      try {
        assertPostgresDriverPatched(driver);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(PostgresDriverUnpatchedError);
    const { message, problems } = refusal as PostgresDriverUnpatchedError;
    expect(problems).toEqual(['src/connection.js is not patched', 'cjs/src/connection.js is not patched']);
    expect(message).toContain(`the PostgreSQL driver in ${driver} lacks liaison-bot's patch`);
    expect(message).toContain('`npm ci` (without --ignore-scripts');
  });

  it('refuses a file with one hunk and not the other', async () => {
    const driver = track(await copyInstalledDriver());
    await unpatch(driver, 'cjs/src/connection.js', [2]);
    expect(postgresDriverPatchProblems(driver)).toEqual(['cjs/src/connection.js lacks hunk 2']);
    expect(() => assertPostgresDriverPatched(driver)).toThrow(PostgresDriverUnpatchedError);
  });

  it('refuses a driver with a patched file missing', async () => {
    const driver = track(await copyInstalledDriver());
    await rm(join(driver, 'src/connection.js'));
    expect(postgresDriverPatchProblems(driver)).toEqual(['src/connection.js unreadable: ENOENT']);
    expect(() => assertPostgresDriverPatched(driver)).toThrow(PostgresDriverUnpatchedError);
  });
});
