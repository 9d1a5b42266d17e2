import type { PersonKey } from './heads.js';
import type { Measure } from './item-state.js';
import { isLocalDate, type LocalDate } from './local-date.js';

/**
 * 四个必下 (the four must-removes): when one holds, the head must leave the post. One comes out of the
 * product's own work — a conclusion that refers the head to discipline inspection, or a finding that
 * discipline or law-enforcement bodies investigated them — and marks the head until an admin records
 * what became of it. The other three come from the section's cadre work and are recorded by hand.
 */

/**
 * The four reasons, in the document's order: 在考核中不称职、不胜任现职; 在任前公示中发现有工作、生活作风
 * 问题，影响任用; 在试用期考核中"不合格者"; 被执纪执法部门查处的"违纪违法者".
 */
export const MUST_REMOVE_REASONS = [
  'incompetent_in_assessment',
  'style_problem_in_publicity',
  'failed_probation',
  'discipline_or_law_violation',
] as const;

/** One must-remove reason. */
export type MustRemoveReason = (typeof MUST_REMOVE_REASONS)[number];

/** The reasons only the section's own work establishes: recorded by hand, never raised by an item. */
export const MANUAL_MUST_REMOVE_REASONS: readonly MustRemoveReason[] = [
  'incompetent_in_assessment',
  'style_problem_in_publicity',
  'failed_probation',
];

/**
 * What an admin records as the outcome: 免职 (removed), 降职 (demoted), 责令辞职 (ordered to resign),
 * 调离现职 (moved off the post), or 不予组织处理 (cleared: e.g. the referral found no violation). The
 * first four are the ways of leaving a post the document names (降职、免职、责令辞职, 调离重要岗位).
 */
export const MUST_REMOVE_OUTCOMES = [
  'removed',
  'demoted',
  'ordered_to_resign',
  'transferred',
  'cleared',
] as const;

/** One outcome. */
export type MustRemoveOutcome = (typeof MUST_REMOVE_OUTCOMES)[number];

/** A mark's state: waiting for the admin's outcome (shown as 必下), or resolved. */
export type MustRemoveStatus =
  | { state: 'pending' }
  | { state: 'resolved'; outcome: MustRemoveOutcome; on: LocalDate; note: string | null };

/** A 必下 mark on a head's record. */
export interface MustRemoveMark {
  /** Made from the trigger, so the same conclusion handled twice marks once. */
  key: string;
  personKey: PersonKey;
  unitCode: string;
  reason: MustRemoveReason;
  raisedOn: LocalDate;
  itemId: number | null;
  status: MustRemoveStatus;
}

/** Longest outcome note, in code points (as for conclusions). */
export const MAX_MUST_REMOVE_NOTE_LENGTH = 2000;

/**
 * Whether a conclusion marks the head 必下: its measures include the referral to discipline inspection
 * and supervision (`referred`, 移送纪检监察机关), or the officer recorded that discipline or
 * law-enforcement bodies investigated the head (被执纪执法部门查处). Any finding: a referral is exactly
 * the case where the section's own finding is not the last word, so the admin records the outcome.
 */
export function conclusionMarksMustRemove(input: {
  measures: readonly Measure[];
  investigatedByEnforcement?: boolean;
}): boolean {
  return input.measures.includes('referred') || input.investigatedByEnforcement === true;
}

/**
 * The 必下 mark a conclusion raises, if any. When the head already has a pending mark for a violation
 * of discipline or law, that mark covers this conclusion too (`alreadyPending`): one decision to make.
 */
