import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personNumberOf } from '../../src/crypto/person-numbers.js';
import type { Database } from '../../src/db/client.js';
import { items, people } from '../../src/db/schema.js';
import { reportedItemIds } from '../../src/items/ledger.js';
import { reporterIdOf } from '../../src/items/reporter-link.js';
import { insertItem, MONITOR, OFFICER_A } from '../bot/features/queue/fixtures.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';

// Issue 14, integrity: a database writer without the key moves sealed values between places.
describe(`sealed values open only where they were sealed, on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(people).values([
      { telegramId: OFFICER_A, role: 'officer', displayName: '李科员' },
      { telegramId: MONITOR, role: 'monitor', community: '丹城社区' },
    ]);
  });
  afterAll(() => database.close());

  it("refuses an item's sealed text copied into an officer's name, instead of publishing it", async () => {
    const id = await insertItem(database.db, { text: '局长收受礼金' });
    await database.db.execute(
      sql`update people set display_name = (select text from items where id = ${id}) where telegram_id = ${personNumberOf(OFFICER_A)}`,
    );
    const read = await database.db
      .select({ name: people.displayName })
      .from(people)
      .where(eq(people.telegramId, OFFICER_A))
      .then(
        (rows) => `opened: ${rows[0]?.name}`,
        (error: Error) => error.message,
      );
    expect(read).toMatch(/people.display_name .*failed authentication/);
    expect(read).not.toContain('局长收受礼金');
  });

  it("refuses one item's sealed reporter copied onto another item, so /ask and feedback cannot be redirected", async () => {
    const reported = await insertItem(database.db, { text: '一' });
    const logged = await insertItem(database.db, { text: '二', reporter: null, sourceKind: 'hotline' });
    await database.db.execute(
      sql`update items set reporter_sealed = (select reporter_sealed from items where id = ${reported}) where id = ${logged}`,
    );
    const [row] = await database.db
      .select({ id: items.id, reporterSealed: items.reporterSealed })
      .from(items)
      .where(eq(items.id, logged));
    expect(() => reporterIdOf(row as { id: number; reporterSealed: string | null })).toThrow(
      /items.reporter_sealed \(row \d+\).*failed authentication/,
    );
    const [original] = await database.db
      .select({ id: items.id, reporterSealed: items.reporterSealed })
      .from(items)
      .where(eq(items.id, reported));
    expect(reporterIdOf(original as { id: number; reporterSealed: string | null })).toBe(MONITOR);
  });

  it("refuses one reporter's list of items swapped with another's, so /my cannot show someone else's items", async () => {
    await database.db.insert(people).values({ telegramId: 7411, role: 'monitor', community: '东门社区' });
    await insertItem(database.db, { text: '三', reporter: 7411 });
    expect(await reportedItemIds(database.db, MONITOR)).not.toEqual([]);
    // A writer without the key swaps the sealed lists of the two rows (keys stay, values move).
    await database.db.execute(sql`
      update reporter_ledgers l set entries = o.entries
      from reporter_ledgers o where o.key <> l.key`);
    const outcome = await reportedItemIds(database.db, 7411).then(
      (ids) => `opened: ${ids.join(',')}`,
      (error: Error) => error.message,
    );
    expect(outcome).toMatch(/reporter_ledgers.entries .*failed authentication/);
  });
});
