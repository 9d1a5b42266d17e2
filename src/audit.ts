import type { Queryable } from './db/client.js';
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
  if (entries.length === 0) return;
  await db.insert(auditLog).values(
    entries.map((entry) => ({
      actorId: entry.actorId,
      action: entry.action,
      itemId: entry.itemId ?? null,
      details: entry.details ?? null,
    })),
  );
}
