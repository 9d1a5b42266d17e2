/**
 * The sealed link between an item and its reporter. The database never holds a reporter's Telegram
 * id in clear next to an item: `reporter_sealed` (encrypted) says who, for the few paths that must
 * reach the reporter; "is this one of mine?" is answered by the reporter's ledger (ledger.ts), so no
 * value in clear is shared by all of one person's items.
 */
import type { Queryable } from '../db/client.js';
import { type PersonRecord, personById } from '../people/store.js';

/**
 * Audit details marking an action a reporter took on their own item. Such rows carry no actor id:
 * a Telegram id beside an item id in the audit log is exactly the link sealing hides.
 */
export const REPORTER_ACTOR = { by: 'reporter' } as const;

/** True for the details of an audit row written by an item's reporter. */
export function isReporterAudit(details: Record<string, unknown> | null | undefined): boolean {
  return details?.by === REPORTER_ACTOR.by;
}

/** The column that links a new item to its reporter (null for a report logged by the section). */
export function reporterColumns(reporterId: number | null): { reporterSealed: string | null } {
  return { reporterSealed: reporterId === null ? null : String(reporterId) };
}

/** The reporter's Telegram id from an item row's sealed column (drizzle has already unsealed it), or null. */
export function reporterIdOf(item: { reporterSealed: string | null }): number | null {
  if (item.reporterSealed === null) return null;
  const id = Number(item.reporterSealed);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The reporter the bot can reach about an item: the enrolled, not revoked monitor or liaison who
 * sent it; null for logged reports, purged items and people no longer enrolled.
 */
export async function reachableReporter(
  db: Queryable,
  item: { reporterSealed: string | null; sourceKind: string },
): Promise<PersonRecord | null> {
  const reporterId = reporterIdOf(item);
  if (!reporterId || (item.sourceKind !== 'monitor' && item.sourceKind !== 'liaison')) return null;
  const reporter = await personById(db, reporterId);
  return reporter && !reporter.revokedAt ? reporter : null;
}
