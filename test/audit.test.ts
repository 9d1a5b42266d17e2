import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, itemAuditEntriesAfter, latestEntryIdBy } from '../src/audit.js';
import type { Database } from '../src/db/client.js';
import { auditLog } from '../src/db/schema.js';
import { createTestDatabase, testDatabaseKind } from './support/database.js';

describe(`audit log is append-only (${testDatabaseKind})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await appendAudit(
      database.db,
      { actorId: 1, action: 'person.enrolled', details: { role: 'monitor' } },
      { actorId: null, action: 'units.imported', details: { count: 3 } },
    );
  });
  afterAll(() => database.close());

  it('appends entries with ids only', async () => {
    const rows = await database.db.select().from(auditLog).orderBy(auditLog.id);
    expect(rows.map((row) => row.action)).toEqual(['person.enrolled', 'units.imported']);
    expect(rows[0]?.at).toBeInstanceOf(Date);
  });

  it('rejects UPDATE', async () => {
    await expect(
      database.db.update(auditLog).set({ action: 'forged' }).where(eq(auditLog.actorId, 1)),
    ).rejects.toThrow();
    const rows = await database.db.select().from(auditLog).where(eq(auditLog.action, 'forged'));
    expect(rows).toEqual([]);
  });

  it('rejects DELETE', async () => {
    await expect(database.db.delete(auditLog)).rejects.toThrow();
    expect(await database.db.select().from(auditLog)).toHaveLength(2);
  });

  it('rejects TRUNCATE', async () => {
    await expect(database.db.execute(sql`truncate audit_log`)).rejects.toThrow();
    expect(await database.db.select().from(auditLog)).toHaveLength(2);
  });

  it('rejects a change inside a transaction too, undoing the transaction', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await appendAudit(tx, { actorId: 2, action: 'invite.created' });
        await tx.delete(auditLog).where(eq(auditLog.actorId, 1));
      }),
    ).rejects.toThrow();
    expect(await database.db.select().from(auditLog)).toHaveLength(2);
  });
});

// Issue 18: the item card reads when an officer last opened an item, and what was written after it.
describe(`audit log: an actor's latest entry and what came after (${testDatabaseKind})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it("finds the actor's latest entry of an action on an item, and the item's entries after it", async () => {
    const db = database.db;
    expect(await latestEntryIdBy(db, 7, 100, 'item.viewed')).toBeNull();
    await appendAudit(db, { actorId: 100, action: 'item.viewed', itemId: 7 });
    await appendAudit(db, { actorId: null, action: 'item.addition', itemId: 7, details: { additionId: 1 } });
    await appendAudit(db, { actorId: 100, action: 'item.viewed', itemId: 7 });
    await appendAudit(db, { actorId: 200, action: 'item.viewed', itemId: 7 });
    await appendAudit(db, { actorId: 100, action: 'item.viewed', itemId: 8 });
    await appendAudit(db, { actorId: null, action: 'item.answer', itemId: 7, details: { answerId: 2 } });
    const seen = await latestEntryIdBy(db, 7, 100, 'item.viewed');
    if (seen === null) throw new Error('no view found');
    const after = await itemAuditEntriesAfter(db, 7, seen);
    expect(after.map((row) => [row.action, row.actorId])).toEqual([
      ['item.viewed', 200],
      ['item.answer', null],
    ]);
  });
});
