/**
 * Every read and write of the heads' tables: heads, head_tenures, points_deductions, obligations and
 * must_remove_marks. The use cases beside this file (tenures, points, worklist) decide with the pure
 * rules in src/domain/ and write through here; nothing else touches these tables.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { markDirectoryWritten, readThroughCache } from '../db/read-cache.js';
import { heads, headTenures, mustRemoveMarks, obligations, pointsDeductions } from '../db/schema.js';
import type { Person, PersonKey, Tenure } from '../domain/heads.js';
import type { MustRemoveMark, MustRemoveOutcome, MustRemoveReason } from '../domain/must-remove.js';
import type { AuditReason, Obligation, ObligationStatus, TalkOccasion } from '../domain/obligations.js';
import type { PersonDeduction } from '../domain/points-card.js';

/** Every person who heads or headed a unit (a few hundred at most in a county). */
export async function loadPersons(db: Queryable): Promise<Person[]> {
  return db.select({ key: heads.personKey, name: heads.name }).from(heads).orderBy(asc(heads.personKey));
}

/** The names of some people, by key (unknown keys are left out). */
export async function personNames(
  db: Queryable,
  keys: readonly PersonKey[],
): Promise<Map<PersonKey, string>> {
  const wanted = [...new Set(keys)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ key: heads.personKey, name: heads.name })
    .from(heads)
    .where(inArray(heads.personKey, wanted));
  return new Map(rows.map((row) => [row.key, row.name]));
}

/** Tenures, earliest first: every unit's, or one unit's. */
function selectTenures(db: Queryable, unitCode?: string): Promise<Tenure[]> {
  return db
    .select({
      personKey: headTenures.personKey,
      unitCode: headTenures.unitCode,
      title: headTenures.title,
      from: headTenures.fromDate,
      to: headTenures.toDate,
    })
    .from(headTenures)
    .where(unitCode === undefined ? undefined : eq(headTenures.unitCode, unitCode))
    .orderBy(asc(headTenures.fromDate), asc(headTenures.id));
}

/** Every tenure, earliest first. */
export function loadTenures(db: Queryable): Promise<Tenure[]> {
  return selectTenures(db);
}

/** A unit's tenures, earliest first (read per tip: only the unit's rows, not the whole history). */
export async function tenuresOfUnit(db: Queryable, unitCode: string): Promise<Tenure[]> {
  const tenures = await readThroughCache(db, `tenures:${unitCode}`, () => selectTenures(db, unitCode));
  // Copies: the cached list is shared by every update that reads it (src/db/read-cache.ts).
  return tenures.map((tenure) => ({ ...tenure }));
}

/** Adds a person. */
export async function insertPerson(db: Queryable, person: Person): Promise<void> {
  await db.insert(heads).values({ personKey: person.key, name: person.name });
}

/** Adds a tenure. */
export async function insertTenure(db: Queryable, tenure: Tenure): Promise<void> {
  markDirectoryWritten(db);
  await db.insert(headTenures).values({
    personKey: tenure.personKey,
    unitCode: tenure.unitCode,
    title: tenure.title,
    fromDate: tenure.from,
    toDate: tenure.to,
  });
}

/** Ends a tenure (found by person, unit and first day) on its last day. */
export async function endStoredTenure(db: Queryable, ended: Tenure): Promise<void> {
  markDirectoryWritten(db);
  await db
    .update(headTenures)
    .set({ toDate: ended.to })
    .where(
      and(
        eq(headTenures.personKey, ended.personKey),
        eq(headTenures.unitCode, ended.unitCode),
        eq(headTenures.fromDate, ended.from),
      ),
    );
}

/** Replaces every tenure and adds the people given (an import: all or nothing, in the caller's transaction). */
export async function replaceTenures(
  db: Queryable,
  newPersons: readonly Person[],
  tenures: readonly Tenure[],
): Promise<void> {
  markDirectoryWritten(db);
  if (newPersons.length > 0) {
    await db
      .insert(heads)
      .values(newPersons.map((p) => ({ personKey: p.key, name: p.name })))
      .onConflictDoUpdate({ target: heads.personKey, set: { name: sql`excluded.name` } });
  }
  await db.delete(headTenures);
  if (tenures.length > 0) {
    await db.insert(headTenures).values(
      tenures.map((t) => ({
        personKey: t.personKey,
        unitCode: t.unitCode,
        title: t.title,
        fromDate: t.from,
        toDate: t.to,
      })),
    );
  }
}

