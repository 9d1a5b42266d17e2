import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOutputFile } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run.js';
import { listMigrations } from '../../src/db/migrate.js';
import { createScratchPostgres, TEST_DATABASE_URL, testDatabaseKind } from '../support/database.js';
import { capture } from '../support/cli.js';
import { TEST_DATA_KEY } from '../support/test-key.js';

// Issue #19, point 8: `migrate --dry-run` lists the migrations the next start would apply and
// changes nothing; `migrate` applies them.
describe(`CLI migrate on ${testDatabaseKind}`, () => {
  let folder: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'migrate-'));
    env = { DATA_DIR: join(folder, 'data'), DATA_KEY: TEST_DATA_KEY, LOG_LEVEL: 'silent' };
    if (TEST_DATABASE_URL) {
      const scratch = await createScratchPostgres();
      env.DATABASE_URL = scratch.url;
      drop = scratch.drop;
    }
  });
  afterAll(async () => {
    await drop?.();
    await rm(folder, { recursive: true, force: true });
  });

  const cli = async (...argv: string[]) => {
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(argv, env, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      writeOutput: writeOutputFile,
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  };

  it('lists every pending migration by name, changes nothing, then lists none once migrated', async () => {
    const all = (await listMigrations()).map((migration) => `${migration.tag}\n`).join('');
    const before = await cli('migrate', '--dry-run');
    expect(before).toMatchObject({ code: 0, stdout: all });
    expect(before.stderr).toContain('pending migration(s)');
    // Still all pending: the dry run applied nothing.
    expect((await cli('migrate', '--dry-run')).stdout).toBe(all);
    const applied = await cli('migrate');
    expect(applied).toMatchObject({ code: 0, stdout: '' });
    const after = await cli('migrate', '--dry-run');
    expect(after).toMatchObject({ code: 0, stdout: '' });
    expect(after.stderr).toContain('up to date');
  });
});
