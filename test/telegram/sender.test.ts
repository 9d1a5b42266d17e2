import { asc } from 'drizzle-orm';
import { Telegram } from 'telegraf';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { OutboxBuffer, writeOutbox } from '../../src/telegram/outbox.js';
import { OutboxSender } from '../../src/telegram/sender.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api.js';

const logger = createLogger('silent');

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`OutboxSender on ${testDatabaseKind}`, () => {
  let database: Database;
  let api: FakeBotApi;
  let sender: OutboxSender;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.delete(outbox);
    api = await FakeBotApi.start();
    sender = new OutboxSender(database.db, new Telegram(api.token, { apiRoot: api.url }), logger);
  });
  afterEach(async () => {
    await sender.stop();
    await api.stop();
  });

  const queue = async (fill: (out: OutboxBuffer) => void) => {
    const out = new OutboxBuffer();
    fill(out);
    await writeOutbox(database.db, out.messages);
    sender.wake();
  };
  const statuses = async () =>
    (await database.db.select().from(outbox).orderBy(asc(outbox.id))).map((row) => row.status);
  const allSettled = async () =>
    (await statuses()).every((status) => !['pending', 'sending'].includes(status));

  it('delivers in order per chat, a second apart, records the message id and forgets the content', async () => {
    sender.start();
    await queue((out) => {
      for (const n of [1, 2, 3]) out.sendText(77, `m${n}`);
    });
    await until(allSettled);
    expect(api.textsTo(77)).toEqual(['m1', 'm2', 'm3']);
    const sends = api.sent(77);
    for (let index = 1; index < sends.length; index += 1) {
      expect((sends[index]?.at ?? 0) - (sends[index - 1]?.at ?? 0)).toBeGreaterThanOrEqual(990);
    }
    const rows = await database.db.select().from(outbox);
    expect(rows.every((row) => row.payload === null && row.resultMessageId !== null)).toBe(true);
    expect(api.limitViolations()).toEqual([]);
  });

  it('waits retry_after on 429, retries 5xx and dropped connections, and loses nothing', async () => {
    api.failNext('sendMessage', 1, '429', 1);
    sender.start();
    await queue((out) => out.sendText(1, 'after 429'));
    await until(allSettled);
    api.failNext('sendMessage', 1, '500');
    api.failNext('sendMessage', 1, 'drop');
    await queue((out) => out.sendText(2, 'after 500 and drop'));
    await until(allSettled);
    expect(api.textsTo(1)).toEqual(['after 429']);
    expect(api.textsTo(2)).toEqual(['after 500 and drop']);
    expect(sender.stats).toMatchObject({ sent: 2, rateLimited: 1, transientErrors: 2 });
    expect(await statuses()).toEqual(['sent', 'sent']);
  });

  it('records a 403 as blocked and a 400 as failed, without retrying them', async () => {
    api.failNext('sendMessage', 1, '403');
    api.failNext('sendMessage', 1, '400');
    sender.start();
    await queue((out) => {
      out.sendText(3, 'to someone who blocked the bot');
      out.sendText(4, 'a bad request');
    });
    await until(allSettled);
    expect((await statuses()).sort()).toEqual(['blocked', 'failed']);
    expect(api.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(2);
  });

  it('uploads files from the outbox as multipart', async () => {
    sender.start();
    await queue((out) =>
      out.sendFile(
        5,
        'sendDocument',
        { field: 'document', name: 'queue.xlsx', bytes: Buffer.from('PK-bytes') },
        {
          caption: 'export',
        },
      ),
    );
    await until(allSettled);
    const [call] = api.sent(5);
    const document = call?.params.document as { filename: string; bytes: Buffer };
    expect(document.filename).toBe('queue.xlsx');
    expect(document.bytes.toString()).toBe('PK-bytes');
  });

  it('takes back a message whose sender died mid-send once its lease has expired', async () => {
    await queue((out) => out.sendText(6, 'orphaned'));
    await database.db.update(outbox).set({ status: 'sending', leaseUntil: new Date(Date.now() - 1000) });
    sender.start();
    await until(allSettled);
    expect(api.textsTo(6)).toEqual(['orphaned']);
  });

  it('records each of many deliveries finishing together with its own message id', async () => {
    // Limits off and 40 in flight: completions arrive together and are recorded in shared writes.
    sender = new OutboxSender(database.db, new Telegram(api.token, { apiRoot: api.url }), logger, {
      maxInFlight: 40,
      enforceLimits: false,
    });
    sender.start();
    await queue((out) => {
      for (let chat = 200; chat < 240; chat += 1) {
        out.sendText(chat, `first ${chat}`);
        out.sendText(chat, `second ${chat}`);
      }
    });
    await until(allSettled, 20_000);
    const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
    expect(rows.map((row) => row.status)).toEqual(rows.map(() => 'sent'));
    const answered = new Map(
      api
        .sent()
        .map((call) => [
          `${call.params.chat_id}:${call.params.text}`,
          (call.result as { message_id: number }).message_id,
        ]),
    );
    expect(answered.size).toBe(80);
    for (const row of rows) {
      expect(row.payload).toBeNull();
      expect(row.leaseUntil).toBeNull();
      expect(row.sentAt).not.toBeNull();
    }
    // Each row holds the id Telegram gave that very message, in order per chat.
    for (let chat = 200; chat < 240; chat += 1) {
      const ids = rows.filter((row) => row.chatId === chat).map((row) => row.resultMessageId);
      expect(ids).toEqual([answered.get(`${chat}:first ${chat}`), answered.get(`${chat}:second ${chat}`)]);
      expect(api.textsTo(chat)).toEqual([`first ${chat}`, `second ${chat}`]);
    }
    expect(sender.stats.sent).toBe(80);
  });

  it('stays within 30 messages a second across many chats', async () => {
    sender = new OutboxSender(database.db, new Telegram(api.token, { apiRoot: api.url }), logger, {
      maxInFlight: 16,
    });
    sender.start();
    await queue((out) => {
      for (let chat = 100; chat < 160; chat += 1) out.sendText(chat, `hello ${chat}`);
    });
    await until(allSettled, 20_000);
    expect(api.calls.filter((call) => call.method === 'sendMessage' && call.status === 200)).toHaveLength(60);
    expect(api.limitViolations()).toEqual([]);
  });
});
