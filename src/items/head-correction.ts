/**
 * An officer corrects whom an item is about (the head recorded when it arrived may be wrong: a change
 * recorded late, a tip about the previous head). Audited with the head before and after.
 *
 * Points follow the correction only while none were deducted: an item concluded with points keeps
 * its deduction on the card it was recorded on. That deduction is a concluded decision whose
 * thresholds (4/6/10/12/14) were already posted to the section chat and counted in digests; moving it
 * silently would rewrite two people's cards and alerts after the fact. The reply says so; the audit
 * entry records `pointsStay`, so the section can see which corrections left points behind.
 */
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import type { PersonKey } from '../domain/heads.js';
import { itemHasDeduction } from '../heads/store.js';
import { headKeyForItem, headsOfUnit } from '../heads/tenures.js';
import { type ItemRow, loadVisibleItem, updateItemIfUnchanged } from './store.js';
import type { Acting } from './transitions.js';

/** What correcting the head did. */
export type HeadCorrectionOutcome =
  /** Recorded; `pointsStay` when points were already deducted for the item (they stay where they are). */
  | { kind: 'corrected'; item: ItemRow; name: string | null; pointsStay: boolean }
  /** The chosen person already is the item's head. */
  | { kind: 'unchanged'; item: ItemRow }
  /** Someone changed the item first. */
  | { kind: 'stale'; current: ItemRow | null }
  /** The person never headed the item's unit. */
  | { kind: 'not_a_head'; item: ItemRow };

/** The people an item may be corrected to: those who headed its unit, in the order of their first tenure. */
export async function headChoices(
  db: Queryable,
  item: Pick<ItemRow, 'unitCode'>,
): Promise<Array<{ personKey: PersonKey; name: string | null }>> {
  return headsOfUnit(db, item.unitCode);
}

/** Records that item `item` (at `version`) is about `personKey`, one of the people who headed its unit. */
export async function correctItemHead(
  db: Queryable,
  input: { item: ItemRow; version: number; personKey: PersonKey },
  acting: Acting & { timeZone: string },
): Promise<HeadCorrectionOutcome> {
  const { item, version, personKey } = input;
  if (item.version !== version) return { kind: 'stale', current: item };
  const choice = (await headChoices(db, item)).find((c) => c.personKey === personKey);
  if (!choice) return { kind: 'not_a_head', item };
  const before =
    item.headPersonKey ?? (await headKeyForItem(db, item.unitCode, item.createdAt, acting.timeZone));
  if (before === personKey) return { kind: 'unchanged', item };
  const updated = await updateItemIfUnchanged(db, item.id, version, { headPersonKey: personKey }, acting.now);
  if (!updated) return { kind: 'stale', current: await loadVisibleItem(db, item.id, acting.viewer) };
  const pointsStay = await itemHasDeduction(db, item.id);
  await appendAudit(db, {
    actorId: acting.viewer.telegramId,
    action: 'item.head_corrected',
    itemId: item.id,
    details: { unit: item.unitCode, from: before, to: personKey, pointsStay },
  });
  return { kind: 'corrected', item: updated, name: choice.name, pointsStay };
}
