/**
 * Moving an item through triage: accept, verify, file, close, reopen, forward, merge, assign and
 * reassign. Each use case checks the version the officer saw (optimistic locking), asks the domain's
 * state machine whether the step is allowed for this actor, writes, audits with from/to, queues any
 * notice to other people, and returns what happened for the handler to render.
 */

import { appendAudit } from '../audit.js';
import { personNumberOf } from '../crypto/person-numbers.js';
import type { Queryable } from '../db/client.js';
import type { AgencyCode } from '../domain/agencies.js';
import { type ItemAction, type ItemStatus, nextStatus } from '../domain/item-state.js';
import { startsHandling } from '../domain/obligations.js';
import { canAssign } from '../domain/triage.js';
import { raiseOnHandling } from '../heads/worklist.js';
import { agencyLiaisons, type StaffMember, sectionStaff } from '../people/store.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { notifyAssignee, notifyLiaisonsOfForward, sendFiledFeedback } from './notifications.js';
import { reachableReporter } from './reporter-link.js';
import {
  type ItemChange,
  type ItemRow,
  loadVisibleItem,
  updateItemIfUnchanged,
  type Viewer,
} from './store.js';

/** Who acts, and when. */
export interface Acting {
  viewer: Viewer;
  now: Date;
}

/** What a transition did: done (with the item as it is now), or why not, with the item to show. */
export type TransitionOutcome =
  | { kind: 'done'; item: ItemRow }
  /** Someone changed the item first; `current` is how it is now (null if the viewer can no longer see it). */
  | { kind: 'stale'; current: ItemRow | null }
  /** The state machine does not allow this action from the item's status, for this actor. */
  | { kind: 'not_allowed'; item: ItemRow };

/** Whether `action` could be taken on `item` at `version` now, without writing (checked before asking for more). */
export function checkTransition(
  item: ItemRow,
  version: number,
  action: ItemAction,
  viewer: Viewer,
): { kind: 'ready' } | Exclude<TransitionOutcome, { kind: 'done' }> {
  if (item.version !== version) return { kind: 'stale', current: item };
  if (!nextStatus(item.status, action, { admin: viewer.admin }).ok) return { kind: 'not_allowed', item };
  return { kind: 'ready' };
}

/**
 * Moves an item along the state machine if it still has the version the officer saw and the
 * transition is allowed for them, writing `change` with the new status; audits it as `item.<action>`
 * with from/to and `details`.
 */
export async function applyTransition(
  db: Queryable,
  item: ItemRow,
  version: number,
  action: ItemAction,
  viewer: Viewer,
  now: Date,
  change: ItemChange = {},
  details: Record<string, unknown> = {},
): Promise<TransitionOutcome> {
  if (item.version !== version) return { kind: 'stale', current: await loadVisibleItem(db, item.id, viewer) };
  const next = nextStatus(item.status, action, { admin: viewer.admin });
  if (!next.ok) return { kind: 'not_allowed', item };
  const updated = await updateItemIfUnchanged(db, item.id, version, { ...change, status: next.status }, now);
  if (!updated) return { kind: 'stale', current: await loadVisibleItem(db, item.id, viewer) };
  await appendAudit(db, {
    actorId: viewer.telegramId,
    action: `item.${action}`,
    itemId: item.id,
    details: { from: item.status, to: next.status, ...details },
  });
  return { kind: 'done', item: updated };
}

/**
 * A plain state-machine step pressed on the card (accept, verify, file, close, reopen). An item taken
 * up for handling (new → accepted or verifying) raises what the county's rules ask on its head's
 * record: for an integrity item, an integrity talk (八必谈: 廉洁情况有反映, "when there are reports").
 * Filing (存档备查) ends handling without a conclusion, so the reporter, if the bot can reach them, is
 * told so in general terms: otherwise they would wait for a feedback that never comes. Audited
 * `item.feedback_filed`.
 */
export async function takeStep(
  db: Queryable,
  out: OutboxBuffer,
  input: { item: ItemRow; version: number; action: ItemAction },
  acting: Acting & { timeZone: string },
): Promise<TransitionOutcome & { obligations?: number }> {
  const { item, version, action } = input;
  const outcome = await applyTransition(db, item, version, action, acting.viewer, acting.now);
  if (outcome.kind !== 'done') return outcome;
  if (action === 'file') {
    const reporter = await reachableReporter(db, outcome.item);
    if (reporter) {
      sendFiledFeedback(out, reporter, item.id);
      await appendAudit(db, { actorId: null, action: 'item.feedback_filed', itemId: item.id });
    }
  }
  if (!startsHandling(item.status, outcome.item.status)) return outcome;
  const obligations = await raiseOnHandling(db, outcome.item, { now: acting.now, timeZone: acting.timeZone });
  return { ...outcome, obligations };
}

