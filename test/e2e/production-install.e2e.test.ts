// Issue #19, acceptance 4: `npm start` runs the built code, so a production install without the dev
// dependencies (`npm ci --omit=dev` on a built tree) starts and answers /start through the fake Bot
// API. Run in a temporary copy of the working tree (its files and the dist/ the suite built).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { testDatabaseKind } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { TEST_DATA_KEY } from '../support/test-key.js';
import { textMessage, user } from '../support/updates.js';

/** npm as the operator runs it: only PATH and HOME (its cache) from this environment. */
function npm(args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn('npm', args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

// The install does not depend on the database; it runs once, in the PGlite pass.
describe.skipIf(testDatabaseKind !== 'pglite')('a production install', { timeout: 600_000 }, () => {
  let copy: string;
  let builtAt: number;

  beforeAll(async () => {
    const root = packageRoot();
    copy = await mkdtemp(join(tmpdir(), 'liaison-prod-'));
    // The tree as a clone has it (tracked and new, not ignored files), plus the built dist/.
    const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    });
    for (const file of listed.stdout.split('\n').filter(Boolean)) {
      if (!existsSync(join(root, file))) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(root, file), join(copy, file));
    }
    cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
    builtAt = statSync(join(copy, 'dist/src/main.js')).mtimeMs;
    const install = await finished(
      npm(['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], copy),
    );
    if (install.code !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.output.slice(-3000)}`);
  }, 600_000);
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it('has no dev dependencies, keeps the built code, and prints its version and help without starting', async () => {
    expect(existsSync(join(copy, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(copy, 'node_modules', '@biomejs'))).toBe(false);
    expect(existsSync(join(copy, 'node_modules', 'drizzle-kit'))).toBe(false);
    // The install used the dist/ it was given (it built nothing).
    expect(statSync(join(copy, 'dist/src/main.js')).mtimeMs).toBe(builtAt);
    const version = await finished(npm(['start', '--silent', '--', '--version'], copy));
    expect(version).toEqual({ code: 0, output: '0.1.0\n' });
    const help = await finished(npm(['run', 'cli', '--silent', '--', '--help'], copy));
    expect(help.code).toBe(0);
    expect(help.output).toContain('backup --out <file>');
  });

  it('npm start answers /start through the fake Bot API and stops with 0 on SIGTERM', async () => {
    const api = await FakeBotApi.start();
    try {
      const bot = npm(['start'], copy, {
        BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.url,
        DATA_KEY: TEST_DATA_KEY,
        LOG_LEVEL: 'info',
      });
      const exit = finished(bot);
      await api.waitForPolling(0, 120_000);
      api.pushUpdate(textMessage(user(601, { lang: 'en' }), '/start'));
      const reply = await api.waitFor(
        (call) => call.method === 'sendMessage' && call.params.chat_id === 601,
        60_000,
      );
      expect(String(reply.params.text)).toContain('invite link');
      // npm execs the bot, so the signal reaches it and its status is npm's.
      bot.kill('SIGTERM');
      const { code, output } = await exit;
      expect({ code, tail: output.slice(-500) }).toMatchObject({ code: 0 });
      // Built code only: nothing was compiled at start.
      expect(statSync(join(copy, 'dist/src/main.js')).mtimeMs).toBe(builtAt);
    } finally {
      await api.stop();
    }
  });
});
