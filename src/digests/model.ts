/**
 * The data a digest shows, as plain values: what the queries (queries.ts) compute and the text
 * builders (content.ts) turn into messages. Numbers, codes, units, statuses and counts only — never
 * a tip's text, never who reported.
 */
import type { Window } from '../domain/periods.js';
import type { PointsFlag } from '../domain/points-card.js';

/** Items listed per section before "and N more". */
export const MAX_LISTED = 15;

/** A unit's code and names, for display. */
export interface UnitName {
  code: string;
  nameZh: string | null;
  nameEn: string | null;
}

/** An item as a digest may show it: number, code parts, status and the date it is due. */
export interface DigestItem {
  id: number;
  domain: string;
  unitCode: string;
  status: string;
  dueAt: Date | null;
  /** Must be investigated (四个必查); marked on the daily digest's overdue and due-soon lines. */
  mustInvestigate?: boolean;
}

/** A list of items and how many there are in all (the list may be cut short). */
export interface ItemList {
  total: number;
  items: DigestItem[];
}

/** Where items came from: monitors, one agency's liaisons, the hotline or the mailbox. */
export interface SourceCount {
  sourceKind: string;
  agency: string | null;
  count: number;
}

/** Items counted by domain letter. */
export type DomainCounts = Record<string, number>;

/** One officer's open items. */
export interface OfficerLoad {
  officerId: number;
  name: string | null;
  open: number;
  overdue: number;
}

/** Everything the daily digest shows. */
export interface DailyDigestData {
  timeZone: string;
  botUsername: string;
  /** New items are counted from `since.start` (the previous daily digest) to `since.end` (this one). */
  since: Window;
  /**
   * Where `since` starts: the previous daily digest; the installation's first start (the first daily
   * digest, so what came in before it is new); or, with neither known, one local day before.
   */
  sinceFrom: 'last_digest' | 'first_start' | 'one_day';
  newByDomain: DomainCounts;
  newBySource: SourceCount[];
  /** The three item lists are disjoint: an item is listed under its most urgent heading only. */
  overdue: ItemList;
  dueSoon: ItemList;
  /** Must-investigate items awaiting triage that are neither overdue nor due soon. */
  mustUntriaged: ItemList;
  officerLoad: OfficerLoad[];
  unassignedOpen: number;
  /** Talks and audits past their due day (done ones leave the list). */
  overdueObligations: { total: number; entries: DigestObligation[] };
}

/** A unit reported on at least REPEAT_SUBJECT_THRESHOLD times in 90 days. */
export interface RepeatSubject {
  unit: UnitName;
  count: number;
}

/** A head whose integrity-card total crossed a threshold in the window (head shown by unit only). */
export interface PointsCrossing {
  /** The unit of the head's latest deduction. */
  unit: UnitName;
  /** The head's name (a public appointment), or null for a unit's unknown head. */
  head: string | null;
  yearTotal: number;
  twoYearTotal: number;
  threeYearTotal: number;
  flags: PointsFlag[];
}

/** An open talk (八必谈) or audit (经济责任审计) on the section's worklist. */
export interface DigestObligation {
  id: number;
  kind: 'talk' | 'audit';
  /** A talk's occasion or an audit's reason (domain/obligations.ts). */
  occasion: string;
  unit: UnitName;
  head: string | null;
  itemId: number | null;
  dueOn: string;
  overdue: boolean;
}

/** A head marked 必下 (四个必下) waiting for an admin's outcome. */
export interface DigestMustRemove {
  unit: UnitName;
  head: string | null;
  raisedOn: string;
}

/** Reporters of one community or agency who have posted nothing for 30 days. */
export interface SilentGroup {
  role: 'monitor' | 'liaison';
  /** The community (monitors) or agency code (liaisons). */
  place: string | null;
  count: number;
}

/** A mean duration in days over `count` items; null when there were none. */
export interface MeanDuration {
  days: number | null;
  count: number;
}

/** Everything the weekly digest shows (the chart is rendered separately). */
export interface WeeklyDigestData {
  timeZone: string;
  botUsername: string;
  /** The digest's instant: the open talks and audits, 必下 marks and silent reporters are as of this day. */
  at: Date;
  /** The local Monday-to-Monday week before the one `at` falls in ("last week"). */
  week: Window;
  /** The week before `week`, for comparison. */
  previousWeek: Window;
  /** New items in `week`, by domain. */
  thisWeek: DomainCounts;
  /** New items in `previousWeek`, by domain. */
  weekBefore: DomainCounts;
  repeatSubjects: RepeatSubject[];
  pointsCrossed: PointsCrossing[];
  /** Talks and audits open on the worklist. */
  obligations: { total: number; entries: DigestObligation[] };
  /** Heads marked 必下: only in the admins' own view (empty for the section chat). */
  mustRemove: DigestMustRemove[];
  silent: SilentGroup[];
  meanTriage: MeanDuration;
  meanConclude: MeanDuration;
  /** How many times an admin revealed who reported an item last week (/reveal): unsealing is never silent. */
  reveals: number;
  /** The 12 weeks the chart covers and how many new items they hold; with none, no chart is sent. */
  chartWeeks: { window: Window; total: number };
}

/** Counts of one source (an agency, monitors, hotline, mailbox) by domain. */
export interface SourceDomainCounts {
  sourceKind: string;
  agency: string | null;
  byDomain: DomainCounts;
}

/** Items forwarded to one agency, counted by status. */
export interface ForwardedCount {
  agency: string;
  byStatus: Record<string, number>;
}

/** Everything the monthly joint-meeting circulation (联席会议信息通报) shows to the section. */
export interface MonthlyDigestData {
  timeZone: string;
  /** The local calendar month before the one the digest is sent in ("last month"). */
  month: Window;
  /** The year (FORWARDED_LOOKBACK_DAYS) up to the month's end, in which forwarded items were received. */
  forwardedWindow: Window;
  bySource: SourceDomainCounts[];
  forwarded: ForwardedCount[];
}

/** What one agency's liaisons receive privately: only the items forwarded to that agency. */
export interface AgencyCirculationData {
  timeZone: string;
  month: Window;
  /** The year up to the month's end, in which the listed items were received. */
  forwardedWindow: Window;
  agency: string;
  forwarded: ItemList;
}

/** A URL button (opens a private chat with the bot on an item). */
export interface UrlButton {
  text: string;
  url: string;
}

/** A digest message: HTML text and the rows of buttons under it. */
export interface DigestMessage {
  text: string;
  buttons: UrlButton[][];
}
