import type { AgencyCode } from './agencies.js';
import {
  addWorkingDates,
  EMPTY_CALENDAR,
  nextWorkingDate,
  previousWorkingDate,
  type WorkingCalendar,
} from './calendar.js';
import type { PersonKey, Tenure } from './heads.js';
import type { Conclusion, ItemStatus } from './item-state.js';
import { addCalendarDays, addYears, isLocalDate, type LocalDate, yearOf } from './local-date.js';
import type { Domain } from './tip-code.js';

/**
 * Talks (八必谈) and economic-responsibility audits (经济责任审计) as obligations on the cadre section's
 * worklist: created by the events the document names, due on working days, and settled by hand as
 * done (with an optional note) or not needed (with a reason). Nothing is ever deleted.
 */

/**
 * The eight talk occasions (八必谈), in the document's order: 职务调整, 考察考核反馈, 班子内部有不团结苗头,
 * 受到表彰奖励, 工作遇到挫折, 有重大事项要求组织谈话, 廉洁情况有反映, 其他需要谈话的情况.
 */
export const TALK_OCCASIONS = [
  'post_adjusted',
  'assessment_feedback',
  'team_disunity',
  'commendation',
  'setback',
  'head_requested',
  'integrity_reports',
  'other',
] as const;

/** One talk occasion. */
export type TalkOccasion = (typeof TALK_OCCASIONS)[number];

/** Why an audit is due: 逢离必审 (on leaving), 两年一审 (A-class units, every two years), 跟踪审计 (follow-up). */
export const AUDIT_REASONS = ['departure', 'two_yearly', 'follow_up'] as const;

/** One audit reason. */
export type AuditReason = (typeof AUDIT_REASONS)[number];

/** Where an obligation stands. */
export const OBLIGATION_STATES = ['open', 'done', 'not_needed'] as const;

/** One obligation state. */
export type ObligationState = (typeof OBLIGATION_STATES)[number];

/** Why an obligation was not needed: as an officer stated it, or because another one covers it. */
export type NotNeededReason = { kind: 'stated'; text: string } | { kind: 'superseded'; byKey: string };

/** An obligation's state with what settled it. */
export type ObligationStatus =
  | { state: 'open' }
  | { state: 'done'; on: LocalDate; note: string | null }
  | { state: 'not_needed'; on: LocalDate; reason: NotNeededReason };

interface ObligationBase {
  /**
   * Made from the trigger (never random), so the same event handled twice — a retried update, a
   * planner run again — yields the same key, and a unique index turns the repeat into nothing.
   */
  key: string;
  personKey: PersonKey;
  unitCode: string;
  /** The item that caused it, if any. */
  itemId: number | null;
  /** The day its clock starts. */
  createdOn: LocalDate;
  /** The first day it shows on the worklist (later than createdOn for next year's follow-up audit). */
  startsOn: LocalDate;
  /** The last day to do it; overdue from the day after while open. */
  dueOn: LocalDate;
  status: ObligationStatus;
}

/** A talk a committee member must hold with a head. */
export interface TalkObligation extends ObligationBase {
  kind: 'talk';
  occasion: TalkOccasion;
}

/** An audit of a head's economic responsibility the section must have carried out. */
export interface AuditObligation extends ObligationBase {
  kind: 'audit';
  reason: AuditReason;
}

/** A talk or an audit on the worklist. */
export type Obligation = TalkObligation | AuditObligation;

/**
 * Working days to hold a talk, counted from the day after the occasion. Ten (two working weeks) for
 * most: the document says a talk *must* follow the occasion (必须找他们谈话), so it must come while the
 * occasion is still current, and two weeks is what a county committee member's diary can reliably
 * give; the weekly digest sees it twice before it is late. Five when the head asked for the talk on a
 * major matter (有重大事项要求组织谈话): they are waiting, and a week is the most such a request should wait.
 */
export const TALK_DUE_WORKING_DAYS: Readonly<Record<TalkOccasion, number>> = {
  post_adjusted: 10,
  assessment_feedback: 10,
  team_disunity: 10,
  commendation: 10,
  setback: 10,
  head_requested: 5,
  integrity_reports: 10,
  other: 10,
};

/**
 * Working days to commission the departure audit (逢离必审): twenty, about a month. The document pairs
 * it with the handover of economic matters on leaving (离任经济事项交接办法); the audit has to be
 * commissioned with the Audit Bureau while that handover runs and the records are fresh. "Done" means
 * commissioned (the note says when and under which reference), not finished, which the section does
 * not control.
 */
export const DEPARTURE_AUDIT_WORKING_DAYS = 20;

/** Years between audits of an A-class unit's head (两年一审). */
export const TWO_YEARLY_INTERVAL_YEARS = 2;

