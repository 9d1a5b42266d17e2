import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatKeyFor, configureKeyring, generateKey } from '../../src/crypto/sealing.js';
import type { Database } from '../../src/db/client.js';
import { outbox, replyRefs } from '../../src/db/schema.js';
import { putSetting } from '../../src/settings.js';
import {
  countReplyLookupsNotUnderCurrentKey,
  keyPrivateChatsOfOlderRows,
  pruneDeliveryTraces,
  recordDeliveries,
  refOfSentMessage,
  rekeyReplyLookups,
  removeDeliveredPrivateMessages,
  UNDELIVERED_PRIVATE_DAYS,
  writeOutbox,
} from '../../src/telegram/outbox.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { TEST_DATA_KEY, useTestKeyring } from '../support/test-key.js';

// Issue 14: what the outbox keeps about people once a message is delivered, on databases written by
// an older version too.
describe(`delivery traces on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.delete(outbox);
    await database.db.delete(replyRefs);
  });

  it('moves the reply lookups out of delivered private messages an older version kept, then deletes them; twice is harmless', async () => {
    const day = new Date('2026-03-01T08:00:00Z');
    await database.db.insert(outbox).values([
      {
        chatId: 501,
        method: 'sendMessage',
        status: 'sent',
        resultMessageId: 11,
        ref: 'receipt:1',
        createdAt: day,
      },
      {
        chatId: 502,
        method: 'sendMessage',
        status: 'sent',
        resultMessageId: 11,
        ref: 'question:4',
        createdAt: day,
      },
      { chatId: 501, method: 'sendMessage', status: 'sent', resultMessageId: 12, createdAt: day },
      {
        chatId: -100,
        method: 'sendMessage',
        status: 'sent',
        resultMessageId: 13,
        ref: 'alert:1',
        createdAt: day,
      },
      { chatId: 503, method: 'sendMessage', status: 'pending', payload: { chat_id: 503, text: 'waiting' } },
    ]);
    await putSetting(database.db, 'outbox.delivered_private_rows', true);
    expect(await removeDeliveredPrivateMessages(database.db, 2)).toBe(3);
    const left = await database.db.select().from(outbox);
    expect(left.map((row) => [row.chatId, row.status]).sort()).toEqual([
      [-100, 'sent'],
      [503, 'pending'],
    ]);
    expect(await refOfSentMessage(database.db, 501, 11)).toBe('receipt:1');
    expect(await refOfSentMessage(database.db, 502, 11)).toBe('question:4');
    expect(await refOfSentMessage(database.db, 501, 12)).toBeNull();
    expect(await refOfSentMessage(database.db, -100, 13)).toBe('alert:1');
    // The mark is gone: the next start does nothing, and a second run changes nothing either.
    expect(await removeDeliveredPrivateMessages(database.db)).toBe(0);
    await putSetting(database.db, 'outbox.delivered_private_rows', true);
    expect(await removeDeliveredPrivateMessages(database.db)).toBe(0);
    expect(await refOfSentMessage(database.db, 501, 11)).toBe('receipt:1');
  });

  it('purges reply lookups after their period and undelivered private messages after a week, keeping the rest', async () => {
    const now = new Date('2027-06-01T12:00:00Z');
    const old = new Date(now.getTime() - (UNDELIVERED_PRIVATE_DAYS + 1) * 86_400_000);
    const recent = new Date(now.getTime() - 86_400_000);
    await database.db.insert(outbox).values([
      { chatId: 601, method: 'sendMessage', status: 'failed', createdAt: old },
      { chatId: 602, method: 'sendMessage', status: 'blocked', createdAt: old },
      { chatId: 603, method: 'sendMessage', status: 'failed', createdAt: recent },
      { chatId: -100, method: 'sendMessage', status: 'failed', createdAt: old },
      { chatId: 604, method: 'sendMessage', status: 'pending', createdAt: old },
    ]);
    await database.db.insert(replyRefs).values([
      { key: 'old', value: { chatId: 1, messageId: 1, ref: 'receipt:1' }, day: '2025-01-01' },
      { key: 'new', value: { chatId: 1, messageId: 2, ref: 'receipt:2' }, day: '2027-05-01' },
    ]);
    await pruneDeliveryTraces(database.db, now);
    const left = await database.db.select({ chatId: outbox.chatId }).from(outbox);
    expect(left.map((row) => row.chatId).sort()).toEqual([-100, 603, 604]);
    expect((await database.db.select({ key: replyRefs.key }).from(replyRefs)).map((row) => row.key)).toEqual([
      'new',
    ]);
  });

  it('addresses the private messages an older release left waiting by a keyed number, keeping groups and their order', async () => {
    await database.db.insert(outbox).values([
      { chatId: 701, method: 'sendMessage', status: 'pending', payload: { chat_id: 701, text: 'a' } },
      { chatId: 701, method: 'sendMessage', status: 'failed', payload: null },
      { chatId: -100, method: 'sendMessage', status: 'pending', payload: { chat_id: -100, text: 'g' } },
    ]);
    expect(await keyPrivateChatsOfOlderRows(database.db)).toBe(2);
    const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
    expect(rows.map((row) => row.chatId)).toEqual([chatKeyFor(701), chatKeyFor(701), -100]);
    // Run again: nothing left to change.
    expect(await keyPrivateChatsOfOlderRows(database.db)).toBe(0);
  });

  it('re-indexes reply lookups under a new key, so replies to receipts sent before a rotation still find their item', async () => {
    await writeOutbox(database.db, [
      { chatId: 801, method: 'sendMessage', payload: { chat_id: 801, text: 'receipt' }, ref: 'receipt:8' },
    ]);
    const [queued] = await database.db.select({ id: outbox.id }).from(outbox);
    await recordDeliveries(database.db, [
      { id: queued?.id ?? 0, chatId: 801, messageId: 90, ref: 'receipt:8' },
    ]);
    expect(await refOfSentMessage(database.db, 801, 90)).toBe('receipt:8');
    const next = generateKey();
    try {
      configureKeyring([next, Buffer.from(TEST_DATA_KEY, 'base64')]);
      expect(await countReplyLookupsNotUnderCurrentKey(database.db)).toBe(1);
      expect(await rekeyReplyLookups(database.db, 1)).toBe(1);
      expect(await countReplyLookupsNotUnderCurrentKey(database.db)).toBe(0);
      configureKeyring([next]);
      expect(await refOfSentMessage(database.db, 801, 90)).toBe('receipt:8');
    } finally {
      useTestKeyring();
    }
  });
});