/**
 * Forwards an item to one of the nine agencies and tells that agency's active liaisons its number
 * and code (nothing else). Returns the outcome and how many liaisons were told.
 */
export async function forwardItem(
  db: Queryable,
  out: OutboxBuffer,
  input: { item: ItemRow; version: number; agency: AgencyCode },
  acting: Acting,
): Promise<TransitionOutcome & { liaisons?: number }> {
  const { item, version, agency } = input;
  const { viewer, now } = acting;
  const outcome = await applyTransition(
    db,
    item,
    version,
    'forward',
    viewer,
    now,
    { forwardedAgency: agency },
    { agency },
  );
  if (outcome.kind !== 'done') return outcome;
  const liaisons = await agencyLiaisons(db, agency);
  notifyLiaisonsOfForward(out, liaisons, outcome.item);
  return { ...outcome, liaisons: liaisons.length };
}

/** The staff an item can be given to now (admins only for admins-only items), without its assignee. */
export async function assignableStaff(db: Queryable, item: ItemRow): Promise<StaffMember[]> {
  return (await sectionStaff(db, item.adminsOnly)).filter((member) => member.telegramId !== item.assigneeId);
}

/** What an assignment did. */
export type AssignOutcome =
  | { kind: 'assigned'; item: ItemRow; officer: StaffMember; reassigned: boolean }
  | { kind: 'stale'; current: ItemRow | null }
  /** The officer may not take this item, or its status no longer allows assigning. */
  | { kind: 'not_allowed'; item: ItemRow };

/**
 * Assigns (or reassigns) an item to an officer at the version the presser saw; audits `item.assign`
 * or `item.reassign` with from/to, and tells the new assignee privately unless they assigned themselves.
 */
export async function assignItem(
  db: Queryable,
  out: OutboxBuffer,
  input: { item: ItemRow; version: number; officerId: number },
  acting: Acting,
): Promise<AssignOutcome> {
  const { item, version, officerId } = input;
  const { viewer, now } = acting;
  if (item.version !== version) return { kind: 'stale', current: item };
  const officer = (await sectionStaff(db, item.adminsOnly)).find((member) => member.telegramId === officerId);
  if (!officer || !canAssign(item.status)) return { kind: 'not_allowed', item };
  const updated = await updateItemIfUnchanged(db, item.id, version, { assigneeId: officer.telegramId }, now);
  if (!updated) return { kind: 'stale', current: await loadVisibleItem(db, item.id, viewer) };
  await appendAudit(db, {
    actorId: viewer.telegramId,
    action: item.assigneeId ? 'item.reassign' : 'item.assign',
    itemId: item.id,
    // Person numbers, as in the actor column: the details are as readable as the rest of the row.
    details: {
      from: item.assigneeId === null ? null : personNumberOf(item.assigneeId),
      to: personNumberOf(officer.telegramId),
    },
  });
  if (officer.telegramId !== viewer.telegramId) notifyAssignee(out, officer, item);
  return { kind: 'assigned', item: updated, officer, reassigned: item.assigneeId !== null };
}

/** What a merge did, or why it was not done. */
export type MergeOutcome =
  | TransitionOutcome
  | { kind: 'self' }
  /** The target does not exist, is merged itself, or is hidden from the viewer. */
  | { kind: 'target_missing' }
  /** The target's handling has ended (filed, concluded, closed): what is merged into it would wait forever. */
  | { kind: 'target_ended'; target: ItemRow }
  /** The item to merge is gone or hidden from the viewer. */
  | { kind: 'not_found' };

/** Statuses in which an item is no longer handled, so nothing may be merged into it. */
const HANDLING_ENDED: readonly ItemStatus[] = ['filed', 'concluded', 'closed'];

/** Merges item `itemId` (at the version the officer saw) into item `intoId`, audited with the target. */
export async function mergeItem(
  db: Queryable,
  itemId: number,
  version: number,
  intoId: number,
  viewer: Viewer,
  now: Date,
): Promise<MergeOutcome> {
  if (intoId === itemId) return { kind: 'self' };
  const target = await loadVisibleItem(db, intoId, viewer);
  if (!target || target.status === 'merged') return { kind: 'target_missing' };
  if (HANDLING_ENDED.includes(target.status)) return { kind: 'target_ended', target };
  const item = await loadVisibleItem(db, itemId, viewer);
  if (!item) return { kind: 'not_found' };
  return applyTransition(db, item, version, 'merge', viewer, now, { mergedInto: intoId }, { into: intoId });
}
