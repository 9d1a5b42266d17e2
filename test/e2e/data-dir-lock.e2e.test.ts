// Issue #19, acceptance 1: with the bot running on PGlite, `npm run cli -- invite officer` and `export`
// work through the bot and never open the data directory a second time; commands that cannot run
// beside it refuse with exit 2; a second `npm start` on the same DATA_DIR refuses; and the directory
// is intact afterwards (the bot starts again and every invite and item is there).
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess } from '../support/bot-process.js';
import { runCliProcess } from '../support/cli-process.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf, tokenIn } from '../support/e2e-session.js';
import { textMessage, user } from '../support/updates.js';

const admin = user(9800, { name: '赵部长' });
const monitor = user(9801, { name: '丹东信息员' });
const newOfficer = user(9811, { name: '新来的干部' });
const stranger = user(9812, { name: '路人' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(testDatabaseKind !== 'pglite')(
  'one process per embedded database',
  { timeout: 240_000 },
  () => {
    let session: E2eSession;
    let env: Record<string, string>;
    const dataDir = () => join(session.database.cwd, 'data');
    const cli = (...args: string[]) => runCliProcess(args, env, session.database.cwd);

    async function waitForOutput(text: string): Promise<void> {
      const deadline = Date.now() + 30_000;
      while (!session.output().includes(text)) {
        if (Date.now() > deadline)
          throw new Error(`never printed ${text}:\n${session.output().slice(-2000)}`);
        await sleep(50);
      }
    }

    beforeAll(async () => {
      session = await E2eSession.create({ ADMIN_IDS: String(admin.id) });
      await session.start();
      await waitForOutput('control socket listening');
      await session.enrol(admin, monitor, 'monitor 丹东社区');
      await session.say(monitor, '/tip F-HPZ 镇长在防波堤工程中指定施工方，金额约300万元');
      env = { ...session.database.env, LOG_LEVEL: 'info' };
    }, 240_000);
    afterAll(() => session.dispose());

    it('a second npm start on the same DATA_DIR refuses with exit 2, naming the running bot', async () => {
      const pid = session.bot?.child.pid;
      const second = BotProcess.start(
        { BOT_TOKEN: session.api.token, TELEGRAM_API_ROOT: session.api.url, ...session.database.env },
        session.database.cwd,
      );
      const { code } = await second.exit();
      expect(code).toBe(2);
      expect(second.text()).toContain(`in use by the bot (pid ${pid}`);
      // The refused process never reached Telegram: the running bot is the only one polling.
      expect(second.text()).not.toContain('bot started');
    });

    it('invite and export run through the running bot: the link works, the export lists the item', async () => {
      const invite = await cli('invite', 'officer');
      expect({ code: invite.code, stderr: invite.stderr }).toMatchObject({ code: 0 });
      const token = tokenIn(invite.stdout, session.api.botUser.username);
      const redeeming = session.push(textMessage(newOfficer, `/start ${token}`));
      const welcome = await session.messageTo(newOfficer.id, redeeming);
      expect(textOf(welcome)).toMatch(/欢迎|Welcome/);

      const exported = await cli('export', '--format', 'jsonl');
      expect(exported.code).toBe(0);
      const rows = exported.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows.map((row) => row.code)).toEqual(['F-HPZ']);

      // A file named with --out is written by the CLI process, owner-only, not by the bot.
      const file = join(session.database.cwd, 'items.csv');
      const toFile = await cli('export', '--format', 'csv', '--out', file);
      expect(toFile.code).toBe(0);
      expect(toFile.stdout).toBe('');
      expect(await readFile(file, 'utf8')).toContain('F-HPZ');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it('commands that cannot run beside the bot refuse with exit 2 and say why', async () => {
      for (const args of [['migrate'], ['units', 'import', 'whatever.csv'], ['retention', '--run']]) {
        const run = await cli(...args);
        expect({ args, code: run.code }).toEqual({ args, code: 2 });
        expect(run.stderr).toContain('in use by the bot');
        expect(run.stderr).toContain('Stop it first');
        expect(run.stdout).toBe('');
      }
    });

    it('several CLI commands at once, during tips, all work and the directory is intact after a restart', async () => {
      const tips = [1, 2, 3].map((n) => session.say(monitor, `/tip S-HPZ 第${n}次反映书记酒驾`));
      const runs = await Promise.all([
        cli('invite', 'officer'),
        cli('invite', 'liaison', 'AUD'),
        cli('invite', 'monitor', '丹西社区'),
        cli('export', '--format', 'jsonl'),
        cli('digest', 'daily', '--dry-run'),
        cli('inbox', 'failed'),
      ]);
      await Promise.all(tips);
      for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
      await session.settle(500);

      // Stopping removes the lock and the socket; the next start finds its database whole.
      await session.stop();
      expect(existsSync(join(dataDir(), 'liaison-bot.lock'))).toBe(false);
      expect(existsSync(join(dataDir(), 'control.sock'))).toBe(false);
      expect(await session.count(sql`select count(*) as count from invites`)).toBe(5);
      expect(await session.count(sql`select count(*) as count from items`)).toBe(4);
      await session.start();
      await waitForOutput('control socket listening');
      const again = await cli('export', '--format', 'jsonl');
      expect(again.stdout.trimEnd().split('\n')).toHaveLength(4);
      expect(session.output()).not.toMatch(/duplicate key|violates unique constraint|"level":50/);
    });

    it('a bot killed with -9 leaves a stale lock that the next start takes over', async () => {
      await session.bot?.kill();
      session.bot = null;
      expect(existsSync(join(dataDir(), 'liaison-bot.lock'))).toBe(true);
      // With the bot gone, a command opens the directory itself (and refuses nothing).
      const direct = await cli('export', '--format', 'jsonl');
      expect(direct.code).toBe(0);
      expect(direct.stdout.trimEnd().split('\n')).toHaveLength(4);
      await session.start();
      const reply = await session.say(stranger, '/start');
      expect(textOf(reply)).toBeTruthy();
    });
  },
);
