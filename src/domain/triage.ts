import {
  type Conclusion,
  FINDINGS,
  type Finding,
  ITEM_STATUSES,
  type ItemStatus,
  MEASURES,
  type Measure,
} from './item-state.js';
import { PRIORITIES, type Priority } from './routing.js';
import { DOMAINS, type Domain } from './tip-code.js';

/** Statuses still being handled: the queue shows these unless another status filter is chosen. */
export const OPEN_STATUSES: readonly ItemStatus[] = ['new', 'accepted', 'verifying'];

/** The status filter of the queue: the open statuses, everything, or one status. */
export type StatusFilter = 'open' | 'all' | ItemStatus;

/** What the queue is narrowed to; chosen with buttons and carried in their callback data. */
export interface QueueFilter {
  status: StatusFilter;
  domain: Domain | null;
  unit: string | null;
  /** Only items assigned to the viewer. */
  mine: boolean;
  /** Only items past their triage or conclusion due date. */
  overdue: boolean;
}

/** The queue's default view: every open item. */
export const DEFAULT_FILTER: QueueFilter = {
  status: 'open',
  domain: null,
  unit: null,
  mine: false,
  overdue: false,
};

/** Items per page of /queue (a page must fit one message with its buttons). */
export const QUEUE_PAGE_SIZE = 8;

const STATUS_FILTERS: readonly StatusFilter[] = ['open', 'all', ...ITEM_STATUSES];

/**
 * Encodes a filter as a compact callback argument (`snew.dF.uHPZ.m.o`; '' for the default),
 * so a page button carries the whole view and the server keeps no per-message state.
 */
export function encodeFilter(filter: QueueFilter): string {
  const parts: string[] = [];
  if (filter.status !== 'open') parts.push(`s${filter.status}`);
  if (filter.domain) parts.push(`d${filter.domain}`);
  if (filter.unit) parts.push(`u${filter.unit}`);
  if (filter.mine) parts.push('m');
  if (filter.overdue) parts.push('o');
  return parts.join('.');
}

/** Decodes encodeFilter's output; anything malformed (forged or stale) yields null. */
export function decodeFilter(encoded: string): QueueFilter | null {
  const filter: QueueFilter = { ...DEFAULT_FILTER };
  if (encoded === '') return filter;
  for (const part of encoded.split('.')) {
    const key = part[0];
    const value = part.slice(1);
    if (key === 's' && (STATUS_FILTERS as readonly string[]).includes(value))
      filter.status = value as StatusFilter;
    else if (key === 'd' && (DOMAINS as readonly string[]).includes(value)) filter.domain = value as Domain;
    else if (key === 'u' && /^[A-Z][A-Z0-9]{1,9}$/.test(value)) filter.unit = value;
    else if (part === 'm') filter.mine = true;
    else if (part === 'o') filter.overdue = true;
    else return null;
  }
  return filter;
}

/** The statuses a status filter admits. */
export function statusesFor(status: StatusFilter): readonly ItemStatus[] {
  if (status === 'open') return OPEN_STATUSES;
  if (status === 'all') return ITEM_STATUSES;
  return [status];
}

/** Dates that make an item late. */
export interface DueDates {
  status: string;
  triageDueAt: Date | null;
  concludeDueAt: Date | null;
}

/**
 * Whether an item is late at `now`: a new item past its first-triage date, or an accepted or
 * verifying one past its conclusion date. Items no longer being handled are never late.
 */
export function isOverdue(item: DueDates, now: Date): boolean {
  if (item.status === 'new') return item.triageDueAt !== null && item.triageDueAt < now;
  if (item.status === 'accepted' || item.status === 'verifying') {
    return item.concludeDueAt !== null && item.concludeDueAt < now;
  }
  return false;
}

/** Priorities, most pressing first, for sorting the queue. */
export const PRIORITY_ORDER: readonly Priority[] = PRIORITIES;

/** The page to show (1-based) within `total` items, clamped so a stale page button still lands somewhere. */
export function clampPage(
  page: number,
  total: number,
  pageSize = QUEUE_PAGE_SIZE,
): { page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return { page: Math.min(Math.max(1, Math.trunc(page) || 1), pages), pages };
}

