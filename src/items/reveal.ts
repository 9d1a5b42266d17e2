/**
 * /reveal: the one place a reporter's identity is unsealed, for an admin, with a reason that goes
 * into the audit log ('item.revealed'); the weekly digest counts reveals, so unsealing is never silent.
 */
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import type { SourceKind } from '../domain/routing.js';
import { type PersonRecord, personById } from '../people/store.js';
import { reporterIdOf } from './reporter-link.js';
import { loadItem } from './store.js';

/** The shortest reason an admin must give to unseal a reporter. */
export const MIN_REVEAL_REASON = 10;

/** What a reveal found. */
export type RevealOutcome =
  | { kind: 'not_found' }
  /** The item has no enrolled reporter (a call or letter), or lost the link to retention (`purged`). */
  | { kind: 'no_reporter'; sourceKind: SourceKind; purged: boolean }
  /** Who reported: their Telegram id, and their enrolment if they are still in the roster. */
  | { kind: 'revealed'; reporterId: number; person: PersonRecord | null };

/** Unseals who reported item `itemId` for admin `actorId`; every attempt is audited with its reason. */
export async function revealReporter(
  db: Queryable,
  input: { itemId: number; reason: string },
  actorId: number | null,
): Promise<RevealOutcome> {
  const item = await loadItem(db, input.itemId);
  if (!item) return { kind: 'not_found' };
  const reporterId = reporterIdOf(item);
  await appendAudit(db, {
    actorId,
    action: 'item.revealed',
    itemId: item.id,
    details: { reason: input.reason, found: reporterId !== null },
  });
  if (reporterId === null) {
    return { kind: 'no_reporter', sourceKind: item.sourceKind, purged: item.purgedAt !== null };
  }
  return { kind: 'revealed', reporterId, person: await personById(db, reporterId) };
}
