import { BUTTONS, type CallbackData } from '../../../buttons.js';
import { clearDialogue, type Dialogue, getDialogue, setDialogue } from '../../../dialogues.js';
import {
  type AskOutcome,
  answerQuestion,
  askability,
  askReporter,
  MAX_RELAY_LENGTH,
  questionFor,
} from '../../../items/relay.js';
import { itemNumberArgument } from '../../arguments.js';
import type { BotContext } from '../../context.js';
import { answerCallback } from '../../feature.js';
import { resumeGuidedTip, TIP_DIALOGUE } from '../tips/guided.js';
import { viewerOf } from './render.js';

/**
 * /ask <id> <text>: relays an officer's question to the item's reporter. The reporter sees the
 * item number and the question, never the officer; the officer never sees the reporter.
 */
export async function askCommand(ctx: BotContext & { payload: string }): Promise<void> {
  const argument = itemNumberArgument(ctx.payload);
  const question = argument?.rest ?? '';
  if (!argument || question === '' || Array.from(question).length > MAX_RELAY_LENGTH) {
    ctx.replyText(ctx.t('queue:usage_ask'));
    return;
  }
  const { id } = argument;
  replyAsked(ctx, id, await askReporter(ctx.db, ctx.out, { itemId: id, question }, viewerOf(ctx)));
}

/** What the officer is told after a question: relayed, or why not. */
function replyAsked(ctx: BotContext, id: number, outcome: { kind: AskOutcome['kind'] }): void {
  if (outcome.kind === 'not_found') ctx.replyText(ctx.t('queue:not_found', { id }));
  else if (outcome.kind === 'nobody') ctx.replyText(ctx.t('queue:ask_nobody', { id }));
  else ctx.replyText(ctx.t('queue:ask_sent', { id }));
}

/** The dialogue of an officer whose next private text is a question about an item. */
const ASK_STEP = 'ask';
/**
 * How long a pressed "ask the reporter" waits for its question. An officer who pressed it and moved
 * on must not have a text typed much later (a note, a reply meant for someone else) relayed.
 */
const ASK_WAIT_MINUTES = 30;

/**
 * Button `q.ak|<id>` under the item card: the officer's next private text is the question to the
 * reporter (a pending dialogue, left with Cancel or /cancel), relayed as /ask relays it.
 */
export async function askButton(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.askReporter.decode(data);
  if (!pressed || !ctx.from) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const { id } = pressed;
  const askable = await askability(ctx.db, id, viewerOf(ctx));
  answerCallback(ctx);
  if (askable !== 'ok') {
    replyAsked(ctx, id, { kind: askable });
    return;
  }
  await setDialogue(ctx.db, ctx.from.id, {
    kind: 'queue',
    step: ASK_STEP,
    data: { itemId: id, pressedAt: ctx.services.now().toISOString() },
  });
  ctx.replyText(ctx.t('queue:ask_prompt', { id, max: MAX_RELAY_LENGTH }), {
    reply_markup: {
      inline_keyboard: [
        [{ text: ctx.t('queue:btn_cancel'), callback_data: BUTTONS.cancelAsk.encode({ id }) }],
      ],
    },
  });
}

/** Button `q.akx|<id>`: leaves the pending question to item `id`; nothing is relayed. */
export async function cancelAskButton(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.cancelAsk.decode(data);
  if (!pressed || !ctx.from) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const dialogue = await getDialogue(ctx.db, ctx.from.id);
  const pending = dialogue?.kind === 'queue' && dialogue.step === ASK_STEP;
  answerCallback(ctx);
  if (!pending || dialogue.data.itemId !== pressed.id) {
    ctx.replyText(ctx.t('common:nothing_to_cancel'));
    return;
  }
  await clearDialogue(ctx.db, ctx.from.id);
  ctx.replyText(ctx.t('queue:ask_cancelled', { id: pressed.id }));
}

/** Whether a queue dialogue is the pending question of the card's button. */
export function isAskStep(dialogue: Dialogue): boolean {
  return dialogue.kind === 'queue' && dialogue.step === ASK_STEP;
}