/** Calendar days before its due day that a two-yearly audit shows on the worklist (time to commission it). */
export const TWO_YEARLY_NOTICE_DAYS = 60;

/** Longest note or reason an officer may give, in code points (as for conclusions). */
export const MAX_OBLIGATION_NOTE_LENGTH = 2000;

/** What a trigger asks the caller to write: new obligations, and open ones another now covers. */
export interface ObligationPlan {
  create: Obligation[];
  /** Open obligations to settle as not needed (superseded by `byKey`). */
  supersede: { key: string; byKey: string }[];
  /** Open obligations that already cover this trigger (e.g. an integrity talk with this head). */
  alreadyOpen: string[];
}

const OPEN: ObligationStatus = { state: 'open' };

function laterOf(a: LocalDate, b: LocalDate): LocalDate {
  return a > b ? a : b;
}

function talk(
  occasion: TalkOccasion,
  key: string,
  who: { personKey: PersonKey; unitCode: string; itemId?: number | null },
  clockFrom: LocalDate,
  calendar: WorkingCalendar,
): TalkObligation {
  return {
    kind: 'talk',
    occasion,
    key,
    personKey: who.personKey,
    unitCode: who.unitCode,
    itemId: who.itemId ?? null,
    createdOn: clockFrom,
    startsOn: clockFrom,
    dueOn: addWorkingDates(clockFrom, TALK_DUE_WORKING_DAYS[occasion], calendar),
    status: OPEN,
  };
}

function plan(existing: readonly Obligation[], wanted: Obligation[]): ObligationPlan {
  const known = new Set(existing.map((o) => o.key));
  const create: Obligation[] = [];
  for (const o of wanted) {
    if (known.has(o.key)) continue;
    known.add(o.key);
    create.push(o);
  }
  return { create, supersede: [], alreadyOpen: [] };
}

/**
 * What a head change creates (see heads.recordHead): a post-adjustment talk (职务调整) with the incoming
 * head and with each outgoing one, and a departure audit (逢离必审) of each outgoing head at the unit
 * they leave; their open two-yearly audit there is superseded by it. A person who moves between units
 * gets one talk, not two. The clock starts on the change's first day, or on `recordedOn` if the
 * change was recorded late: the section cannot act on what it did not know.
 */
export function obligationsForHeadChange(input: {
  started: Tenure;
  ended: readonly Tenure[];
  recordedOn: LocalDate;
  existing: readonly Obligation[];
  calendar?: WorkingCalendar;
}): ObligationPlan {
  const calendar = input.calendar ?? EMPTY_CALENDAR;
  const on = input.started.from;
  const clock = laterOf(on, input.recordedOn);
  const wanted: Obligation[] = [];
  const talkWith = (personKey: PersonKey, unitCode: string) =>
    talk('post_adjusted', `talk:post_adjusted:${personKey}:${on}`, { personKey, unitCode }, clock, calendar);
  wanted.push(talkWith(input.started.personKey, input.started.unitCode));
  const supersede: { key: string; byKey: string }[] = [];
  for (const left of input.ended) {
    wanted.push(talkWith(left.personKey, left.unitCode));
    const audit: AuditObligation = {
      kind: 'audit',
      reason: 'departure',
      key: `audit:departure:${left.personKey}:${left.unitCode}:${left.to ?? on}`,
      personKey: left.personKey,
      unitCode: left.unitCode,
      itemId: null,
      createdOn: clock,
      startsOn: clock,
      dueOn: addWorkingDates(clock, DEPARTURE_AUDIT_WORKING_DAYS, calendar),
      status: OPEN,
    };
    wanted.push(audit);
    for (const o of input.existing) {
      if (
        o.kind === 'audit' &&
        o.reason === 'two_yearly' &&
        o.status.state === 'open' &&
        o.personKey === left.personKey &&
        o.unitCode === left.unitCode
      ) {
        supersede.push({ key: o.key, byKey: audit.key });
      }
    }
  }
  return { ...plan(input.existing, wanted), supersede };
}

/** Whether a status change starts the handling of an item (受理): from new to accepted or verifying. */
export function startsHandling(from: ItemStatus, to: ItemStatus): boolean {
  return from === 'new' && (to === 'accepted' || to === 'verifying');
}

/**
 * What accepting an item for handling creates: for an integrity (I) item, an integrity talk
 * (廉洁情况有反映) with the head it is about — the document asks for a talk when there *are reports*,
 * not once they are proven. If an integrity talk with that person is already open, it covers this
 * item too (`alreadyOpen`): one conversation, not one per tip.
 */
