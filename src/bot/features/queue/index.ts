import type { BotContext } from '../../context.js';
import { intArg } from '../../callback-data.js';
import { registerDeepLink } from '../../deep-links.js';
import { getDialogue } from '../../dialogue.js';
import { Feature } from '../../feature.js';
import { refOfSentMessage } from '../../../telegram/outbox.js';
import { REPORTER_ROLES, SECTION_ROLES } from '../../roles.js';
import { assignAction, assignChoices, forwardAction, itemAction, mergeStep } from './actions.js';
import { answerButton, askCommand, questionIdOfRef, storeAnswer } from './ask.js';
import {
  cancelConclusionAction,
  conclusionTextStep,
  confirmConclusionAction,
  findingAction,
  measureAction,
  pointsAction,
  skipNoteAction,
} from './conclude.js';
import { exportCommand } from './export.js';
import { historyCommand } from './history.js';
import { queueCommand, queueFilterAction, queuePageAction } from './list.js';
import { showItem } from './show.js';

const SECTION = SECTION_ROLES;

// The section-chat alert's button opens `/start show-<id>` in a private chat with the bot.
registerDeepLink('show', {
  audience: SECTION,
  async handle(ctx, argument) {
    const id = intArg(argument);
    if (id) await showItem(ctx, id);
    else ctx.replyText(ctx.t('queue:usage_show'));
  },
});

/**
 * Private text that belongs to the queue: a reporter's reply to a relayed question, the answer
 * dialogue, and the merge and conclusion dialogues. Returns false for anything else.
 */
async function handleText(ctx: BotContext): Promise<boolean> {
  const message = ctx.message;
  if (!message || ctx.chat?.type !== 'private' || !ctx.from || !ctx.person) return false;
  const text = 'text' in message ? message.text : undefined;
  if (text?.startsWith('/')) return false;
  const replyTo = 'reply_to_message' in message ? message.reply_to_message : undefined;
  if (replyTo && (REPORTER_ROLES as readonly string[]).includes(ctx.person.role)) {
    const questionId = questionIdOfRef(await refOfSentMessage(ctx.db, ctx.chat.id, replyTo.message_id));
    if (questionId !== null) {
      if (text === undefined) ctx.replyText(ctx.t('queue:answer_empty'));
      else if (!(await storeAnswer(ctx, questionId, text))) ctx.replyText(ctx.t('queue:answer_gone'));
      return true;
    }
  }
  const dialogue = await getDialogue(ctx.db, ctx.from.id);
  if (dialogue?.kind === 'answer') {
    const questionId = typeof dialogue.data.questionId === 'number' ? dialogue.data.questionId : 0;
    if (text === undefined) ctx.replyText(ctx.t('queue:answer_empty'));
    else if (!(await storeAnswer(ctx, questionId, text))) ctx.replyText(ctx.t('queue:answer_gone'));
    return true;
  }
  if (dialogue?.kind === 'queue' && (SECTION as readonly string[]).includes(ctx.person.role)) {
    if (text === undefined) return false;
    if (dialogue.step === 'merge') await mergeStep(ctx, text, dialogue.data);
    else await conclusionTextStep(ctx, text, dialogue.data);
    return true;
  }
  return false;
}

/** The triage queue: /queue, /show, the state machine's buttons, /ask and answers, /history, /export. */
export const queueFeature = new Feature('queue')
  .command({ command: 'queue', audience: SECTION, descriptionKey: 'queue:cmd_queue' }, queueCommand)
  .command({ command: 'show', audience: SECTION, descriptionKey: 'queue:cmd_show' }, async (ctx) => {
    const id = intArg(ctx.payload.trim().replace(/^#/, ''));
    if (id) await showItem(ctx, id);
    else ctx.replyText(ctx.t('queue:usage_show'));
  })
  .command({ command: 'ask', audience: SECTION, descriptionKey: 'queue:cmd_ask' }, askCommand)
  .command({ command: 'history', audience: ['admin'], descriptionKey: 'queue:cmd_history' }, historyCommand)
  .command({ command: 'export', audience: SECTION, descriptionKey: 'queue:cmd_export' }, exportCommand)
  .action({ action: 'q.p', audience: SECTION }, queuePageAction)
  .action({ action: 'q.f', audience: SECTION }, queueFilterAction)
  .action({ action: 'q.s', audience: SECTION }, async (ctx, data) => {
    const id = intArg(data.args[0]);
    if (id) await showItem(ctx, id);
  })
  .action({ action: 'q.a', audience: SECTION }, itemAction)
  .action({ action: 'q.fa', audience: SECTION }, forwardAction)
  .action({ action: 'q.as', audience: SECTION }, assignChoices)
  .action({ action: 'q.at', audience: SECTION }, assignAction)
  .action({ action: 'q.cf', audience: SECTION }, findingAction)
  .action({ action: 'q.cm', audience: SECTION }, measureAction)
  .action({ action: 'q.cp', audience: SECTION }, pointsAction)
  .action({ action: 'q.cn', audience: SECTION }, skipNoteAction)
  .action({ action: 'q.cc', audience: SECTION }, confirmConclusionAction)
  .action({ action: 'q.cx', audience: SECTION }, cancelConclusionAction)
  .action({ action: 'q.ans', audience: REPORTER_ROLES }, answerButton);

queueFeature.composer.on('message', async (ctx, next) => {
  if (!(await handleText(ctx))) await next();
});