/** Whether an item in `status` can still be given (or moved) to an officer. */
export function canAssign(status: ItemStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** A conclusion being put together step by step with buttons. */
export interface ConclusionDraft {
  finding: Finding | null;
  measures: Measure[];
  /** True once the officer pressed "done" on the measures. */
  measuresDone: boolean;
  points: number | null;
  /** null until given or skipped; '' when skipped. */
  note: string | null;
  /** Recorded with the measures: discipline or law-enforcement bodies investigated the head (被执纪执法部门查处). */
  investigated: boolean;
}

/** A fresh draft. */
export const EMPTY_DRAFT: ConclusionDraft = {
  finding: null,
  measures: [],
  measuresDone: false,
  points: null,
  note: null,
  investigated: false,
};

/** The steps of the conclusion dialogue. */
export type WizardStep = 'finding' | 'measures' | 'points' | 'note' | 'confirm';

/** The next step the draft needs: finding, then measures, then points (only if 'points' is chosen), then the note. */
export function wizardStep(draft: ConclusionDraft): WizardStep {
  if (draft.finding === null) return 'finding';
  if (!draft.measuresDone) return 'measures';
  if (draft.measures.includes('points') && draft.points === null) return 'points';
  if (draft.note === null) return 'note';
  return 'confirm';
}

/** Measures that make sense after `finding`: sanctions need a finding at least partly substantiated. */
export function measuresFor(finding: Finding): Measure[] {
  if (finding !== 'unsubstantiated') return [...MEASURES];
  return MEASURES.filter((m) => m === 'talk' || m === 'referred');
}

/** Adds or removes a measure (multi-select); measures not allowed after the finding are ignored. */
export function toggleMeasure(draft: ConclusionDraft, measure: Measure): ConclusionDraft {
  if (draft.finding === null || !measuresFor(draft.finding).includes(measure)) return draft;
  const has = draft.measures.includes(measure);
  const measures = has ? draft.measures.filter((m) => m !== measure) : [...draft.measures, measure];
  // Points belong to the 'points' measure: dropping it drops them.
  return {
    ...draft,
    measures: MEASURES.filter((m) => measures.includes(m)),
    points: measures.includes('points') ? draft.points : null,
  };
}

/** Whether the finding "investigated by discipline or law-enforcement bodies" may follow `finding`. */
export function canRecordInvestigated(finding: Finding | null): boolean {
  return finding === 'substantiated' || finding === 'partly';
}

/** Records or withdraws "investigated by discipline or law-enforcement bodies"; ignored after 不属实. */
export function toggleInvestigated(draft: ConclusionDraft): ConclusionDraft {
  if (!canRecordInvestigated(draft.finding)) return draft;
  return { ...draft, investigated: !draft.investigated };
}

/** The conclusion a finished draft stands for, or null if a step is still missing. */
export function draftConclusion(draft: ConclusionDraft): Conclusion | null {
  if (wizardStep(draft) !== 'confirm' || draft.finding === null) return null;
  const conclusion: Conclusion = {
    finding: draft.finding,
    measures: draft.measures,
    points: draft.points,
    note: draft.note ?? '',
  };
  return draft.investigated ? { ...conclusion, investigated: true } : conclusion;
}

/** Reads a draft back from a dialogue's JSON data; unknown or malformed fields fall back to empty. */
export function parseDraft(data: unknown): ConclusionDraft {
  const d = (data ?? {}) as Record<string, unknown>;
  const finding = (FINDINGS as readonly unknown[]).includes(d.finding) ? (d.finding as Finding) : null;
  const measures = Array.isArray(d.measures)
    ? MEASURES.filter((m) => (d.measures as unknown[]).includes(m))
    : [];
  const points = typeof d.points === 'number' ? d.points : null;
  const note = typeof d.note === 'string' ? d.note : null;
  return {
    finding,
    measures,
    measuresDone: d.measuresDone === true,
    points,
    note,
    investigated: d.investigated === true && canRecordInvestigated(finding),
  };
}
