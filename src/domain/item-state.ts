/** Triage statuses of an item, from arrival to closing. */
export const ITEM_STATUSES = [
  'new',
  'accepted',
  'verifying',
  'filed',
  'forwarded',
  'merged',
  'concluded',
  'closed',
] as const;

/** One triage status. */
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** Every triage action, in the order buttons should appear. */
export const ITEM_ACTIONS = [
  'accept',
  'verify',
  'file',
  'forward',
  'merge',
  'conclude',
  'close',
  'reopen',
] as const;

/** One triage action. */
export type ItemAction = (typeof ITEM_ACTIONS)[number];

/**
 * Actions only an admin may take. `reopen` (filed → new) is kept because filing (存档, no action needed)
 * is the one decision that ends handling without a conclusion; an admin must be able to undo a wrong one.
 */
export const ADMIN_ONLY_ACTIONS: readonly ItemAction[] = ['reopen'];

/** Who is acting; admin-only actions are refused unless `admin` is true. */
export interface ActorOptions {
  admin?: boolean;
}

const TRANSITIONS: Readonly<Record<ItemStatus, Partial<Record<ItemAction, ItemStatus>>>> = {
  new: { accept: 'accepted', verify: 'verifying', file: 'filed', forward: 'forwarded', merge: 'merged' },
  verifying: { accept: 'accepted', conclude: 'concluded', file: 'filed', forward: 'forwarded' },
  accepted: { conclude: 'concluded' },
  concluded: { close: 'closed' },
  filed: { reopen: 'new' },
  forwarded: {},
  merged: {},
  closed: {},
};

/** The status after `action`, or not_allowed if the transition is not in the table (or is admin-only and actor is not admin). */
export function nextStatus(
  status: ItemStatus,
  action: ItemAction,
  actor: ActorOptions = {},
): { ok: true; status: ItemStatus } | { ok: false; reason: 'not_allowed' } {
  const to = TRANSITIONS[status]?.[action];
  if (to === undefined) return { ok: false, reason: 'not_allowed' };
  if (ADMIN_ONLY_ACTIONS.includes(action) && actor.admin !== true)
    return { ok: false, reason: 'not_allowed' };
  return { ok: true, status: to };
}

/** The actions nextStatus accepts from `status` for this actor, in ITEM_ACTIONS order. */
export function allowedActions(status: ItemStatus, actor: ActorOptions = {}): ItemAction[] {
  return ITEM_ACTIONS.filter((a) => nextStatus(status, a, actor).ok);
}

/** The status a reporter may see; never reveals how the section is handling the item. */
export type ReporterStatus = 'received' | 'in_progress' | 'filed' | 'concluded';

/**
 * Maps a triage status to what the reporter sees: merged and forwarded items are still being handled
 * (a merged item is shown with the status of the item it went into); a filed item is filed for reference
 * (存档备查), not concluded — nobody concluded anything, and the reporter hears so.
 */
export function reporterStatus(status: ItemStatus): ReporterStatus {
  switch (status) {
    case 'new':
      return 'received';
    case 'accepted':
    case 'verifying':
    case 'forwarded':
    case 'merged':
      return 'in_progress';
    case 'filed':
      return 'filed';
    case 'concluded':
    case 'closed':
      return 'concluded';
  }
}

/** What the check found: substantiated, partly substantiated, unsubstantiated (属实/部分属实/不属实). */
export const FINDINGS = ['substantiated', 'partly', 'unsubstantiated'] as const;

/** One finding. */
export type Finding = (typeof FINDINGS)[number];

/** Measures taken on a head: talk, criticism, points deducted, post adjusted, demoted, removed, referred to another agency. */
export const MEASURES = [
  'talk',
  'criticism',
  'points',
  'post_adjusted',
  'demoted',
  'removed',
  'referred',
] as const;

/** One measure. */
export type Measure = (typeof MEASURES)[number];

/** Measures that sanction the head, so they need a finding that is at least partly substantiated. */
export const SANCTIONS: readonly Measure[] = ['criticism', 'points', 'post_adjusted', 'demoted', 'removed'];

/** Longest conclusion note, in code points. */
export const MAX_NOTE_LENGTH = 2000;
/** Least points one deduction takes (廉政监督扣分制). */
export const MIN_POINTS = 0.5;
/** Most points one deduction takes. */
export const MAX_POINTS = 2;

/** How an item was concluded. */
export interface Conclusion {
  finding: Finding;
  measures: Measure[];
  points: number | null;
  note: string;
  /**
   * The finding that discipline or law-enforcement bodies investigated the head (被执纪执法部门查处):
   * marks them 必下 like the referral measure. Absent (not false) when not recorded, so conclusions
   * stored before it existed read the same.
   */
  investigated?: boolean;
}

/** Why a conclusion is refused. */
export type ConclusionError =
  | 'unknown_finding'
  | 'unknown_measure'
  | 'duplicate_measure'
  | 'points_out_of_range'
  | 'points_without_measure'
  | 'measure_without_points'
  | 'sanction_without_finding'
  | 'investigated_without_finding'
  | 'note_too_long';

/** Whether points are a legal deduction: 0.5 to 2 in steps of 0.5. */
export function isValidPoints(points: number): boolean {
  return (
    Number.isFinite(points) && points >= MIN_POINTS && points <= MAX_POINTS && Number.isInteger(points * 2)
  );
}

/**
 * Checks a conclusion: points are given iff the measure 'points' is, and are 0.5–2 in steps of 0.5;
 * sanctions need a finding of substantiated or partly (a talk or a referral may follow any finding);
 * the note is at most MAX_NOTE_LENGTH code points. Returns the first problem found.
 */
export function validateConclusion(c: Conclusion): { ok: true } | { ok: false; reason: ConclusionError } {
  if (!(FINDINGS as readonly string[]).includes(c.finding)) return { ok: false, reason: 'unknown_finding' };
  if (!c.measures.every((m) => (MEASURES as readonly string[]).includes(m))) {
    return { ok: false, reason: 'unknown_measure' };
  }
  if (new Set(c.measures).size !== c.measures.length) return { ok: false, reason: 'duplicate_measure' };
  const hasPointsMeasure = c.measures.includes('points');
  if (c.points !== null && !hasPointsMeasure) return { ok: false, reason: 'points_without_measure' };
  if (c.points === null && hasPointsMeasure) return { ok: false, reason: 'measure_without_points' };
  if (c.points !== null && !isValidPoints(c.points)) return { ok: false, reason: 'points_out_of_range' };
  if (c.finding === 'unsubstantiated' && c.measures.some((m) => SANCTIONS.includes(m))) {
    return { ok: false, reason: 'sanction_without_finding' };
  }
  // Investigated by discipline or law-enforcement bodies means something was found: not with 不属实.
  if (c.finding === 'unsubstantiated' && c.investigated === true) {
    return { ok: false, reason: 'investigated_without_finding' };
  }
  if (Array.from(c.note).length > MAX_NOTE_LENGTH) return { ok: false, reason: 'note_too_long' };
  return { ok: true };
}