export function obligationsForHandling(input: {
  itemId: number;
  domain: Domain;
  personKey: PersonKey;
  unitCode: string;
  on: LocalDate;
  existing: readonly Obligation[];
  calendar?: WorkingCalendar;
}): ObligationPlan {
  if (input.domain !== 'I') return { create: [], supersede: [], alreadyOpen: [] };
  const open = input.existing.filter(
    (o) =>
      o.kind === 'talk' &&
      o.occasion === 'integrity_reports' &&
      o.status.state === 'open' &&
      o.personKey === input.personKey,
  );
  if (open.length > 0) return { create: [], supersede: [], alreadyOpen: open.map((o) => o.key) };
  const t = talk(
    'integrity_reports',
    `talk:integrity_reports:item:${input.itemId}`,
    input,
    input.on,
    input.calendar ?? EMPTY_CALENDAR,
  );
  return plan(input.existing, [t]);
}

/** Whether an item comes out of audit work: a notice or tip from the Audit Bureau (审计局). */
export function isAuditRelated(item: { sourceAgency: AgencyCode | null }): boolean {
  return item.sourceAgency === 'AUD';
}

/**
 * Whether a conclusion found serious problems (严重问题): `serious` when the officer said so, otherwise a
 * finding at least partly substantiated with a measure beyond a talk or criticism (points, post
 * adjusted, demoted, removed, referred) — a breach worth that much is what the document follows up.
 */
export function hasSeriousFindings(conclusion: Conclusion, serious?: boolean): boolean {
  if (serious !== undefined) return serious;
  if (conclusion.finding === 'unsubstantiated') return false;
  return conclusion.measures.some((m) => m !== 'talk' && m !== 'criticism');
}

/**
 * What concluding an audit-related item with serious findings creates: a follow-up audit (跟踪审计) of
 * the unit in the next calendar year, as the document does for units with serious findings ("在下一年
 * 进行跟踪审计"): shown from 1 January, due on the last working day of that year. One per unit and year,
 * however many such conclusions.
 */
export function obligationsForConclusion(input: {
  itemId: number;
  auditRelated: boolean;
  conclusion: Conclusion;
  serious?: boolean;
  personKey: PersonKey;
  unitCode: string;
  on: LocalDate;
  existing: readonly Obligation[];
  calendar?: WorkingCalendar;
}): ObligationPlan {
  if (!input.auditRelated || !hasSeriousFindings(input.conclusion, input.serious)) {
    return { create: [], supersede: [], alreadyOpen: [] };
  }
  const calendar = input.calendar ?? EMPTY_CALENDAR;
  const year = yearOf(input.on) + 1;
  const audit: AuditObligation = {
    kind: 'audit',
    reason: 'follow_up',
    key: `audit:follow_up:${input.unitCode}:${year}`,
    personKey: input.personKey,
    unitCode: input.unitCode,
    itemId: input.itemId,
    createdOn: input.on,
    startsOn: `${year}-01-01`,
    dueOn: previousWorkingDate(`${year}-12-31`, calendar),
    status: OPEN,
  };
  return plan(input.existing, [audit]);
}

/**
 * The two-yearly audits (两年一审) of heads in office at A-class units that should now exist: due on the
 * second anniversary of the last settled two-yearly audit of that head there, or of their tenure's
 * start; moved to the next working day when the anniversary is a day off (the rule of 民法典 art. 203
 * for periods ending on a holiday). Each shows TWO_YEARLY_NOTICE_DAYS before it is due. Run daily;
 * creating only what is missing, it is idempotent.
 */
export function planTwoYearlyAudits(input: {
  today: LocalDate;
  tenures: readonly Tenure[];
  aClassUnits: ReadonlySet<string>;
  existing: readonly Obligation[];
  calendar?: WorkingCalendar;
}): ObligationPlan {
  const calendar = input.calendar ?? EMPTY_CALENDAR;
  const wanted: Obligation[] = [];
  for (const t of input.tenures) {
    const inOffice = t.from <= input.today && (t.to === null || input.today <= t.to);
    if (!inOffice || !input.aClassUnits.has(t.unitCode)) continue;
    const cycle = input.existing.filter(
      (o) =>
        o.kind === 'audit' &&
        o.reason === 'two_yearly' &&
        o.personKey === t.personKey &&
        o.unitCode === t.unitCode,
    );
    // An open one is the current cycle; nothing new until it is settled.
    if (cycle.some((o) => o.status.state === 'open')) continue;
    let base = t.from;
    for (const o of cycle) if (o.status.state !== 'open' && o.status.on > base) base = o.status.on;
    const dueOn = nextWorkingDate(addYears(base, TWO_YEARLY_INTERVAL_YEARS), calendar);
    const startsOn = addCalendarDays(dueOn, -TWO_YEARLY_NOTICE_DAYS);
    if (input.today < startsOn) continue;
    wanted.push({
      kind: 'audit',
      reason: 'two_yearly',
      key: `audit:two_yearly:${t.personKey}:${t.unitCode}:${dueOn}`,
      personKey: t.personKey,
      unitCode: t.unitCode,
      itemId: null,
      createdOn: input.today,
      startsOn,
      dueOn,
      status: OPEN,
    });
  }
  return plan(input.existing, wanted);
}

