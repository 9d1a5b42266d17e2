/**
 * Concluding an item (办结): the finding and measures checked by the domain, the state change under
 * optimistic locking, the integrity card's points against the head the item is about (the card
 * follows the person) with each threshold they newly cross posted to the section chat, what the
 * conclusion raises on the head's record (an integrity talk, a follow-up audit, a 必下 mark), and
 * feedback in general terms to the reporter (向举报人反馈).
 */
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import { type Conclusion, validateConclusion } from '../domain/item-state.js';
import { needsMustTalk, type PointsFlag } from '../domain/points-card.js';
import { deductForItem } from '../heads/points.js';
import { raiseOnConclusion } from '../heads/worklist.js';
import { getSectionChat } from '../settings.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { unitByCode } from '../units/directory.js';
import { postPointsAlert, sendConcludedFeedback } from './notifications.js';
import { reachableReporter } from './reporter-link.js';
import { type ItemRow, itemsMergedInto, loadVisibleItem, type Viewer } from './store.js';
import { applyTransition, type TransitionOutcome } from './transitions.js';

/** Points recorded by a conclusion: the deduction, the head's total this year, and the flags newly reached. */
export interface PointsRecorded {
  /** The head's name, or null for the unit's unknown head. */
  headName: string | null;
  points: number;
  yearTotal: number;
  flags: PointsFlag[];
}

/** What concluding did, or why not. */
export type ConclusionOutcome =
  | {
      kind: 'concluded';
      item: ItemRow;
      conclusion: Conclusion;
      points: PointsRecorded | null;
      /** An integrity talk (八必谈) with the head is on the worklist. */
      mustTalk: boolean;
      /** The head is marked 必下 (四个必下): the conclusion referred them to discipline inspection. */
      mustRemove: boolean;
    }
  /** The conclusion breaks the rules (the domain's validateConclusion). */
  | { kind: 'invalid' }
  | { kind: 'not_found' }
  | Exclude<TransitionOutcome, { kind: 'done' }>;

/** When and where a conclusion is recorded. */
export interface ConclusionContext {
  viewer: Viewer;
  now: Date;
  timeZone: string;
}

/**
 * Concludes item `itemId` at the version the conclusion started from; then records points and
 * flags, raises a must-talk reminder, and gives the reporter feedback.
 */
export async function concludeItem(
  db: Queryable,
  out: OutboxBuffer,
  input: { itemId: number; version: number; conclusion: Conclusion | null },
  context: ConclusionContext,
): Promise<ConclusionOutcome> {
  const { conclusion } = input;
  if (!conclusion || !validateConclusion(conclusion).ok) return { kind: 'invalid' };
  const item = await loadVisibleItem(db, input.itemId, context.viewer);
  if (!item) return { kind: 'not_found' };
  const outcome = await applyTransition(
    db,
    item,
    input.version,
    'conclude',
    context.viewer,
    context.now,
    { conclusion: { ...conclusion } },
    { finding: conclusion.finding, measures: conclusion.measures, points: conclusion.points },
  );
  if (outcome.kind !== 'done') return outcome;
  const updated = outcome.item;
  const points =
    conclusion.points === null ? null : await deductPoints(db, out, updated, conclusion.points, context);
  const raised = await raiseOnConclusion(db, updated, conclusion, context);
  const mustTalk = needsMustTalk(updated.domain, conclusion.finding);
  await sendFeedback(db, out, updated);
  return { kind: 'concluded', item: updated, conclusion, points, mustTalk, mustRemove: raised.mustRemove };
}

/**
 * Records a deduction on the card of the head the item is about for this year, and posts each flag
 * that person newly reaches to the section chat: unit, head and flag only. Items only admins may see
 * are not posted there.
 */
async function deductPoints(
  db: Queryable,
  out: OutboxBuffer,
  item: ItemRow,
  points: number,
  context: ConclusionContext,
): Promise<PointsRecorded> {
  const recorded = await deductForItem(db, item, points, context);
  const section = await getSectionChat(db);
  if (section && !item.adminsOnly) {
    const unit = recorded.flags.length > 0 ? await unitByCode(db, item.unitCode) : null;
    for (const flag of recorded.flags)
      postPointsAlert(out, section.chatId, unit ?? { code: item.unitCode }, recorded.name, flag);
  }
  await appendAudit(db, {
    actorId: context.viewer.telegramId,
    action: 'item.points',
    itemId: item.id,
    details: { unit: item.unitCode, person: recorded.personKey, points, flags: recorded.flags },
  });
  return { headName: recorded.name, points, yearTotal: recorded.yearTotal, flags: recorded.flags };
}

/**
 * 向举报人反馈: the reporter (if the bot can reach them) learns their report was concluded; so do the
 * reporters of the items merged into it, each about their own number. Audited.
 */
async function sendFeedback(db: Queryable, out: OutboxBuffer, item: ItemRow): Promise<void> {
  for (const concluded of [item, ...(await itemsMergedInto(db, item.id))]) {
    const reporter = await reachableReporter(db, concluded);
    if (!reporter) continue;
    sendConcludedFeedback(out, reporter, concluded.id);
    await appendAudit(db, { actorId: null, action: 'item.feedback', itemId: concluded.id });
  }
}
