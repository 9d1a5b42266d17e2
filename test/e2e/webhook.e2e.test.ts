import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotProcess, type BotDatabase, createBotDatabase } from '../support/bot-process.js';
import { testDatabaseKind } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

const SECRET = 'e2e_webhook_secret-1_0123456789abcdef';

/** The port a listener chose (PORT=0, METRICS_PORT=0), from its start-up log line. */
async function waitForPort(bot: BotProcess, listener = 'webhook server'): Promise<number> {
  const line = new RegExp(`"port":(\\d+),[^\\n]*"msg":"${listener} listening"`);
  // Generous: a start on a loaded 2-core machine can take most of a minute.
  for (let waited = 0; waited < 90_000; waited += 100) {
    const match = line.exec(bot.text());
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${listener} did not start:\n${bot.text()}`);
}

describe(`webhook mode on ${testDatabaseKind}`, () => {
  let api: FakeBotApi;
  let database: BotDatabase;
  let bot: BotProcess;
  let base: string;
  let monitoring: string;

  const post = (body: unknown, secret?: string) =>
    fetch(`${base}/telegram/hook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: JSON.stringify(body),
    });

  beforeEach(async () => {
    api = await FakeBotApi.start();
    database = await createBotDatabase({ migrated: true });
    bot = BotProcess.start(
      {
        BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.url,
        BOT_MODE: 'webhook',
        WEBHOOK_URL: 'https://bot.example.test/telegram/hook',
        WEBHOOK_SECRET: SECRET,
        PORT: '0',
        HOST: '127.0.0.1',
        METRICS_PORT: '0',
        ...database.env,
      },
      database.cwd,
    );
    base = `http://127.0.0.1:${await waitForPort(bot)}`;
    monitoring = `http://127.0.0.1:${await waitForPort(bot, 'metrics listener')}`;
  }, 120_000);
  afterEach(async () => {
    await bot.kill();
    await api.stop();
    await database.dispose();
  });

  it('registers the webhook with its secret; health and metrics are on METRICS_PORT, not the webhook port', async () => {
    const setWebhook = await api.waitFor((call) => call.method === 'setWebhook');
    expect(setWebhook.params.url).toBe('https://bot.example.test/telegram/hook');
    expect(setWebhook.params.secret_token).toBe(SECRET);
    expect((await fetch(`${monitoring}/healthz`)).status).toBe(200);
    expect((await fetch(`${monitoring}/readyz`)).status).toBe(200);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect({ path, status: (await fetch(`${base}${path}`)).status }).toEqual({ path, status: 404 });
    }
  });

  it('refuses a missing or wrong secret with 401 and handles nothing', async () => {
    expect((await post({ update_id: 1, ...textMessage(user(601), '/help') })).status).toBe(401);
    expect((await post({ update_id: 2, ...textMessage(user(601), '/help') }, 'wrong')).status).toBe(401);
    expect((await post({ update_id: 3, ...textMessage(user(602), '/help') }, SECRET)).status).toBe(200);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 602);
    expect(api.sent(601)).toHaveLength(0);
  });

  it('answers 200 only after storing, and handles a redelivered update once', async () => {
    const update = { update_id: 42, ...textMessage(user(603), '/help') };
    expect((await post(update, SECRET)).status).toBe(200);
    expect((await post(update, SECRET)).status).toBe(200);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 603);
    expect((await post({ update_id: 43, ...textMessage(user(604), '/help') }, SECRET)).status).toBe(200);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 604);
    expect(api.sent(603)).toHaveLength(1);
  });

  it('serves Prometheus metrics: updates handled, failures, outbox depth, send errors, digest runs', async () => {
    expect((await post({ update_id: 77, ...textMessage(user(605), '/help') }, SECRET)).status).toBe(200);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 605);
    let body = '';
    // The handled counter moves when the update's transaction commits; the reply may overtake it.
    for (let tries = 0; tries < 50 && !/liaison_updates_handled_total [1-9]/.test(body); tries += 1) {
      const response = await fetch(`${monitoring}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      body = await response.text();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body).toMatch(/liaison_updates_handled_total [1-9]/);
    for (const name of [
      'liaison_update_failures_total',
      'liaison_updates_parked_total',
      'liaison_inbox_pending',
      'liaison_outbox_depth',
      'liaison_messages_sent_total',
      'liaison_send_errors_total{kind="rate_limited"}',
      'liaison_digest_runs',
    ]) {
      expect(body).toContain(name);
    }
  });

  it('rejects a body that is not an update', async () => {
    expect((await post({ hello: 'world' }, SECRET)).status).toBe(400);
  });
});
