// What the process refuses or switches off at start (INTERFACE.md, Environment): test-only faults
// outside NODE_ENV=test, a guessable webhook secret, and telegraf's debug output, which would print
// every Bot API call with its text.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatKeyring, generateKey } from '../../src/crypto/sealing.js';
import { type BotDatabase, BotProcess, createBotDatabase } from '../support/bot-process.js';
import { testDatabaseKind } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

describe(`start-up guards of the real process on ${testDatabaseKind}`, () => {
  let api: FakeBotApi;
  let database: BotDatabase;
  const processes: BotProcess[] = [];

  const startBot = (extra: Record<string, string>) => {
    const bot = BotProcess.start(
      { BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.url, ...database.env, ...extra },
      database.cwd,
    );
    processes.push(bot);
    return bot;
  };

  beforeEach(async () => {
    api = await FakeBotApi.start();
    // Migrated: these tests are about the guards, not a first start (initdb alone can take most of a
    // minute on a loaded 2-core machine).
    database = await createBotDatabase({ migrated: true });
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((bot) => bot.kill()));
    await api.stop();
    await database.dispose();
  });

  it('exits 2 naming FAULT_INJECTION when it is set without NODE_ENV=test, before touching Telegram', async () => {
    for (const nodeEnv of [{}, { NODE_ENV: 'production' }] as Record<string, string>[]) {
      const bot = startBot({ FAULT_INJECTION: 'crash-after-store', ...nodeEnv });
      const { code } = await bot.exit();
      expect(code).toBe(2);
      expect(bot.text()).toMatch(/^FAULT_INJECTION: .*NODE_ENV=test/m);
      expect(
        bot
          .text()
          .split('\n')
          .filter((line) => /^[A-Z_]+: /.test(line)),
      ).toHaveLength(1);
    }
    expect(api.calls).toHaveLength(0);
  });

  it('exits 2 naming WEBHOOK_SECRET and how to make one when it is one character', async () => {
    const bot = startBot({
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.test/telegram/hook',
      WEBHOOK_SECRET: 'a',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const { code } = await bot.exit();
    expect(code).toBe(2);
    const lines = bot.text().split('\n');
    expect(lines.filter((line) => /^[A-Z_]+: /.test(line))).toEqual([
      expect.stringMatching(/^WEBHOOK_SECRET: .*at least 32 characters.*openssl rand -hex 32/),
    ]);
    expect(api.calls).toHaveLength(0);
  });

  it('exits 2 naming a key file others can read and the chmod that fixes it, before touching Telegram', async () => {
    // The default key file for DATA_DIR=./data is ./data-key/data.key, outside DATA_DIR (in the test's cwd).
    const keyFile = join(database.cwd, 'data-key', 'data.key');
    await mkdir(join(database.cwd, 'data-key'), { recursive: true, mode: 0o700 });
    await writeFile(keyFile, `${formatKeyring([generateKey()])}\n`);
    await chmod(keyFile, 0o644);
    const bot = startBot({ DATA_KEY: '' });
    const { code } = await bot.exit();
    expect(code).toBe(2);
    expect(bot.text()).toMatch(/^DATA_KEY_FILE: the key file .*data-key\/data\.key .*mode 0644.*chmod 600 /m);
    expect(api.calls).toHaveLength(0);
  }, 120_000);

  it("switches telegraf's debug output off under DEBUG=telegraf:* with a warning, unless LOG_UNSAFE_DEBUG=1", async () => {
    const tip = 'debug-leak-probe /help';
    const run = async (extra: Record<string, string>, chatId: number) => {
      const bot = startBot({ DEBUG: 'telegraf:*', ...extra });
      await api.waitFor((call) => call.method === 'deleteWebhook', 60_000);
      api.pushUpdate(textMessage(user(chatId), tip));
      await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === chatId, 20_000);
      const { code } = await bot.terminate();
      expect(code).toBe(0);
      return bot.text();
    };
    // NODE_ENV=test and an armed fault: the start says so (the fault itself never fires here).
    const guarded = await run({ NODE_ENV: 'test', FAULT_INJECTION: 'handler-throws-once' }, 611);
    expect(guarded).toContain("telegraf's namespaces are switched off");
    expect(guarded).toMatch(/"fault":"handler-throws-once".*"msg":"fault injection armed/);
    expect(guarded).not.toContain('telegraf:client');
    expect(guarded).not.toContain('sendMessage');
    // The control: with LOG_UNSAFE_DEBUG=1 the same DEBUG does print calls, so the check above can fail.
    const unsafe = await run({ LOG_UNSAFE_DEBUG: '1' }, 612);
    expect(unsafe).toContain('LOG_UNSAFE_DEBUG=1');
    expect(unsafe).toContain('telegraf:client');
  }, 120_000);
});
