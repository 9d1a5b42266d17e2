import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../src/audit.js';
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
