/**
 * Talks (八必谈) and audits (经济责任审计) as the section's worklist (/talks), and 四个必下 marks: raised
 * by the events the county's rules name (an item accepted, an item concluded, a two-yearly cycle),
 * added by hand, and settled as done or not needed — every step audited, notes sealed.
 */
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import type { AgencyCode } from '../domain/agencies.js';
import type { PersonKey } from '../domain/heads.js';
import type { Conclusion } from '../domain/item-state.js';
import { type LocalDate, localDateOf } from '../domain/local-date.js';
import {
  type MustRemoveError,
  type MustRemoveOutcome,
  marksForConclusion,
  resolveMustRemove,
} from '../domain/must-remove.js';
import {
  completeObligation,
  dismissObligation,
  isAuditRelated,
  manualTalk,
  type Obligation,
  obligationsForConclusion,
  obligationsForHandling,
  planTwoYearlyAudits,
  type SettleError,
  type TalkOccasion,
  worklist,
} from '../domain/obligations.js';
import type { Domain } from '../domain/tip-code.js';
import { workingCalendar } from '../holidays.js';
import { loadUnits, unitByCode } from '../units/directory.js';
import {
  insertMarks,
  insertObligations,
  loadMarks,
  loadObligations,
  loadTenures,
  markById,
  obligationById,
  personNames,
  resolveStoredMark,
  type StoredMark,
  type StoredObligation,
  settleStoredObligation,
} from './store.js';
import { type HeadsActing, headKeyForItem } from './tenures.js';

/** The item facts the worklist's triggers need (no text, no reporter). */
export interface ItemFacts {
  id: number;
  domain: Domain;
  unitCode: string;
  sourceAgency: AgencyCode | string | null;
  headPersonKey: string | null;
  createdAt: Date;
}

async function subjectOf(db: Queryable, item: ItemFacts, timeZone: string): Promise<PersonKey> {
  return item.headPersonKey ?? headKeyForItem(db, item.unitCode, item.createdAt, timeZone);
}

/**
 * An item taken up for handling: an integrity (I) item creates an integrity talk (廉洁情况有反映) with
 * the head it is about, unless one with them is open already. Returns how many were created.
 */
export async function raiseOnHandling(
  db: Queryable,
  item: ItemFacts,
  context: { now: Date; timeZone: string },
): Promise<number> {
  if (item.domain !== 'I') return 0;
  const personKey = await subjectOf(db, item, context.timeZone);
  const plan = obligationsForHandling({
    itemId: item.id,
    domain: item.domain,
    personKey,
    unitCode: item.unitCode,
    on: localDateOf(context.now, context.timeZone),
    existing: await loadObligations(db, { personKey }),
    // Due on the official calendar, as the items' own due dates are (holidays off, make-up days worked).
    calendar: await workingCalendar(db),
  });
  await insertObligations(db, plan.create);
  return plan.create.length;
}

/** What a conclusion raised on the head's record. */
export interface ConclusionRaised {
  /** Obligations created (an integrity talk if none was raised on handling, a follow-up audit). */
  obligations: number;
  /** Whether the head was marked 必下 (or already was, for a violation). */
  mustRemove: boolean;
}

/**
 * An item concluded: an integrity item with a finding at least partly true makes sure an integrity
 * talk exists (it may have skipped "accepted"); an audit item with serious findings creates next
 * year's follow-up audit (跟踪审计); a referral to discipline inspection marks the head 必下.
 */