// ── points ────────────────────────────────────────────────────────────────────────────────────────

/** Every deduction of one person, at any unit, in any year. */
export async function deductionsOfPerson(db: Queryable, personKey: PersonKey): Promise<PersonDeduction[]> {
  const rows = await db
    .select({
      personKey: pointsDeductions.personKey,
      unitCode: pointsDeductions.unitCode,
      year: pointsDeductions.year,
      points: pointsDeductions.points,
    })
    .from(pointsDeductions)
    .where(eq(pointsDeductions.personKey, personKey));
  return rows.map((row) => ({ ...row, points: Number(row.points) }));
}

/**
 * Deductions of the years `fromYear` on. `includeAdminsOnly` false leaves out those of items only
 * admins may see (ADMIN_ONLY_UNITS), as every officer-facing view must.
 */
export async function deductionsSince(
  db: Queryable,
  fromYear: number,
  includeAdminsOnly: boolean,
): Promise<PersonDeduction[]> {
  const rows = await db
    .select({
      personKey: pointsDeductions.personKey,
      unitCode: pointsDeductions.unitCode,
      year: pointsDeductions.year,
      points: pointsDeductions.points,
    })
    .from(pointsDeductions)
    .where(
      includeAdminsOnly
        ? sql`${pointsDeductions.year} >= ${fromYear}`
        : sql`${pointsDeductions.year} >= ${fromYear} and not exists (select 1 from items scoped where scoped.id = ${pointsDeductions.itemId} and scoped.admins_only)`,
    );
  return rows.map((row) => ({ ...row, points: Number(row.points) }));
}

/** Records a deduction on a person's card for an item. */
export async function insertDeduction(
  db: Queryable,
  deduction: PersonDeduction & { headName: string | null; itemId: number },
): Promise<void> {
  await db.insert(pointsDeductions).values(deduction);
}

// ── obligations ───────────────────────────────────────────────────────────────────────────────────

/** An obligation as stored: the domain's value with its short number (for buttons and /talks). */
export type StoredObligation = Obligation & { id: number };

type ObligationRow = typeof obligations.$inferSelect;

function toObligation(row: ObligationRow): StoredObligation {
  const status: ObligationStatus =
    row.state === 'open'
      ? { state: 'open' }
      : row.state === 'done'
        ? { state: 'done', on: row.settledOn ?? row.createdOn, note: row.note }
        : {
            state: 'not_needed',
            on: row.settledOn ?? row.createdOn,
            reason: row.supersededBy
              ? { kind: 'superseded', byKey: row.supersededBy }
              : { kind: 'stated', text: row.note ?? '' },
          };
  const base = {
    id: row.id,
    key: row.key,
    personKey: row.personKey,
    unitCode: row.unitCode,
    itemId: row.itemId,
    createdOn: row.createdOn,
    startsOn: row.startsOn,
    dueOn: row.dueOn,
    status,
  };
  return row.kind === 'talk'
    ? { ...base, kind: 'talk', occasion: row.occasion as TalkOccasion }
    : { ...base, kind: 'audit', reason: row.occasion as AuditReason };
}

/** Obligations, optionally only one person's, one item's, or only open ones; earliest due first. */
export async function loadObligations(
  db: Queryable,
  filter: { personKey?: PersonKey; itemId?: number; openOnly?: boolean } = {},
): Promise<StoredObligation[]> {
  const conditions = [
    filter.personKey === undefined ? undefined : eq(obligations.personKey, filter.personKey),
    filter.itemId === undefined ? undefined : eq(obligations.itemId, filter.itemId),
    filter.openOnly ? eq(obligations.state, 'open') : undefined,
  ].filter((c) => c !== undefined);
  const rows = await db
    .select()
    .from(obligations)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(obligations.dueOn), asc(obligations.id));
  return rows.map(toObligation);
}

/** One obligation by its number, or null. */
export async function obligationById(db: Queryable, id: number): Promise<StoredObligation | null> {
  const [row] = await db.select().from(obligations).where(eq(obligations.id, id));
  return row ? toObligation(row) : null;
}

/** Stores new obligations; one whose key exists already (the same trigger handled twice) is skipped. */
export async function insertObligations(db: Queryable, list: readonly Obligation[]): Promise<void> {
  if (list.length === 0) return;
  await db
    .insert(obligations)
    .values(
      list.map((o) => ({
        key: o.key,
        kind: o.kind,
        occasion: o.kind === 'talk' ? o.occasion : o.reason,
        personKey: o.personKey,
        unitCode: o.unitCode,
        itemId: o.itemId,
        createdOn: o.createdOn,
        startsOn: o.startsOn,
        dueOn: o.dueOn,
      })),
    )
    .onConflictDoNothing({ target: obligations.key });
}

