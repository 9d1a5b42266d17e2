import { sql } from 'drizzle-orm';
import type { Update } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db/client.js';
import { inboxUpdates } from '../../src/db/schema.js';
import { storableUpdate, storeUpdates } from '../../src/telegram/inbox.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { textMessage, user } from '../support/updates.js';

const withText = (id: number, text: string) =>
  ({ update_id: id, ...textMessage(user(900 + id), text) }) as Update;
const textOf = (update: Update) =>
  'message' in update && 'text' in update.message ? update.message.text : '';

describe('storableUpdate', () => {
  it('replaces lone surrogates and NUL, which Postgres JSON refuses, and keeps everything else', () => {
    const update = withText(1, `a\ud800b\u0000c\udfff 你好 🙂`);
    expect(textOf(storableUpdate(update))).toBe('a\ufffdb\ufffdc\ufffd 你好 🙂');
    const clean = withText(2, '你好 🙂 <b>&amp;');
    expect(storableUpdate(clean)).toEqual(clean);
  });
});

describe(`storeUpdates on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('stores a batch in which one update carries text Postgres JSON would refuse', async () => {
    await storeUpdates(database.db, [
      withText(10, '正常'),
      withText(11, 'bad \ud800 surrogate'),
      withText(12, 'nul \u0000'),
    ]);
    const rows = await queryRows<{ update_id: unknown }>(
      database.db,
      sql`select update_id from ${inboxUpdates} where update_id between 10 and 12 order by update_id`,
    );
    expect(rows.map((row) => Number(row.update_id))).toEqual([10, 11, 12]);
  });
});
