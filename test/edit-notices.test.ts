import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blindIndexFor } from '../src/crypto/sealing.js';
import type { Database } from '../src/db/client.js';
import { editNotices } from '../src/db/schema.js';
import { claimEditNotice, forgetOldEditNotices } from '../src/edit-notices.js';
import { createTestDatabase, testDatabaseKind } from './support/database.js';

describe(`edit notices on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('claims the answer to one message’s edit once, per chat and message, storing neither id', async () => {
    expect(await claimEditNotice(database.db, 501, 77)).toBe(true);
    expect(await claimEditNotice(database.db, 501, 77)).toBe(false);
    expect(await claimEditNotice(database.db, 501, 78)).toBe(true);
    expect(await claimEditNotice(database.db, 502, 77)).toBe(true);
    // Not the same pair written another way: "50:177" is not "501:77".
    expect(await claimEditNotice(database.db, 50, 177)).toBe(true);
    const rows = await database.db.select().from(editNotices);
    expect(rows).toHaveLength(4);
    // Each key is the keyed blind index (`<key id>.<HMAC>`), never the chat or message id.
    expect(rows.map((row) => row.key).sort()).toEqual(
      ['501:77', '501:78', '502:77', '50:177'].map((pair) => blindIndexFor('edit', pair)).sort(),
    );
    for (const row of rows) expect(row.key).toMatch(/^[^:]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('forgets answers older than 30 days, so an edit of an old message is answered again', async () => {
    await database.db.delete(editNotices);
    for (const chatId of [601, 602, 603]) expect(await claimEditNotice(database.db, chatId, 1)).toBe(true);
    const age = (chatId: number, days: number) =>
      database.db
        .update(editNotices)
        .set({ day: sql`current_date - ${days}::int` })
        .where(eq(editNotices.key, blindIndexFor('edit', `${chatId}:1`)));
    await age(601, 31);
    await age(602, 30);
    expect(await forgetOldEditNotices(database.db)).toBe(1);
    expect(await database.db.select().from(editNotices)).toHaveLength(2);
    expect(await claimEditNotice(database.db, 601, 1)).toBe(true);
    expect(await claimEditNotice(database.db, 602, 1)).toBe(false);
    expect(await claimEditNotice(database.db, 603, 1)).toBe(false);
    expect(await forgetOldEditNotices(database.db)).toBe(0);
  });
});
