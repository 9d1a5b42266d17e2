// Issue #19, acceptance 2: every command of the real CLI process writes its data, and only its data, to
// stdout — `export --format jsonl > f` must give a file of items, not a log line first — with and
// without DATA_KEY, on the database the suite runs on.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/database.js';
import { runCliProcess } from '../support/cli-process.js';
import { E2eSession } from '../support/e2e-session.js';
import { user } from '../support/updates.js';

const admin = user(9700, { name: '赵部长' });
const monitor = user(9701, { name: '丹东信息员' });
const TIP_TEXT = '镇长在防波堤工程中指定施工方，金额约300万元';

/** Any stdout line that looks like a pino log line (JSON with a level and a message). */
function logLinesIn(stdout: string): string[] {
  return stdout.split('\n').filter((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return typeof parsed === 'object' && parsed !== null && 'level' in parsed && 'msg' in parsed;
    } catch {
      return false;
    }
  });
}

function expectItems(rows: Record<string, unknown>[], count: number): void {
  expect(rows).toHaveLength(count);
  for (const row of rows) {
    expect(Number(row.number)).toBeGreaterThan(0);
    expect(String(row.code)).toMatch(/^[DFPSIO]-[A-Z]+$/);
    expect(row.unit).toBeTruthy();
  }
}

describe(`the CLI's stdout holds only data, on ${testDatabaseKind}`, { timeout: 180_000 }, () => {
  let home: string;
  beforeAll(async () => {
    // A generated key may be kept under the home folder: never the real one.
    home = await mkdtemp(join(tmpdir(), 'liaison-cli-home-'));
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it('--help and --version on both entry points print to stdout and exit 0 without starting anything', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'liaison-flags-'));
    try {
      // No BOT_TOKEN: anything that tried to start would exit 2 naming it.
      for (const entry of ['dist/src/main.js', 'dist/src/cli.js']) {
        const version = await runCliProcess(['--version'], {}, cwd, { entry });
        expect({ entry, ...version }).toEqual({ entry, code: 0, stdout: '0.1.0\n', stderr: '' });
        const help = await runCliProcess(['--help'], {}, cwd, { entry });
        expect({ entry, code: help.code, stderr: help.stderr }).toEqual({ entry, code: 0, stderr: '' });
        expect(help.stdout).toMatch(/Exit status: 0 .*1 .*2 /s);
      }
      const commandHelp = await runCliProcess(['backup', '--help'], {}, cwd);
      expect(commandHelp.code).toBe(0);
      expect(commandHelp.stdout).toContain('backup --out <file>');
      // Nothing was created: no data folder, no key.
      expect(await readdir(cwd)).toEqual([]);
      // Bad usage is exit 2, with the usage on stderr and nothing on stdout.
      for (const args of [['no-such-command'], [], ['export', '--format', 'pdf']]) {
        const run = await runCliProcess(args, { DATA_DIR: join(cwd, 'data') }, cwd);
        expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
        expect(run.stderr).not.toBe('');
      }
      const unknownFlag = await runCliProcess(['--verbose'], {}, cwd, { entry: 'dist/src/main.js' });
      expect(unknownFlag.code).toBe(2);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('a first command on a fresh installation without DATA_KEY prints no log line on stdout', async () => {
    const session = await E2eSession.create();
    try {
      const env = { ...session.database.env, DATA_KEY: '', HOME: home, LOG_LEVEL: 'info' };
      const run = await runCliProcess(['export', '--format', 'jsonl'], env, session.database.cwd);
      expect(run.stderr).not.toContain('unknown command');
      expect(run.code).toBe(0);
      expect(logLinesIn(run.stdout)).toEqual([]);
      expect(run.stdout).toBe('');
    } finally {
      await session.dispose();
    }
  });

  for (const keyMode of ['with DATA_KEY', 'without DATA_KEY'] as const) {
    describe(keyMode, () => {
      let session: E2eSession;
      let env: Record<string, string>;
      const cli = (...args: string[]) => runCliProcess(args, env, session.database.cwd);

      beforeAll(async () => {
        const keyEnv: Record<string, string> = keyMode === 'without DATA_KEY' ? { DATA_KEY: '' } : {};
        session = await E2eSession.create({ ADMIN_IDS: String(admin.id), HOME: home, ...keyEnv });
        await session.start();
        await session.enrol(admin, monitor, 'monitor 丹东社区');
        await session.say(monitor, `/tip F-HPZ ${TIP_TEXT}`);
        await session.say(monitor, `/tip P-DXZ 书记在干部调整中未经集体讨论`);
        await session.stop();
        env = { ...session.database.env, ...keyEnv, HOME: home, LOG_LEVEL: 'debug' };
      }, 180_000);
      afterAll(() => session.dispose());

      it('export --format jsonl: every stdout line parses as an item', async () => {
        const run = await cli('export', '--format', 'jsonl');
        expect(run.code).toBe(0);
        const lines = run.stdout.trimEnd().split('\n');
        expectItems(
          lines.map((line) => JSON.parse(line) as Record<string, unknown>),
          2,
        );
        expect(run.stdout).not.toContain('防波堤');
      });

      it('export --format csv: a header and one row per item', async () => {
        const run = await cli('export', '--format', 'csv');
        expect(run.code).toBe(0);
        expectItems(parse(run.stdout, { columns: true }) as Record<string, unknown>[], 2);
      });

      it('every other command: data on stdout, messages on stderr, never a log line on stdout', async () => {
        const units = join(session.database.cwd, 'units.csv');
        await writeFile(
          units,
          'code,name_zh,name_en,kind,audit_class,head_name,head_title\nTSTX,测试镇,Test Town,town,A,,\n',
        );
        const runs = {
          migrate: await cli('migrate'),
          units: await cli('units', 'import', units),
          invite: await cli('invite', 'officer'),
          digest: await cli('digest', 'daily', '--dry-run'),
          retention: await cli('retention', '--dry-run'),
          inbox: await cli('inbox', 'failed'),
        };
        for (const [name, run] of Object.entries(runs)) {
          expect({ name, code: run.code, stderr: run.stderr }).toMatchObject({ name, code: 0 });
          expect({ name, logLines: logLinesIn(run.stdout) }).toEqual({ name, logLines: [] });
        }
        // Commands that change something say so on stderr and print no data.
        expect(runs.migrate.stdout).toBe('');
        expect(runs.migrate.stderr).toContain('migrations');
        expect(runs.units.stdout).toBe('');
        expect(runs.units.stderr).toContain('1 unit(s)');
        // The data a command was asked for is all its stdout holds.
        expect(runs.invite.stdout).toMatch(/^https:\/\/t\.me\/\w+\?start=[\w-]+\n$/);
        expect(runs.invite.stderr).toContain('single use');
        expect(runs.digest.stdout).toContain('干部监督日报');
        expect(runs.retention.stdout.trimEnd().split('\n')).toHaveLength(1);
        expect(runs.inbox.stdout).toBe('');
        expect(runs.inbox.stderr).toContain('no failed updates');
      });
    });
  }
});
