/**
 * /history (admins): every audit entry of an item with who acted, where a reporter stays sealed —
 * even to admins the audit trail must not become a way to unmask them (that is /reveal's, audited).
 */
import { type AuditRow, itemAuditEntries } from '../audit.js';
import type { Queryable } from '../db/client.js';
import { isRole, REPORTER_ROLES, type Role } from '../domain/roles.js';
import { personById, staffName } from '../people/store.js';
import { type SealedSource, sealedSourceOf } from './card.js';
import { isReporterAudit, reporterIdOf } from './reporter-link.js';
import { type ItemRow, loadVisibleItem, type Viewer } from './store.js';

/** Who did an audited step, as an admin may be told. */
export type HistoryActor =
  | { kind: 'system' }
  | { kind: 'reporter'; source: SealedSource }
  | { kind: 'staff'; role: Role; name: string };

/** One step of the history. */
export interface HistoryEntry {
  at: Date;
  action: string;
  actor: HistoryActor;
  /** The status before and after, for state changes. */
  change: { from: string; to: string } | null;
}

/** An item's history, oldest first, or null when the viewer cannot see the item. */
export async function itemHistory(
  db: Queryable,
  id: number,
  viewer: Viewer,
): Promise<{ item: ItemRow; entries: HistoryEntry[] } | null> {
  const item = await loadVisibleItem(db, id, viewer);
  if (!item) return null;
  const cache = new Map<number, HistoryActor>();
  const entries: HistoryEntry[] = [];
  for (const row of await itemAuditEntries(db, id)) {
    const details = row.details ?? {};
    entries.push({
      at: row.at,
      action: row.action,
      actor: await actorOf(db, item, row, cache),
      change:
        typeof details.from === 'string' && typeof details.to === 'string'
          ? { from: details.from, to: details.to }
          : null,
    });
  }
  return { item, entries };
}

async function actorOf(
  db: Queryable,
  item: ItemRow,
  row: AuditRow,
  cache: Map<number, HistoryActor>,
): Promise<HistoryActor> {
  const actorId = row.actorId;
  if (actorId === null && isReporterAudit(row.details)) {
    return { kind: 'reporter', source: sealedSourceOf(item) };
  }
  if (actorId === null) return { kind: 'system' };
  const known = cache.get(actorId);
  if (known) return known;
  const person = await personById(db, actorId);
  let actor: HistoryActor;
  const isReporter =
    actorId === reporterIdOf(item) || (person !== null && REPORTER_ROLES.includes(person.role));
  if (isReporter) {
    actor = { kind: 'reporter', source: sealedSourceOf(item) };
  } else if (person && isRole(person.role)) {
    actor = { kind: 'staff', role: person.role, name: staffName(person) };
  } else {
    actor = { kind: 'staff', role: 'admin', name: `#${actorId}` };
  }
  cache.set(actorId, actor);
  return actor;
}
