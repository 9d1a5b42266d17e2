// The CLI's commands open PostgreSQL through the same check as the bot: with the driver installed
// unpatched (npm ci --ignore-scripts) they refuse, exit 2, before connecting; on the embedded database
// (no DATABASE_URL) the driver is not used and nothing is refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeOutputFile } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run.js';
import { capture } from '../support/cli.js';
import { copyReleasedDriver } from '../support/postgres-driver-copy.js';
import { TEST_DATA_KEY } from '../support/test-key.js';

// The check looks at the driver this code loads; here, at an unpatched copy instead.
const driver = vi.hoisted(() => ({ dir: '' }));
vi.mock(import('../../src/db/driver-patch.js'), async (importOriginal) => {
  const actual = await importOriginal();
  return {
    ...actual,
    assertPostgresDriverPatched: (dir?: string) => actual.assertPostgresDriverPatched(dir ?? driver.dir),
  };
});

describe('CLI commands with the PostgreSQL driver installed unpatched', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'cli-driver-'));
    driver.dir = await copyReleasedDriver();
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await rm(dirname(driver.dir), { recursive: true, force: true });
  });

  const cli = async (env: Record<string, string>, ...argv: string[]) => {
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(argv, env, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      writeOutput: writeOutputFile,
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  };

  // Nothing listens on port 1: a command that tried to connect would fail otherwise, not be refused.
  const onPostgres = () => ({
    DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
    DATA_DIR: join(folder, 'unused'),
    DATA_KEY: TEST_DATA_KEY,
    LOG_LEVEL: 'silent',
  });

  it.each(['migrate', 'migrate --dry-run', 'restore /nonexistent/backup'])(
    '%s refuses on PostgreSQL (exit 2), saying to run npm ci without --ignore-scripts',
    async (command) => {
      const run = await cli(onPostgres(), ...command.split(' '));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `${command.split(' ')[0]}: cannot open PostgreSQL: the PostgreSQL driver in ${driver.dir}`,
      );
      expect(run.stderr).toContain('`npm ci` (without --ignore-scripts');
    },
  );

  it('runs on the embedded database, which does not use the driver', async () => {
    const run = await cli(
      { DATA_DIR: join(folder, 'data'), DATA_KEY: TEST_DATA_KEY, LOG_LEVEL: 'silent' },
      'migrate',
      '--dry-run',
    );
    expect(run.stderr).not.toContain('PostgreSQL driver');
    expect(run.code).toBe(0);
  });
});
