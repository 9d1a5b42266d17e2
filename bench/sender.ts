/**
 * Figure 3, sending: the outbox sender, with Telegram's limits kept, draining a full outbox to the
 * fake Bot API while it answers 10% of sends with 429 (retry_after 1).
 */
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { Telegram } from 'telegraf';
import { queryRows } from '../src/db/client.js';
import { OutboxBuffer, writeOutbox } from '../src/telegram/outbox.js';
import { OutboxSender } from '../src/telegram/sender.js';
import { FakeBotApi } from '../test/support/fake-bot-api.js';
import type { Scratch } from './scratch.js';

/** What the sender achieved. */
export interface SenderResult {
  messages: number;
  chats: number;
  /** Distinct messages delivered per second, first call to last delivery. */
  rate: number;
  lost: number;
  duplicates: number;
  rateLimited: number;
  violations: number;
  /** Smallest gap between two deliveries to one private chat, ms. */
  minChatSpacingMs: number;
}

const FIRST_CHAT = 50_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Queues `messages` texts over `chats` private chats, then times the sender delivering all of them. */
export async function runSender(
  scratch: Scratch,
  messages: number,
  chats: number,
  log: (line: string) => void,
): Promise<SenderResult> {
  const database = await scratch.open();
  const api = await FakeBotApi.start();
  const sender = new OutboxSender(
    database.db,
    new Telegram(api.token, { apiRoot: api.url }),
    pino({ level: 'silent' }),
  );
  try {
    for (let start = 0; start < messages; start += 500) {
      const out = new OutboxBuffer();
      for (let index = start; index < Math.min(messages, start + 500); index += 1) {
        out.sendText(FIRST_CHAT + (index % chats), `bench message ${index}`);
      }
      await writeOutbox(database.db, out.messages);
    }
    api.setFaults({ rate429: 0.1, retryAfter: 1, seed: 9 });
    log(`  ${messages} messages to ${chats} chats, 10% answered 429`);
    const started = Date.now();
    sender.start();
    for (;;) {
      const [row] = await queryRows<{ open: number }>(
        database.db,
        sql`select count(*)::int as open from outbox where status in ('pending', 'sending')`,
      );
      if (Number(row?.open) === 0) break;
      if (Date.now() - started > 10 * 60_000)
        throw new Error('sender did not drain the outbox in 10 minutes');
      await sleep(200);
    }
    await sender.stop();
    const delivered = api.sent();
    const texts = delivered.map((call) => String(call.params.text));
    const distinct = new Set(texts);
    const first = Math.min(
      ...api.calls.filter((call) => call.method === 'sendMessage').map((call) => call.at),
    );
    const last = Math.max(...delivered.map((call) => call.at));
    const byChat = new Map<string, number[]>();
    for (const call of delivered) {
      const key = String(call.params.chat_id);
      byChat.set(key, [...(byChat.get(key) ?? []), call.at]);
    }
    let minChatSpacingMs = Number.POSITIVE_INFINITY;
    for (const times of byChat.values()) {
      times.sort((a, b) => a - b);
      for (let index = 1; index < times.length; index += 1) {
        minChatSpacingMs = Math.min(
          minChatSpacingMs,
          (times[index] as number) - (times[index - 1] as number),
        );
      }
    }
    return {
      messages,
      chats,
      rate: distinct.size / Math.max(0.001, (last - first) / 1000),
      lost: messages - distinct.size,
      duplicates: texts.length - distinct.size,
      rateLimited: sender.stats.rateLimited,
      violations: api.limitViolations().length,
      minChatSpacingMs,
    };
  } finally {
    await sender.stop();
    await api.stop();
    await database.close();
  }
}
