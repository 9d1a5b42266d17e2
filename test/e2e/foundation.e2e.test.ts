import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotProcess, type BotDatabase, createBotDatabase } from '../support/bot-process.js';
import { testDatabaseKind } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

// A first start compiles PGlite's engine and migrates: on a loaded 2-core machine that alone has
// taken 20 s, so the wait for the first call is generous; what each test asserts about timing
// (a stop within 5 s) is measured from the stop, not from the start.
const FIRST_CALL_MS = 60_000;

describe(`the real bot process on ${testDatabaseKind}`, { timeout: 120_000 }, () => {
  let api: FakeBotApi;
  let database: BotDatabase;
  const processes: BotProcess[] = [];

  const startBot = (extra: Record<string, string> = {}) => {
    const bot = BotProcess.start(
      { BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.url, ...database.env, ...extra },
      database.cwd,
    );
    processes.push(bot);
    return bot;
  };
  const sendsTo = (chatId: number) => api.sent(chatId).filter((call) => call.method === 'sendMessage');

  beforeEach(async () => {
    api = await FakeBotApi.start();
    database = await createBotDatabase();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((bot) => bot.kill()));
    await api.stop();
    await database.dispose();
  });

  it('calls getMe, then getUpdates, answers /start, keeps ./data, and stops on SIGTERM with 0 within 5 s', async () => {
    // The first-run form of the README and INTERFACE.md: no DATA_KEY (an empty value counts as unset).
    const bot = startBot({ DATA_KEY: '' });
    await api.waitFor((call) => call.method === 'deleteWebhook', FIRST_CALL_MS);
    const getMe = api.calls.findIndex((call) => call.method === 'getMe');
    expect(getMe).toBeGreaterThanOrEqual(0);
    api.pushUpdate(textMessage(user(501, { lang: 'en' }), '/start'));
    const reply = await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 501);
    expect(String(reply.params.text)).toContain('invite link');
    // Issue 18: a stranger learns their Telegram id (the first admin needs it for ADMIN_IDS), and the log
    // names the bot and says that no admin exists yet.
    expect(String(reply.params.text)).toContain('Your Telegram user id: <code>501</code>');
    expect(bot.text()).toContain('"username":"@liaison_test_bot"');
    expect(bot.text()).toContain('no admin yet');
    const firstPoll = api.calls.findIndex((call) => call.method === 'getUpdates');
    expect(firstPoll).toBeGreaterThan(getMe);
    if (testDatabaseKind === 'pglite') expect(existsSync(join(database.cwd, 'data'))).toBe(true);
    const { code, ms } = await bot.terminate();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('stops cleanly with 0 when SIGTERM arrives while it is still starting', async () => {
    // Telegram unreachable: the start hangs in getMe, after the stop handlers are in place.
    api.setDown(3000);
    const bot = startBot();
    await api.waitFor((call) => call.method === 'getMe', FIRST_CALL_MS);
    bot.child.kill('SIGTERM');
    const { code } = await bot.exit();
    expect(code).toBe(0);
    expect(bot.text()).toContain('"msg":"stopped"');
  });

  it('stops with 0 within 5 s while Telegram is unreachable and polling is backing off', async () => {
    const bot = startBot();
    await api.waitFor((call) => call.method === 'deleteWebhook', FIRST_CALL_MS);
    api.setDown(30_000);
    // Long enough for the back-off to reach 8 s: a stop that waited it out would miss 5 s.
    await new Promise((resolve) => setTimeout(resolve, 7500));
    const { code, ms } = await bot.terminate();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('exits with status 2 and names BOT_TOKEN when it is missing', async () => {
    const bot = BotProcess.start({ TELEGRAM_API_ROOT: api.url }, database.cwd);
    processes.push(bot);
    const { code } = await bot.exit();
    expect(code).toBe(2);
    expect(bot.text()).toContain('BOT_TOKEN');
    expect(bot.text()).toContain('@BotFather');
  });

  it('handles an update once even when Telegram delivers it twice', async () => {
    startBot();
    await api.waitFor((call) => call.method === 'deleteWebhook', FIRST_CALL_MS);
    const update = { update_id: 7001, ...textMessage(user(502), '/help') };
    api.pushUpdate(update);
    api.pushUpdate(update);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 502);
    // Give a second (wrong) reply every chance to appear.
    api.pushUpdate(textMessage(user(503), '/help'));
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 503);
    expect(sendsTo(502)).toHaveLength(1);
  });

  it('retries a handler that throws on its first try, and then succeeds', async () => {
    const bot = startBot({ FAULT_INJECTION: 'handler-throws-once', NODE_ENV: 'test' });
    await api.waitFor((call) => call.method === 'deleteWebhook', FIRST_CALL_MS);
    api.pushUpdate(textMessage(user(504), '#fault hello'));
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 504, 15_000);
    expect(sendsTo(504)).toHaveLength(1);
    expect(bot.text()).toContain('update handling failed');
    expect(bot.text()).not.toContain('#fault hello');
  });

  it('handles, after a restart, an update stored just before the process was killed', async () => {
    const crashing = startBot({ FAULT_INJECTION: 'crash-after-store', NODE_ENV: 'test' });
    await api.waitFor((call) => call.method === 'deleteWebhook', FIRST_CALL_MS);
    api.pushUpdate(textMessage(user(505), '/help #crash'));
    const { signal } = await crashing.exit();
    expect(signal).toBe('SIGKILL');
    expect(sendsTo(505)).toHaveLength(0);
    startBot();
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 505, 20_000);
    api.pushUpdate(textMessage(user(506), '/help'));
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 506, 20_000);
    // Telegram redelivered the unconfirmed update after the crash; the inbox kept it to one reply.
    expect(sendsTo(505)).toHaveLength(1);
  });

  it('delays, but does not lose, a message that Telegram answers with 429', async () => {
    startBot();
    await api.waitFor((call) => call.method === 'deleteWebhook', FIRST_CALL_MS);
    api.failNext('sendMessage', 1, '429', 2);
    const pushedAt = Date.now();
    api.pushUpdate(textMessage(user(507), '/help'));
    const delivered = await api.waitFor(
      (call) => call.method === 'sendMessage' && call.params.chat_id === 507 && call.status === 200,
      15_000,
    );
    expect(delivered.at - pushedAt).toBeGreaterThanOrEqual(2000);
    expect(api.calls.filter((call) => call.method === 'sendMessage' && call.status === 429)).toHaveLength(1);
    expect(sendsTo(507)).toHaveLength(1);
  });
});
