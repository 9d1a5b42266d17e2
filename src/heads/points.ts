/**
 * The integrity card's points (廉政监督扣分制) on a person's record: a conclusion's deduction goes to
 * the head the item is about, and flags are reckoned over that person's own points at every unit they
 * headed — a head change never moves points.
 */
import type { Queryable } from '../db/client.js';
import { type PersonKey, subjectKeyAt } from '../domain/heads.js';
import { localDateOf } from '../domain/local-date.js';
import { cardYear, newlyCrossedFlagsForPerson, type PointsFlag, personCard } from '../domain/points-card.js';
import { deductionsOfPerson, insertDeduction, loadTenures, personNames } from './store.js';

/** What a deduction did to its person's card. */
export interface DeductionRecorded {
  personKey: PersonKey;
  /** The head's name, or null for the unit's unknown head. */
  name: string | null;
  points: number;
  yearTotal: number;
  /** Flags the person newly reached this year. */
  flags: PointsFlag[];
}

/**
 * Deducts `points` for an item from the head it is about (its recorded head, or the unit's head on
 * the day it arrived, or the unit's unknown head), in the year of `now`.
 */
export async function deductForItem(
  db: Queryable,
  item: { id: number; unitCode: string; headPersonKey: string | null; createdAt: Date },
  points: number,
  context: { now: Date; timeZone: string },
): Promise<DeductionRecorded> {
  const personKey =
    item.headPersonKey ??
    subjectKeyAt(await loadTenures(db), item.unitCode, localDateOf(item.createdAt, context.timeZone));
  const year = cardYear(context.now, context.timeZone);
  const before = await deductionsOfPerson(db, personKey);
  const added = { personKey, unitCode: item.unitCode, year, points };
  const name = (await personNames(db, [personKey])).get(personKey) ?? null;
  await insertDeduction(db, { ...added, headName: name, itemId: item.id });
  const flags = newlyCrossedFlagsForPerson(before, added);
  const yearTotal = personCard([...before, added], personKey, year).yearTotal;
  return { personKey, name, points, yearTotal, flags };
}
