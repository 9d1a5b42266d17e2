/**
 * Relaying questions (/ask) and answers between an officer and an item's reporter, so neither
 * learns who the other is: the question goes to the reporter by the sealed link, the answer is
 * stored without its author, and the officer hears only that the item has an answer.
 */
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import { SECTION_ROLES } from '../domain/roles.js';
import { isActiveIn, personById } from '../people/store.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { addAsReporter, tellAssignee } from './additions.js';
import { notifyAnswered, relayQuestion } from './notifications.js';
import { reachableReporter } from './reporter-link.js';
import {
  insertAddition,
  loadVisibleItem,
  markQuestionAnswered,
  type OpenQuestion,
  questionToReporter,
  type Viewer,
} from './store.js';

/** Longest question or answer relayed, in code points (one Telegram message with the framing text). */
export const MAX_RELAY_LENGTH = 3000;

/** What /ask did. */
export type AskOutcome =
  | { kind: 'sent'; questionId: number }
  | { kind: 'not_found' }
  /** No reporter the bot can reach (a call or letter, a purged item, a reporter no longer enrolled). */
  | { kind: 'nobody' };

/** Stores an officer's question about an item and relays it to the item's reporter; audited `item.ask`. */
export async function askReporter(
  db: Queryable,
  out: OutboxBuffer,
  input: { itemId: number; question: string },
  viewer: Viewer,
): Promise<AskOutcome> {
  const item = await loadVisibleItem(db, input.itemId, viewer);
  if (!item) return { kind: 'not_found' };
  const reporter = await reachableReporter(db, item);
  if (!reporter) return { kind: 'nobody' };
  const questionId = await insertAddition(db, {
    itemId: item.id,
    kind: 'question',
    authorId: viewer.telegramId,
    text: input.question,
  });
  relayQuestion(out, reporter, { id: questionId, itemId: item.id, text: input.question });
  await appendAudit(db, {
    actorId: viewer.telegramId,
    action: 'item.ask',
    itemId: item.id,
    details: { questionId },
  });
  return { kind: 'sent', questionId };
}

/** Whether the viewer may ask about item `id`: 'ok', or why not (the same outcomes as askReporter). */
export async function askability(
  db: Queryable,
  itemId: number,
  viewer: Viewer,
): Promise<'ok' | Exclude<AskOutcome['kind'], 'sent'>> {
  const item = await loadVisibleItem(db, itemId, viewer);
  if (!item) return 'not_found';
  return (await reachableReporter(db, item)) ? 'ok' : 'nobody';
}

/** A question addressed to this reporter (they reported its item), or null. */
export function questionFor(
  db: Queryable,
  questionId: number,
  reporterId: number,
): Promise<OpenQuestion | null> {
  return questionToReporter(db, questionId, reporterId);
}

/** What an answer did. */
export type AnswerOutcome =
  | { kind: 'saved'; itemId: number }
  /** The question is not this person's to answer (or does not exist). */
  | { kind: 'gone' }
  /** Empty or longer than MAX_RELAY_LENGTH. */
  | { kind: 'empty' };

/**
 * Stores the reporter's answer to a question (without its author: the reporter's id is never
 * stored beside the item) and tells the officer who asked, or else the assignee, the item number only;
 * an assignee who did not ask hears that the item has new information.
 */
export async function answerQuestion(
  db: Queryable,
  out: OutboxBuffer,
  input: { questionId: number; text: string },
  reporterId: number,
  now: Date,
): Promise<AnswerOutcome> {
  const question = await questionToReporter(db, input.questionId, reporterId);
  if (!question) return { kind: 'gone' };
  const answer = input.text.trim();
  if (answer === '' || Array.from(answer).length > MAX_RELAY_LENGTH) return { kind: 'empty' };
  await addAsReporter(db, { itemId: question.itemId, kind: 'answer', text: answer }, (answerId) => ({
    action: 'item.answer',
    details: { questionId: question.id, answerId },
  }));
  await markQuestionAnswered(db, question.id, now);
  let told: number | null = null;
  for (const officerId of [question.authorId, question.assigneeId]) {
    if (officerId === null) continue;
    const officer = await personById(db, officerId);
    if (!isActiveIn(officer, SECTION_ROLES)) continue;
    notifyAnswered(out, officer, question.itemId);
    told = officer.telegramId;
    break;
  }
  // The assignee, when someone else asked, hears that the item has new information.
  await tellAssignee(db, out, question.itemId, told);
  return { kind: 'saved', itemId: question.itemId };
}
