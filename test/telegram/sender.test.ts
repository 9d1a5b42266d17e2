import { asc, sql } from 'drizzle-orm';
import { Telegram } from 'telegraf';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isChatKey } from '../../src/crypto/sealing.js';
import { type Database, queryRows } from '../../src/db/client.js';
import { outbox, replyRefs } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { OutboxBuffer, refOfSentMessage, writeOutbox } from '../../src/telegram/outbox.js';
import {
  type Delivery,
  HEAD_OF_LINE_ATTEMPTS,
  OutboxSender,
  REFUSAL_NOTICE_REF,
} from '../../src/telegram/sender.js';
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
    await database.db.delete(replyRefs);
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
  /** The message id Telegram gave the first message sent to `chat`. */
  const messageIdSent = (chat: number): number => {
    const result = api.sent(chat)[0]?.result as { message_id: number } | undefined;
    if (!result) throw new Error(`nothing was sent to ${chat}`);
    return result.message_id;
  };
  const allSettled = async () =>
    (await statuses()).every((status) => !['pending', 'sending'].includes(status));

  it('delivers in order per chat, a second apart, and deletes what it delivered to a private chat', async () => {
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
    // A person's chat id beside a send time would say who got a receipt when (issue 14).
    expect(await database.db.select().from(outbox)).toEqual([]);
    expect(api.limitViolations()).toEqual([]);
  });

  it("keeps a group's delivered message as sent, content forgotten, and of a private one only what a reply needs", async () => {
    sender.start();
    await queue((out) => {
      out.sendText(-1001, 'to the section', {}, 'alert:1');
      out.sendText(78, 'receipt', {}, 'receipt:9');
      out.sendText(79, 'no ref');
    });
    await until(async () => (await database.db.select().from(outbox)).length === 1 && (await allSettled()));
    const [group] = await database.db.select().from(outbox);
    expect(group).toMatchObject({ chatId: -1001, status: 'sent', payload: null });
    expect(group?.resultMessageId).toBe(messageIdSent(-1001));
    const receiptId = messageIdSent(78);
    expect(await refOfSentMessage(database.db, 78, receiptId)).toBe('receipt:9');
    // Another chat's message with the same id, or another message of the chat, finds nothing.
    expect(await refOfSentMessage(database.db, 79, receiptId)).toBeNull();
    expect(await refOfSentMessage(database.db, 78, receiptId + 1000)).toBeNull();
    // The lookup holds no chat id, ref or time in clear: only a keyed index, a sealed value and a day.
    const lookups = await queryRows<Record<string, unknown>>(database.db, sql`select * from reply_refs`);
    expect(lookups).toHaveLength(1);
    expect(Object.keys(lookups[0] ?? {}).sort()).toEqual(['day', 'key', 'value']);
    expect(JSON.stringify(lookups)).not.toMatch(/78|receipt/);
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
    // Both delivered to private chats, so both deleted; nothing is left waiting or failed.
    expect(await statuses()).toEqual([]);
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
    // 'chat not found' is not about the markup: no plain copy is tried.
    expect(api.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(2);
    expect(sender.stats).toMatchObject({ blocked: 1, failed: 1, refused: 1 });
  });

  it('a text Telegram cannot parse ends failed; the person gets it once in plain text and the admins its number', async () => {
    const ADMIN_CHAT = 900;
    sender = new OutboxSender(database.db, new Telegram(api.token, { apiRoot: api.url }), logger, {
      onRefused: async (_tx, refusal, out) => {
        out.sendText(
          ADMIN_CHAT,
          `refused #${refusal.outboxId} ${refusal.method}: ${refusal.error}`,
          {},
          REFUSAL_NOTICE_REF,
        );
      },
    });
    sender.start();
    // A test-only invalid text: a placeholder Telegram takes for an unknown tag.
    await queue((out) => out.sendText(7, '<b>Usage</b>: /show <number> &amp; more', {}, 'receipt:5'));
    await until(async () => (await allSettled()) && api.textsTo(ADMIN_CHAT).length === 1);
    // The plain copy and the admins' notice were delivered to private chats, so only the refused row is left.
    const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
    const [refused] = rows;
    expect(rows).toHaveLength(1);
    expect(refused).toMatchObject({ status: 'failed', payload: null });
    // A private chat is addressed by a keyed number, never its id (issue 14).
    expect(refused?.chatId).not.toBe(7);
    expect(isChatKey(refused?.chatId ?? 0)).toBe(true);
    expect(refused?.lastError).toMatch(
      /^400 Bad Request: Can't parse entities: unsupported start tag "number"/,
    );
    expect(api.textsTo(7)).toEqual(['Usage: /show <number> & more']);
    expect(api.sent(7)[0]?.params).not.toHaveProperty('parse_mode');
    // The plain copy keeps the receipt's ref: a reply to it is still tied to the item.
    const plainId = messageIdSent(7);
    expect(await refOfSentMessage(database.db, 7, plainId)).toBe('receipt:5');
    const [told] = api.textsTo(ADMIN_CHAT);
    expect(told).toContain(`#${refused?.id} sendMessage: 400 Bad Request`);
    expect(told).not.toContain('Usage');
    expect(sender.stats).toMatchObject({ refused: 1, sent: 2 });
  });

  it('treats an edit that changes nothing as done, not as a failure', async () => {
    sender.start();
    await queue((out) => out.sendText(11, 'page 1'));
    await until(allSettled);
    const messageId = (api.sent(11)[0]?.result as { message_id: number } | undefined)?.message_id;
    await queue((out) =>
      out.call(11, 'editMessageText', {
        chat_id: 11,
        message_id: messageId,
        text: 'page 1',
        parse_mode: 'HTML',
      }),
    );
    await until(allSettled);
    expect(api.calls.find((call) => call.method === 'editMessageText')?.description).toMatch(/not modified/);
    // Done, not failed: a private chat's delivered messages are deleted, so no row is left.
    expect(await statuses()).toEqual([]);
    expect(sender.stats).toMatchObject({ failed: 0, refused: 0 });
  });

  it('answers button presses at once while menus and photos keep failing, and lets later messages pass a failing one', async () => {
    api.setFaults({ methods: ['setMyCommands', 'sendPhoto'], rate500: 1 });
    sender.start();
    await queue((out) => {
      for (let person = 1; person <= 5; person += 1) {
        out.call(0, 'setMyCommands', {
          commands: [{ command: 'help', description: 'help' }],
          scope: { type: 'chat', chat_id: person },
        });
      }
      out.sendFile(8, 'sendPhoto', { field: 'photo', name: 'a.jpg', bytes: Buffer.from('jpeg') });
    });
    await until(() => api.calls.some((call) => call.method === 'sendPhoto'));
    const pressedAt = Date.now();
    await queue((out) => {
      out.call(0, 'answerCallbackQuery', { callback_query_id: 'press-1' });
      out.sendText(8, '/help answer');
    });
    const answer = await api.waitFor((call) => call.method === 'answerCallbackQuery' && call.status === 200);
    expect(answer.at - pressedAt).toBeLessThan(1000);
    const help = await api.waitFor(
      (call) => call.method === 'sendMessage' && call.params.chat_id === 8,
      15_000,
    );
    expect(help.at - pressedAt).toBeLessThan(10_000);
    // The photo is still queued for its own retries, not dropped.
    const photo = (await database.db.select().from(outbox)).find((row) => row.method === 'sendPhoto');
    expect(photo?.status).toMatch(/pending|sending/);
    expect(photo?.attempts).toBeGreaterThanOrEqual(HEAD_OF_LINE_ATTEMPTS);
  });

  it('lets replies pass a message scheduled for later (a batched alert) in the same chat', async () => {
    sender.start();
    await queue((out) => {
      out.sendText(13, 'alert for later', {}, undefined, { notBefore: new Date(Date.now() + 600_000) });
      out.sendText(13, 'reply now');
    });
    await until(() => api.textsTo(13).length === 1);
    expect(api.textsTo(13)).toEqual(['reply now']);
    // Telegram has the reply before the sender records it: wait for the record, then check that the
    // scheduled alert is still waiting.
    await until(async () => (await statuses()).length === 1);
    expect(await statuses()).toEqual(['pending']);
  });

  it('keeps the pieces of one long text in order even when they pass a failing message', async () => {
    api.setFaults({ methods: ['sendPhoto'], rate500: 1 });
    sender.start();
    await queue((out) => {
      out.sendFile(12, 'sendPhoto', { field: 'photo', name: 'a.jpg', bytes: Buffer.from('jpeg') });
      out.sendText(12, `${'一'.repeat(4000)}\n${'二'.repeat(4000)}\n${'三'.repeat(100)}`);
    });
    await until(() => api.textsTo(12).length === 3, 20_000);
    expect(api.textsTo(12).map((text) => text[0])).toEqual(['一', '二', '三']);
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
    expect(call?.params.caption).toBe('export');
    // Only the method's own parameters: no stray `method` field in the multipart body.
    expect(api.unknownParameters).toEqual([]);
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
      // Group chats: their delivered rows are kept, with the message id (a private chat's are deleted).
      for (let chat = 200; chat < 240; chat += 1) {
        out.sendText(-chat, `first ${chat}`);
        out.sendText(-chat, `second ${chat}`);
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
      const ids = rows.filter((row) => row.chatId === -chat).map((row) => row.resultMessageId);
      expect(ids).toEqual([answered.get(`${-chat}:first ${chat}`), answered.get(`${-chat}:second ${chat}`)]);
      expect(api.textsTo(-chat)).toEqual([`first ${chat}`, `second ${chat}`]);
    }
    expect(sender.stats.sent).toBe(80);
  });

  it('keeps for each of many private deliveries finishing together a reply lookup to its own message', async () => {
    sender = new OutboxSender(database.db, new Telegram(api.token, { apiRoot: api.url }), logger, {
      maxInFlight: 40,
      enforceLimits: false,
    });
    sender.start();
    await queue((out) => {
      for (let chat = 300; chat < 340; chat += 1) {
        out.sendText(chat, `first ${chat}`, {}, `receipt:${chat}`);
        out.sendText(chat, `second ${chat}`, {}, `question:${chat}`);
      }
    });
    await until(async () => (await statuses()).length === 0, 20_000);
    for (const call of api.sent()) {
      const chat = call.params.chat_id as number;
      const expected = String(call.params.text).startsWith('first') ? `receipt:${chat}` : `question:${chat}`;
      expect(
        await refOfSentMessage(database.db, chat, (call.result as { message_id: number }).message_id),
      ).toBe(expected);
    }
    expect(api.sent()).toHaveLength(80);
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

  it('tells onDelivered of each accepted message: its method, its ref unsealed, and its wait since created_at', async () => {
    const deliveries: Delivery[] = [];
    sender = new OutboxSender(database.db, new Telegram(api.token, { apiRoot: api.url }), logger, {
      onDelivered: (delivery) => deliveries.push(delivery),
    });
    sender.start();
    const out = new OutboxBuffer();
    out.sendText(41, 'receipt #7', {}, 'receipt:7');
    out.sendText(42, 'no ref');
    // Dated 3 s back, as the update processor dates a reply by its update's arrival.
    const createdAt = new Date(Date.now() - 3000);
    await writeOutbox(
      database.db,
      out.messages.map((message) => ({ ...message, createdAt })),
    );
    sender.wake();
    await until(async () => (await allSettled()) && deliveries.length === 2);
    const byRef = Object.fromEntries(deliveries.map((delivery) => [String(delivery.ref), delivery]));
    expect(byRef['receipt:7']).toMatchObject({ method: 'sendMessage', ref: 'receipt:7' });
    expect(byRef.null).toMatchObject({ method: 'sendMessage', ref: null });
    for (const delivery of deliveries) {
      expect(delivery.waitedSeconds).toBeGreaterThanOrEqual(2.9);
      expect(delivery.waitedSeconds).toBeLessThan(15);
    }
    // A refused message is no delivery.
    api.failNext('sendMessage', 1, '400', 0);
    await queue((out) => out.sendText(43, 'refused', {}, 'receipt:8'));
    await until(allSettled);
    expect(deliveries).toHaveLength(2);
  });
});
