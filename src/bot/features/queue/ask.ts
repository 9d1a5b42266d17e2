import { and, eq, isNull } from 'drizzle-orm';
import { appendAudit } from '../../../audit.js';
import { itemAdditions, items } from '../../../db/schema.js';
import { REPORTER_ACTOR, reportedBy, reporterIdOf } from '../../../items/reporter-link.js';
import { type CallbackData, encodeCallback, intArg } from '../../callback-data.js';
import type { BotContext } from '../../context.js';
import { clearDialogue, setDialogue } from '../../dialogue.js';
import { answerCallback } from '../../feature.js';
import { languageFor, translatorFor } from '../../i18n.js';
import { viewerOf } from './show.js';
import { type ItemRow, loadVisibleItem, personById } from './store.js';

/** Longest question or answer relayed, in code points (one Telegram message with the framing text). */
export const MAX_RELAY_LENGTH = 3000;

/** The outbox ref of a relayed question, so a reply to it finds the question again. */
export function questionRef(additionId: number): string {
  return `question:${additionId}`;
}

/** The question id in a `question:<id>` ref, or null for any other ref. */
export function questionIdOfRef(ref: string | null): number | null {
  const match = ref ? /^question:(\d{1,9})$/.exec(ref) : null;
  return match ? Number(match[1]) : null;
}

/** The reporter the bot can reach for an item: an enrolled, not revoked monitor or liaison who sent it. */
async function reachableReporter(ctx: BotContext, item: ItemRow) {
  const reporterId = reporterIdOf(item);
  if (!reporterId || (item.sourceKind !== 'monitor' && item.sourceKind !== 'liaison')) return null;
  const reporter = await personById(ctx.db, reporterId);
  return reporter && !reporter.revokedAt ? reporter : null;
}

/**
 * /ask <id> <text>: relays an officer's question to the item's reporter. The reporter sees the
 * item number and the question, never the officer; the officer never sees the reporter.
 */
export async function askCommand(ctx: BotContext & { payload: string }): Promise<void> {
  const match = /^#?(\d{1,9})\s+([\s\S]+)$/u.exec(ctx.payload.trim());
  const question = match?.[2]?.trim() ?? '';
  if (!match || question === '' || Array.from(question).length > MAX_RELAY_LENGTH) {
    ctx.replyText(ctx.t('queue:usage_ask'));
    return;
  }
  const id = Number(match[1]);
  const item = await loadVisibleItem(ctx.db, id, viewerOf(ctx));
  if (!item) {
    ctx.replyText(ctx.t('queue:not_found', { id }));
    return;
  }
  const reporter = await reachableReporter(ctx, item);
  if (!reporter) {
    ctx.replyText(ctx.t('queue:ask_nobody', { id }));
    return;
  }
  const [added] = await ctx.db
    .insert(itemAdditions)
    .values({ itemId: id, kind: 'question', authorId: ctx.person?.telegramId ?? null, text: question })
    .returning({ id: itemAdditions.id });
  if (!added) throw new Error('question not stored');
  const t = translatorFor(languageFor(reporter.language));
  ctx.out.sendText(
    reporter.telegramId,
    t('queue:ask_to_reporter', { id, question }),
    {
      reply_markup: {
        inline_keyboard: [
          [{ text: t('queue:btn_answer'), callback_data: encodeCallback('q.ans', added.id) }],
        ],
      },
    },
    questionRef(added.id),
  );
  await appendAudit(ctx.db, {
    actorId: ctx.person?.telegramId ?? null,
    action: 'item.ask',
    itemId: id,
    details: { questionId: added.id },
  });
  ctx.replyText(ctx.t('queue:ask_sent', { id }));
}

/** A question addressed to this person (they reported its item), or null. */
async function questionFor(ctx: BotContext, questionId: number) {
  if (!ctx.from) return null;
  const [row] = await ctx.db
    .select({
      id: itemAdditions.id,
      itemId: itemAdditions.itemId,
      authorId: itemAdditions.authorId,
      assigneeId: items.assigneeId,
    })
    .from(itemAdditions)
    .innerJoin(items, eq(items.id, itemAdditions.itemId))
    .where(
      and(eq(itemAdditions.id, questionId), eq(itemAdditions.kind, 'question'), reportedBy(ctx.from.id)),
    );
  return row ?? null;
}

/** Button `q.ans|<questionId>`: the reporter chose to answer; the next text they send is the answer. */
export async function answerButton(ctx: BotContext, data: CallbackData): Promise<void> {
  const questionId = intArg(data.args[0]);
  const question = questionId ? await questionFor(ctx, questionId) : null;
  if (!question || !ctx.from) {
    answerCallback(ctx, ctx.t('queue:answer_gone'), true);
    return;
  }
  await setDialogue(ctx.db, ctx.from.id, { kind: 'answer', step: 'text', data: { questionId: question.id } });
  answerCallback(ctx);
  ctx.replyText(ctx.t('queue:answer_prompt', { id: question.itemId }));
}

/**
 * Stores the reporter's answer to a question and tells the officer who asked (or else the assignee)
 * the item number only. Returns false when the question is not this person's to answer.
 */
export async function storeAnswer(ctx: BotContext, questionId: number, text: string): Promise<boolean> {
  const question = await questionFor(ctx, questionId);
  if (!question || !ctx.from) return false;
  const answer = text.trim();
  if (answer === '' || Array.from(answer).length > MAX_RELAY_LENGTH) {
    ctx.replyText(ctx.t('queue:answer_empty'));
    return true;
  }
  const [stored] = await ctx.db
    .insert(itemAdditions)
    // The author is the item's reporter: their id is not stored beside the item.
    .values({ itemId: question.itemId, kind: 'answer', authorId: null, text: answer })
    .returning({ id: itemAdditions.id });
  await ctx.db
    .update(itemAdditions)
    .set({ answeredAt: ctx.services.now() })
    .where(and(eq(itemAdditions.id, question.id), isNull(itemAdditions.answeredAt)));
  await clearDialogue(ctx.db, ctx.from.id);
  await appendAudit(ctx.db, {
    actorId: null,
    action: 'item.answer',
    itemId: question.itemId,
    details: { ...REPORTER_ACTOR, questionId: question.id, answerId: stored?.id ?? null },
  });
  const officerIds = [question.authorId, question.assigneeId].filter((id): id is number => id !== null);
  for (const officerId of officerIds) {
    const officer = await personById(ctx.db, officerId);
    if (!officer || officer.revokedAt || (officer.role !== 'officer' && officer.role !== 'admin')) continue;
    const t = translatorFor(languageFor(officer.language));
    ctx.out.sendText(officerId, t('queue:answer_notify', { id: question.itemId }));
    break;
  }
  ctx.replyText(ctx.t('queue:answer_saved'));
  return true;
}