export function marksForConclusion(input: {
  itemId: number;
  measures: readonly Measure[];
  investigatedByEnforcement?: boolean;
  personKey: PersonKey;
  unitCode: string;
  on: LocalDate;
  existing: readonly MustRemoveMark[];
}): { create: MustRemoveMark[]; alreadyPending: string[] } {
  if (!conclusionMarksMustRemove(input)) return { create: [], alreadyPending: [] };
  const key = `must_remove:discipline_or_law_violation:item:${input.itemId}`;
  if (input.existing.some((m) => m.key === key)) return { create: [], alreadyPending: [] };
  const pending = input.existing.filter(
    (m) =>
      m.status.state === 'pending' &&
      m.personKey === input.personKey &&
      m.reason === 'discipline_or_law_violation',
  );
  if (pending.length > 0) return { create: [], alreadyPending: pending.map((m) => m.key) };
  return {
    create: [
      {
        key,
        personKey: input.personKey,
        unitCode: input.unitCode,
        reason: 'discipline_or_law_violation',
        raisedOn: input.on,
        itemId: input.itemId,
        status: { state: 'pending' },
      },
    ],
    alreadyPending: [],
  };
}

/**
 * A mark recorded by hand by the section (any of the four reasons; the first three only come this way).
 * `nonce` makes the key: something unique to the request, e.g. the Telegram update id.
 */
export function recordMustRemove(input: {
  personKey: PersonKey;
  unitCode: string;
  reason: MustRemoveReason;
  on: LocalDate;
  nonce: string;
  itemId?: number | null;
}): MustRemoveMark {
  return {
    key: `must_remove:${input.reason}:${input.personKey}:manual:${input.nonce}`,
    personKey: input.personKey,
    unitCode: input.unitCode,
    reason: input.reason,
    raisedOn: input.on,
    itemId: input.itemId ?? null,
    status: { state: 'pending' },
  };
}

/** Why resolving or reopening a mark is refused. */
export type MustRemoveError =
  | 'not_pending'
  | 'already_pending'
  | 'unknown_outcome'
  | 'invalid_date'
  | 'note_too_long';

/** Records an admin's outcome for a pending mark (the caller checks the admin). */
export function resolveMustRemove(
  mark: MustRemoveMark,
  resolution: { outcome: MustRemoveOutcome; on: LocalDate; note?: string | null },
): { ok: true; mark: MustRemoveMark } | { ok: false; reason: MustRemoveError } {
  if (mark.status.state !== 'pending') return { ok: false, reason: 'not_pending' };
  if (!(MUST_REMOVE_OUTCOMES as readonly string[]).includes(resolution.outcome)) {
    return { ok: false, reason: 'unknown_outcome' };
  }
  if (!isLocalDate(resolution.on)) return { ok: false, reason: 'invalid_date' };
  const note = resolution.note?.trim() || null;
  if (note !== null && Array.from(note).length > MAX_MUST_REMOVE_NOTE_LENGTH) {
    return { ok: false, reason: 'note_too_long' };
  }
  return {
    ok: true,
    mark: { ...mark, status: { state: 'resolved', outcome: resolution.outcome, on: resolution.on, note } },
  };
}

/** Makes a resolved mark pending again (an admin correcting a wrong outcome). */
export function reopenMustRemove(
  mark: MustRemoveMark,
): { ok: true; mark: MustRemoveMark } | { ok: false; reason: MustRemoveError } {
  if (mark.status.state === 'pending') return { ok: false, reason: 'already_pending' };
  return { ok: true, mark: { ...mark, status: { state: 'pending' } } };
}

/** Whether an outcome means the head left the post, so the caller ends their tenure (heads.endTenure). */
export function outcomeEndsTenure(outcome: MustRemoveOutcome): boolean {
  return outcome !== 'cleared';
}

/** A person's pending marks (what /heads shows as 必下 to admins), oldest first. */
export function pendingMustRemoves(marks: readonly MustRemoveMark[], personKey: PersonKey): MustRemoveMark[] {
  return marks
    .filter((m) => m.personKey === personKey && m.status.state === 'pending')
    .sort((a, b) => (a.raisedOn < b.raisedOn ? -1 : a.raisedOn > b.raisedOn ? 1 : a.key < b.key ? -1 : 1));
}

/** Whether a person is marked 必下: at least one mark is waiting for its outcome. */
export function isMarkedMustRemove(marks: readonly MustRemoveMark[], personKey: PersonKey): boolean {
  return marks.some((m) => m.personKey === personKey && m.status.state === 'pending');
}
