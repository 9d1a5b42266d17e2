import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/crypto/sealing.js';
import { type Database, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { refOfSentMessage, removeDeliveredPrivateMessages } from '../../src/telegram/outbox.js';
import { databaseBeforeMigration, testDatabaseKind } from '../support/database.js';

/**
 * Migration 0009 on a database written by the release before it: delivered private messages (with a
 * receipt's ref) are still in the outbox; after the migration and the next start's move, a reply to
 * the receipt is still tied to its item and the delivered rows are gone.
 */
describe(`migration 0009_reply_refs keeps every reply lookup (${testDatabaseKind})`, () => {
  let database: Database;

  beforeAll(async () => {
    database = await databaseBeforeMigration('0009_reply_refs');
    // Rows as the previous release wrote them: sent private messages keep chat id, ref and message id.
    await database.db.execute(sql`
      insert into outbox (chat_id, method, status, result_message_id, ref, created_at)
      values (7001, 'sendMessage', 'sent', 41, ${seal('receipt:3')}, '2026-11-02T02:00:00Z'),
             (7001, 'sendMessage', 'pending', null, null, '2026-11-02T02:00:01Z'),
             (-100, 'sendMessage', 'sent', 42, null, '2026-11-02T02:00:00Z')`);
    await migrateDatabase(database);
  });
  afterAll(() => database.close());

  it('the next start moves the reply lookup and deletes the delivered private message, keeping the rest', async () => {
    expect(await removeDeliveredPrivateMessages(database.db)).toBe(1);
    expect(await refOfSentMessage(database.db, 7001, 41)).toBe('receipt:3');
    const rows = await queryRows<{ chat_id: number | string; status: string }>(
      database.db,
      sql`select chat_id, status from outbox order by chat_id`,
    );
    expect(rows.map((row) => [Number(row.chat_id), row.status])).toEqual([
      [-100, 'sent'],
      [7001, 'pending'],
    ]);
  });
});