export async function raiseOnConclusion(
  db: Queryable,
  item: ItemFacts,
  conclusion: Conclusion,
  context: { now: Date; timeZone: string },
): Promise<ConclusionRaised> {
  const personKey = await subjectOf(db, item, context.timeZone);
  const on = localDateOf(context.now, context.timeZone);
  let created = 0;
  if (item.domain === 'I' && conclusion.finding !== 'unsubstantiated') {
    created += await raiseOnHandling(db, { ...item, headPersonKey: personKey }, context);
  }
  const followUp = obligationsForConclusion({
    itemId: item.id,
    auditRelated: isAuditRelated({ sourceAgency: item.sourceAgency as AgencyCode | null }),
    conclusion,
    personKey,
    unitCode: item.unitCode,
    on,
    existing: await loadObligations(db, { personKey }),
    calendar: await workingCalendar(db),
  });
  await insertObligations(db, followUp.create);
  created += followUp.create.length;
  const marks = marksForConclusion({
    itemId: item.id,
    measures: conclusion.measures,
    investigatedByEnforcement: conclusion.investigated === true,
    personKey,
    unitCode: item.unitCode,
    on,
    existing: await loadMarks(db, { personKey }),
  });
  await insertMarks(db, marks.create);
  if (marks.create.length > 0) {
    await appendAudit(db, {
      actorId: null,
      action: 'head.must_remove',
      itemId: item.id,
      details: { person: personKey, unit: item.unitCode },
    });
  }
  return { obligations: created, mustRemove: marks.create.length + marks.alreadyPending.length > 0 };
}

/** An obligation on the worklist with its head's name (null for a unit's unknown head). */
export type WorklistEntry = StoredObligation & { name: string | null; overdue: boolean };

/**
 * Creates the two-yearly audits (两年一审) of heads in office at A-class units that are due to show by
 * today; idempotent (each is keyed by its head, unit and due day).
 */
export async function planAudits(db: Queryable, today: LocalDate): Promise<number> {
  const aClassUnits = new Set((await loadUnits(db)).filter((u) => u.auditClass === 'A').map((u) => u.code));
  const plan = planTwoYearlyAudits({
    today,
    tenures: await loadTenures(db),
    aClassUnits,
    existing: await loadObligations(db),
    calendar: await workingCalendar(db),
  });
  await insertObligations(db, plan.create);
  return plan.create.length;
}

/**
 * /talks: open talks and audits already showing, the earliest due first, after creating any two-yearly
 * audit now due. Obligations at `hiddenUnits` (ADMIN_ONLY_UNITS, for officers) are left out.
 */
export async function listWorklist(
  db: Queryable,
  context: { now: Date; timeZone: string; hiddenUnits: readonly string[] },
): Promise<WorklistEntry[]> {
  const today = localDateOf(context.now, context.timeZone);
  await planAudits(db, today);
  const open = worklist(await loadObligations(db, { openOnly: true }), today) as StoredObligation[];
  const shown = open.filter((o) => !context.hiddenUnits.includes(o.unitCode));
  const names = await personNames(
    db,
    shown.map((o) => o.personKey),
  );
  return shown.map((o) => ({ ...o, name: names.get(o.personKey) ?? null, overdue: today > o.dueOn }));
}

/** The obligations an item caused (for its card). */
export async function obligationsOfItem(db: Queryable, itemId: number): Promise<StoredObligation[]> {
  return loadObligations(db, { itemId });
}

/** What adding a talk by hand did. */
export type AddTalkOutcome =
  | { kind: 'added'; obligation: Obligation; name: string | null }
  | { kind: 'exists' }
  | { kind: 'unknown_unit' }
  | { kind: 'hidden' };

/**
 * /talks add <UNIT> <occasion> (or the item card): a talk for any occasion with the unit's head in
 * office today (or its unknown head). `nonce` (the update id) makes a retried update add it once.
 */
