/**
 * The sealed link between an item and its reporter. The database never holds a reporter's Telegram
 * id in clear next to an item: `reporter_sealed` (encrypted) says who, for the few paths that must
 * reach the reporter; "is this one of mine?" is answered by the reporter's ledger (ledger.ts), so no
 * value in clear is shared by all of one person's items.
 */
import { type SealedPlace, sealAt, unsealAt } from '../crypto/sealing.js';
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

/** Where an item's reporter is sealed: bound to the item's row, so it opens on no other item. */
function reporterPlace(itemId: number): SealedPlace {
  return { table: 'items', column: 'reporter_sealed', row: itemId };
}

/**
 * The sealed reporter of item `itemId`. Bound to the row: a database writer without the key who copies
 * one item's value onto another cannot redirect questions and feedback to the first item's reporter.
 */
export function sealedReporterFor(itemId: number, reporterId: number): string {
  return sealAt(reporterPlace(itemId), String(reporterId));
}

/**
 * The reporter's Telegram id from an item row, or null when it has none. A value sealed for another
 * item or column, or changed, or planted in clear, is refused: a SealingError naming the place only.
 */
export function reporterIdOf(item: { id: number; reporterSealed: string | null }): number | null {
  if (item.reporterSealed === null) return null;
  const id = Number(unsealAt(reporterPlace(item.id), item.reporterSealed));
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The reporter the bot can reach about an item: the enrolled, not revoked monitor or liaison who
 * sent it; null for logged reports, purged items and people no longer enrolled.
 */
export async function reachableReporter(
  db: Queryable,
  item: { id: number; reporterSealed: string | null; sourceKind: string },
): Promise<PersonRecord | null> {
  const reporterId = reporterIdOf(item);
  if (!reporterId || (item.sourceKind !== 'monitor' && item.sourceKind !== 'liaison')) return null;
  const reporter = await personById(db, reporterId);
  return reporter && !reporter.revokedAt ? reporter : null;
}
