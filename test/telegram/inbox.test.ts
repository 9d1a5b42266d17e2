import { eq, sql } from 'drizzle-orm';
import type { Update } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db/client.js';
import { inboxUpdates } from '../../src/db/schema.js';
import {
  keyOrderOfOlderUpdates,
  orderKeyOf,
  parkedUpdates,
  retryParkedUpdate,
  storableUpdate,
  storeUpdates,
} from '../../src/telegram/inbox.js';
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

  it('lists parked updates by id, without their content, and puts one back in line', async () => {
    const before = Date.now();
    await database.db.insert(inboxUpdates).values([
      {
        updateId: 31,
        orderKey: 'u1',
        payload: { update_id: 31 },
        status: 'failed',
        attempts: 5,
        lastError: 'boom',
      },
      { updateId: 30, orderKey: 'u2', payload: { update_id: 30 }, status: 'failed', attempts: 3 },
      { updateId: 32, orderKey: 'u3', payload: null, status: 'done', attempts: 1 },
      { updateId: 33, orderKey: 'u4', payload: { update_id: 33 }, status: 'pending', attempts: 2 },
    ]);
    const parked = await parkedUpdates(database.db);
    expect(parked.map(({ updateId, attempts, lastError }) => ({ updateId, attempts, lastError }))).toEqual([
      { updateId: 30, attempts: 3, lastError: null },
      { updateId: 31, attempts: 5, lastError: 'boom' },
    ]);
    expect(Object.keys(parked[0] ?? {}).sort()).toEqual(['attempts', 'lastError', 'receivedAt', 'updateId']);
    expect(parked[0]?.receivedAt).toBeInstanceOf(Date);

    expect(await retryParkedUpdate(database.db, 31)).toBe(true);
    const [row] = await database.db.select().from(inboxUpdates).where(eq(inboxUpdates.updateId, 31));
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: 'boom',
      payload: { update_id: 31 },
    });
    expect(row?.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((await parkedUpdates(database.db)).map((update) => update.updateId)).toEqual([30]);

    // Only a parked update is put back: not a handled one, a pending one, an unknown one, or twice.
    for (const updateId of [32, 33, 99, 31])
      expect(await retryParkedUpdate(database.db, updateId)).toBe(false);
    const [done] = await database.db.select().from(inboxUpdates).where(eq(inboxUpdates.updateId, 32));
    expect(done).toMatchObject({ status: 'done', attempts: 1 });
    const [pending] = await database.db.select().from(inboxUpdates).where(eq(inboxUpdates.updateId, 33));
    expect(pending).toMatchObject({ status: 'pending', attempts: 2 });
  });
});

describe(`the order key of a stored update, on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it("orders one sender's updates by a keyed index that names nobody (issue 14)", () => {
    const first = orderKeyOf({ update_id: 1, ...textMessage(user(7_310_000_099), 'a') } as Update);
    const second = orderKeyOf({ update_id: 2, ...textMessage(user(7_310_000_099), 'b') } as Update);
    const other = orderKeyOf({ update_id: 3, ...textMessage(user(7_310_000_098), 'c') } as Update);
    expect(first).toBe(second);
    expect(other).not.toBe(first);
    expect(first).not.toContain('7310000099');
  });

  it("gives updates an older release left waiting or parked the keyed index, keeping each sender's together", async () => {
    await database.db.insert(inboxUpdates).values([
      { updateId: 7001, orderKey: 'u41', payload: { update_id: 7001 }, status: 'pending' },
      { updateId: 7002, orderKey: 'u41', payload: { update_id: 7002 }, status: 'failed', attempts: 3 },
      { updateId: 7003, orderKey: 'c-100', payload: { update_id: 7003 }, status: 'pending' },
      { updateId: 7004, orderKey: '', payload: null, status: 'done' },
    ]);
    expect(await keyOrderOfOlderUpdates(database.db)).toBe(3);
    const rows = await queryRows<{ update_id: number | string; order_key: string }>(
      database.db,
      sql`select update_id, order_key from inbox_updates where update_id between 7001 and 7004 order by update_id`,
    );
    const keys = rows.map((row) => row.order_key);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).not.toBe(keys[2]);
    expect(keys[3]).toBe('');
    expect(keys.join(' ')).not.toMatch(/u41|c-100/);
    expect(await keyOrderOfOlderUpdates(database.db)).toBe(0);
  });
});