/**
 * A talk created by hand (from the item card or /talks add) for any occasion. `nonce` makes the key: pass
 * something unique to the request (e.g. the Telegram update id) so a retried update creates it once.
 */
export function manualTalk(input: {
  occasion: TalkOccasion;
  personKey: PersonKey;
  unitCode: string;
  on: LocalDate;
  nonce: string;
  itemId?: number | null;
  calendar?: WorkingCalendar;
}): TalkObligation {
  return talk(
    input.occasion,
    `talk:${input.occasion}:${input.personKey}:manual:${input.nonce}`,
    input,
    input.on,
    input.calendar ?? EMPTY_CALENDAR,
  );
}

/** Why settling an obligation is refused. */
export type SettleError = 'not_open' | 'already_open' | 'invalid_date' | 'reason_required' | 'note_too_long';

type Settled = { ok: true; obligation: Obligation } | { ok: false; reason: SettleError };

function tooLong(text: string): boolean {
  return Array.from(text).length > MAX_OBLIGATION_NOTE_LENGTH;
}

/** Marks an open obligation done on a day, with an optional note (sealed by the caller: it may name facts). */
export function completeObligation(o: Obligation, done: { on: LocalDate; note?: string | null }): Settled {
  if (o.status.state !== 'open') return { ok: false, reason: 'not_open' };
  if (!isLocalDate(done.on)) return { ok: false, reason: 'invalid_date' };
  const note = done.note?.trim() || null;
  if (note !== null && tooLong(note)) return { ok: false, reason: 'note_too_long' };
  return { ok: true, obligation: { ...o, status: { state: 'done', on: done.on, note } } };
}

/** Marks an open obligation not needed on a day; a stated reason is required (the digest shows why). */
export function dismissObligation(o: Obligation, dismissed: { on: LocalDate; reason: string }): Settled {
  if (o.status.state !== 'open') return { ok: false, reason: 'not_open' };
  if (!isLocalDate(dismissed.on)) return { ok: false, reason: 'invalid_date' };
  const text = dismissed.reason.trim();
  if (text === '') return { ok: false, reason: 'reason_required' };
  if (tooLong(text)) return { ok: false, reason: 'note_too_long' };
  return {
    ok: true,
    obligation: { ...o, status: { state: 'not_needed', on: dismissed.on, reason: { kind: 'stated', text } } },
  };
}

/** Settles an open obligation as covered by another (a departure audit replacing the two-yearly one). */
export function supersedeObligation(o: Obligation, by: { on: LocalDate; byKey: string }): Settled {
  if (o.status.state !== 'open') return { ok: false, reason: 'not_open' };
  if (!isLocalDate(by.on)) return { ok: false, reason: 'invalid_date' };
  return {
    ok: true,
    obligation: {
      ...o,
      status: { state: 'not_needed', on: by.on, reason: { kind: 'superseded', byKey: by.byKey } },
    },
  };
}

/** Opens a settled obligation again (an admin undoing a wrong tap); its due date is unchanged. */
export function reopenObligation(o: Obligation): Settled {
  if (o.status.state === 'open') return { ok: false, reason: 'already_open' };
  return { ok: true, obligation: { ...o, status: OPEN } };
}

/** Whether an obligation is overdue on `today`: open, and its due day has passed. */
export function isObligationOverdue(o: Obligation, today: LocalDate): boolean {
  return o.status.state === 'open' && today > o.dueOn;
}

function byDue(a: Obligation, b: Obligation): number {
  if (a.dueOn !== b.dueOn) return a.dueOn < b.dueOn ? -1 : 1;
  if (a.createdOn !== b.createdOn) return a.createdOn < b.createdOn ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The /talks worklist on `today`: open obligations already showing, the earliest due first. */
export function worklist(obligations: readonly Obligation[], today: LocalDate): Obligation[] {
  return obligations.filter((o) => o.status.state === 'open' && o.startsOn <= today).sort(byDue);
}

/** The daily digest's list: open obligations past their due day, the earliest due first. */
export function overdueObligations(obligations: readonly Obligation[], today: LocalDate): Obligation[] {
  return obligations.filter((o) => isObligationOverdue(o, today)).sort(byDue);
}