export async function addTalk(
  db: Queryable,
  input: { unitCode: string; occasion: TalkOccasion; nonce: string; itemId?: number | null },
  acting: HeadsActing & { hiddenUnits: readonly string[] },
): Promise<AddTalkOutcome> {
  const unitCode = input.unitCode.toUpperCase();
  if (!(await unitByCode(db, unitCode))) return { kind: 'unknown_unit' };
  if (acting.hiddenUnits.includes(unitCode)) return { kind: 'hidden' };
  const personKey = await headKeyForItem(db, unitCode, acting.now, acting.timeZone);
  const talk = manualTalk({
    occasion: input.occasion,
    personKey,
    unitCode,
    on: localDateOf(acting.now, acting.timeZone),
    nonce: input.nonce,
    itemId: input.itemId ?? null,
    calendar: await workingCalendar(db),
  });
  if ((await loadObligations(db, { personKey })).some((o) => o.key === talk.key)) return { kind: 'exists' };
  await insertObligations(db, [talk]);
  await appendAudit(db, {
    actorId: acting.actorId,
    action: 'obligation.added',
    itemId: input.itemId ?? null,
    details: { key: talk.key, unit: unitCode, occasion: input.occasion },
  });
  return {
    kind: 'added',
    obligation: talk,
    name: (await personNames(db, [personKey])).get(personKey) ?? null,
  };
}

/** What settling an obligation did. */
export type SettleOutcome =
  | { kind: 'settled'; obligation: StoredObligation }
  | { kind: 'not_found' }
  | { kind: 'refused'; reason: SettleError };

/**
 * Marks obligation `id` done (with an optional note) or not needed (with a reason). The text is sealed
 * at rest and never logged; the audit log records who settled which obligation, not the text.
 */
export async function settleObligation(
  db: Queryable,
  input: { id: number; action: 'done' | 'not_needed'; text: string | null },
  acting: HeadsActing & { hiddenUnits: readonly string[] },
): Promise<SettleOutcome> {
  const current = await obligationById(db, input.id);
  if (!current || acting.hiddenUnits.includes(current.unitCode)) return { kind: 'not_found' };
  const on = localDateOf(acting.now, acting.timeZone);
  const result =
    input.action === 'done'
      ? completeObligation(current, { on, note: input.text })
      : dismissObligation(current, { on, reason: input.text ?? '' });
  if (!result.ok) return { kind: 'refused', reason: result.reason };
  if (!(await settleStoredObligation(db, result.obligation, acting.actorId))) {
    return { kind: 'refused', reason: 'not_open' };
  }
  await appendAudit(db, {
    actorId: acting.actorId,
    action: input.action === 'done' ? 'obligation.done' : 'obligation.not_needed',
    itemId: current.itemId,
    details: { id: current.id, key: current.key, noted: input.text !== null && input.text.trim() !== '' },
  });
  return { kind: 'settled', obligation: { ...result.obligation, id: current.id } };
}

/** What recording a 必下 outcome did. */
export type ResolveMarkOutcome =
  | { kind: 'resolved'; mark: StoredMark; name: string | null }
  | { kind: 'not_found' }
  | { kind: 'refused'; reason: MustRemoveError };

/**
 * An admin records what became of a head marked 必下 (免职, 降职, 责令辞职, 调离, or cleared); the mark
 * leaves /heads and the weekly digest. Audited. Ending the tenure is a separate /head or import: the
 * successor's first day is the section's to state.
 */
export async function resolveMark(
  db: Queryable,
  input: { id: number; outcome: MustRemoveOutcome },
  acting: HeadsActing,
): Promise<ResolveMarkOutcome> {
  const mark = await markById(db, input.id);
  if (!mark) return { kind: 'not_found' };
  const result = resolveMustRemove(mark, {
    outcome: input.outcome,
    on: localDateOf(acting.now, acting.timeZone),
  });
  if (!result.ok) return { kind: 'refused', reason: result.reason };
  if (!(await resolveStoredMark(db, result.mark))) return { kind: 'refused', reason: 'not_pending' };
  await appendAudit(db, {
    actorId: acting.actorId,
    action: 'head.must_remove_resolved',
    itemId: mark.itemId,
    details: { id: mark.id, person: mark.personKey, unit: mark.unitCode, outcome: input.outcome },
  });
  const name = (await personNames(db, [mark.personKey])).get(mark.personKey) ?? null;
  return { kind: 'resolved', mark: { ...result.mark, id: mark.id }, name };
}