/**
 * Writes an obligation's new status if it is still open (two officers pressing at once: one wins).
 * Returns whether it was written.
 */
export async function settleStoredObligation(
  db: Queryable,
  settled: Obligation,
  settledBy: number | null,
): Promise<boolean> {
  const status = settled.status;
  if (status.state === 'open') return false;
  const note =
    status.state === 'done' ? status.note : status.reason.kind === 'stated' ? status.reason.text : null;
  const supersededBy =
    status.state === 'not_needed' && status.reason.kind === 'superseded' ? status.reason.byKey : null;
  const rows = await db
    .update(obligations)
    .set({ state: status.state, settledOn: status.on, note, supersededBy, settledBy })
    .where(and(eq(obligations.key, settled.key), eq(obligations.state, 'open')))
    .returning({ key: obligations.key });
  return rows.length > 0;
}

// ── 四个必下 ──────────────────────────────────────────────────────────────────────────────────────

type MarkRow = typeof mustRemoveMarks.$inferSelect;

/** A must-remove mark as stored: the domain's value with its short number (for buttons). */
export type StoredMark = MustRemoveMark & { id: number };

function toMark(row: MarkRow): StoredMark {
  return {
    id: row.id,
    key: row.key,
    personKey: row.personKey,
    unitCode: row.unitCode,
    reason: row.reason as MustRemoveReason,
    raisedOn: row.raisedOn,
    itemId: row.itemId,
    status:
      row.state === 'pending'
        ? { state: 'pending' }
        : {
            state: 'resolved',
            outcome: row.outcome as MustRemoveOutcome,
            on: row.resolvedOn ?? row.raisedOn,
            note: row.note,
          },
  };
}

/** Must-remove marks, optionally only one person's, or only pending ones. */
export async function loadMarks(
  db: Queryable,
  filter: { personKey?: PersonKey; pendingOnly?: boolean } = {},
): Promise<StoredMark[]> {
  const conditions = [
    filter.personKey === undefined ? undefined : eq(mustRemoveMarks.personKey, filter.personKey),
    filter.pendingOnly ? eq(mustRemoveMarks.state, 'pending') : undefined,
  ].filter((c) => c !== undefined);
  const rows = await db
    .select()
    .from(mustRemoveMarks)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(mustRemoveMarks.raisedOn), asc(mustRemoveMarks.key));
  return rows.map(toMark);
}

/** Stores new marks; a key that exists already is skipped. */
export async function insertMarks(db: Queryable, marks: readonly MustRemoveMark[]): Promise<void> {
  if (marks.length === 0) return;
  await db
    .insert(mustRemoveMarks)
    .values(
      marks.map((m) => ({
        key: m.key,
        personKey: m.personKey,
        unitCode: m.unitCode,
        reason: m.reason,
        raisedOn: m.raisedOn,
        itemId: m.itemId,
      })),
    )
    .onConflictDoNothing({ target: mustRemoveMarks.key });
}

/** One mark by its number, or null. */
export async function markById(db: Queryable, id: number): Promise<StoredMark | null> {
  const [row] = await db.select().from(mustRemoveMarks).where(eq(mustRemoveMarks.id, id));
  return row ? toMark(row) : null;
}

/** Writes a mark's outcome if it is still pending (two admins at once: one wins). Returns whether it was written. */
export async function resolveStoredMark(db: Queryable, mark: MustRemoveMark): Promise<boolean> {
  if (mark.status.state !== 'resolved') return false;
  const rows = await db
    .update(mustRemoveMarks)
    .set({
      state: 'resolved',
      outcome: mark.status.outcome,
      resolvedOn: mark.status.on,
      note: mark.status.note,
    })
    .where(and(eq(mustRemoveMarks.key, mark.key), eq(mustRemoveMarks.state, 'pending')))
    .returning({ key: mustRemoveMarks.key });
  return rows.length > 0;
}

/** Whether points were deducted for item `itemId` (its conclusion recorded them on someone's card). */
export async function itemHasDeduction(db: Queryable, itemId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: pointsDeductions.id })
    .from(pointsDeductions)
    .where(eq(pointsDeductions.itemId, itemId))
    .limit(1);
  return row !== undefined;
}