/** The officer's text after the card's "ask the reporter": the question, relayed as /ask relays it. */
export async function askStep(ctx: BotContext, text: string, data: Record<string, unknown>): Promise<void> {
  if (!ctx.from) return;
  const id = typeof data.itemId === 'number' ? data.itemId : 0;
  const pressedAt = typeof data.pressedAt === 'string' ? Date.parse(data.pressedAt) : Number.NaN;
  // A press without a time (stored by an earlier version) counts as expired too: relay nothing unasked.
  if (!(ctx.services.now().getTime() - pressedAt <= ASK_WAIT_MINUTES * 60_000)) {
    await clearDialogue(ctx.db, ctx.from.id);
    ctx.replyText(ctx.t('queue:ask_expired', { id, minutes: ASK_WAIT_MINUTES }));
    return;
  }
  const question = text.trim();
  if (question === '' || Array.from(question).length > MAX_RELAY_LENGTH) {
    ctx.replyText(ctx.t('queue:ask_invalid', { id, max: MAX_RELAY_LENGTH }));
    return;
  }
  await clearDialogue(ctx.db, ctx.from.id);
  replyAsked(ctx, id, await askReporter(ctx.db, ctx.out, { itemId: id, question }, viewerOf(ctx)));
}

/** Button `q.ans|<questionId>`: the reporter chose to answer; the next text they send is the answer. */
export async function answerButton(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.answer.decode(data);
  const question = pressed && ctx.from ? await questionFor(ctx.db, pressed.questionId, ctx.from.id) : null;
  if (!question || !ctx.from) {
    answerCallback(ctx, ctx.t('queue:answer_gone'), true);
    return;
  }
  // One dialogue per person: a guided tip in progress waits inside the answer and comes back after it.
  const open = await getDialogue(ctx.db, ctx.from.id);
  const suspended = open?.kind === TIP_DIALOGUE ? open : (open?.data.suspended ?? null);
  await setDialogue(ctx.db, ctx.from.id, {
    kind: 'answer',
    step: 'text',
    data: { questionId: question.id, ...(suspended ? { suspended } : {}) },
  });
  answerCallback(ctx);
  ctx.replyText(ctx.t('queue:answer_prompt', { id: question.itemId }));
}

/**
 * The reporter's answer to a question (a reply to it, or the text after the Answer button): stored,
 * and the officer who asked (or else the assignee) hears the item number only.
 */
export async function storeAnswer(
  ctx: BotContext,
  questionId: number,
  text: string | undefined,
): Promise<void> {
  if (!ctx.from) return;
  if (text === undefined) {
    ctx.replyText(ctx.t('queue:answer_empty'));
    return;
  }
  const outcome = await answerQuestion(
    ctx.db,
    ctx.out,
    { questionId, text },
    ctx.from.id,
    ctx.services.now(),
  );
  if (outcome.kind === 'gone') {
    ctx.replyText(ctx.t('queue:answer_gone'));
    return;
  }
  if (outcome.kind === 'empty') {
    ctx.replyText(ctx.t('queue:answer_empty'));
    return;
  }
  // Only the answer dialogue ends here: a guided tip the person had open (or had put aside for the
  // Answer button) is kept, and they are taken back to its step.
  const open = await getDialogue(ctx.db, ctx.from.id);
  const draft = open?.kind === TIP_DIALOGUE ? open : suspendedTip(open);
  if (open?.kind === 'answer') await clearDialogue(ctx.db, ctx.from.id);
  if (!draft) {
    ctx.replyText(ctx.t('queue:answer_saved'));
    return;
  }
  await setDialogue(ctx.db, ctx.from.id, draft);
  await resumeGuidedTip(ctx, draft, `${ctx.t('queue:answer_saved')}\n${ctx.t('tips:draft_still_open')}`);
}

/** The guided tip an answer dialogue put aside, or null. */
function suspendedTip(dialogue: Dialogue | null): Dialogue | null {
  const suspended = dialogue?.kind === 'answer' ? dialogue.data.suspended : null;
  if (!suspended || typeof suspended !== 'object') return null;
  const { kind, step, data } = suspended as Partial<Dialogue>;
  if (kind !== TIP_DIALOGUE || typeof step !== 'string' || !data || typeof data !== 'object') return null;
  return { kind, step, data };
}
