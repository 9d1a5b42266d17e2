import { and, asc, count, desc, eq, gt } from 'drizzle-orm';
import type { Queryable, Statement } from './db/client.js';
import { auditLog } from './db/schema.js';

/** One audit entry: who (a Telegram id, or null for the system/CLI), did what, to which item. */
export interface AuditEntry {
  actorId: number | null;
  action: string;
  itemId?: number | null;
  /** Ids, codes and kinds only: never the text of a tip or a person's name. */
  details?: Record<string, unknown>;
}

/** Appends entries to the append-only audit log, in the caller's transaction. */
export async function appendAudit(db: Queryable, ...entries: AuditEntry[]): Promise<void> {
  await auditInsert(db, ...entries);
}

/** The insert appendAudit sends, built but not sent (null when there is nothing to append). */
export function auditInsert(db: Queryable, ...entries: AuditEntry[]): Statement | null {
  if (entries.length === 0) return null;
  return db.insert(auditLog).values(
    entries.map((entry) => ({
      actorId: entry.actorId,
      action: entry.action,
      itemId: entry.itemId ?? null,
      details: entry.details ?? null,
    })),
  );
}

/** An audit entry as stored. */
export type AuditRow = typeof auditLog.$inferSelect;

/** An item's audit entries, oldest first. */
export async function itemAuditEntries(db: Queryable, itemId: number): Promise<AuditRow[]> {
  return db.select().from(auditLog).where(eq(auditLog.itemId, itemId)).orderBy(asc(auditLog.id));
}

/** The latest audit entry of an item and how many there are, for the card's history line. */
export async function itemAuditSummary(
  db: Queryable,
  itemId: number,
): Promise<{ total: number; latest: { action: string; at: Date } | null }> {
  const [counted] = await db.select({ total: count() }).from(auditLog).where(eq(auditLog.itemId, itemId));
  const [latest] = await db
    .select({ action: auditLog.action, at: auditLog.at })
    .from(auditLog)
    .where(eq(auditLog.itemId, itemId))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return { total: counted?.total ?? 0, latest: latest ?? null };
}

/** The id of `actorId`'s latest `action` entry on an item (e.g. when they last opened it), or null. */
export async function latestEntryIdBy(
  db: Queryable,
  itemId: number,
  actorId: number,
  action: string,
): Promise<number | null> {
  const [row] = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.itemId, itemId), eq(auditLog.actorId, actorId), eq(auditLog.action, action)))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row?.id ?? null;
}

/** An item's audit entries written after entry `afterId`, oldest first. */
export async function itemAuditEntriesAfter(
  db: Queryable,
  itemId: number,
  afterId: number,
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.itemId, itemId), gt(auditLog.id, afterId)))
    .orderBy(asc(auditLog.id));
}
