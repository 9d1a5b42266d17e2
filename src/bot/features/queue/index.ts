import { BUTTONS } from '../../../buttons.js';
import { getDialogue } from '../../../dialogues.js';
import { REPORTER_ROLES, SECTION_ROLES } from '../../../domain/roles.js';
import { questionIdOfRef } from '../../../items/notifications.js';
import { refOfSentMessage } from '../../../telegram/outbox.js';
import { intArg, itemNumberOnly } from '../../arguments.js';
import type { BotContext } from '../../context.js';
import { registerDeepLink } from '../../deep-links.js';
import { Feature } from '../../feature.js';
import {
  assignAction,
  assignChoices,
  forwardAction,
  headChoicesAction,
  headToAction,
  itemAction,
  mergeStep,
} from './actions.js';
import {
  answerButton,
  askButton,
  askCommand,
  askStep,
  cancelAskButton,
  isAskStep,
  storeAnswer,
} from './ask.js';
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
 * dialogue, and the officer's pending question, merge and conclusion dialogues. Returns false for anything else.
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
      await storeAnswer(ctx, questionId, text);
      return true;
    }
  }
  const dialogue = await getDialogue(ctx.db, ctx.from.id);
  if (dialogue?.kind === 'answer') {
    const questionId = typeof dialogue.data.questionId === 'number' ? dialogue.data.questionId : 0;
    await storeAnswer(ctx, questionId, text);
    return true;
  }
  if (dialogue?.kind === 'queue' && (SECTION as readonly string[]).includes(ctx.person.role)) {
    if (text === undefined) return false;
    if (isAskStep(dialogue)) await askStep(ctx, text, dialogue.data);
    else if (dialogue.step === 'merge') await mergeStep(ctx, text, dialogue.data);
    else await conclusionTextStep(ctx, text, dialogue.data);
    return true;
  }
  return false;
}

/** The triage queue: /queue, /show, the state machine's buttons, /ask and answers, /history, /export. */
export const queueFeature = new Feature('queue')
  .command({ command: 'queue', audience: SECTION, descriptionKey: 'queue:cmd_queue' }, queueCommand)
  .command({ command: 'show', audience: SECTION, descriptionKey: 'queue:cmd_show' }, async (ctx) => {
    const id = itemNumberOnly(ctx.payload);
    if (id) await showItem(ctx, id);
    else ctx.replyText(ctx.t('queue:usage_show'));
  })
  .command({ command: 'ask', audience: SECTION, descriptionKey: 'queue:cmd_ask' }, askCommand)
  .command({ command: 'history', audience: ['admin'], descriptionKey: 'queue:cmd_history' }, historyCommand)
  .command({ command: 'export', audience: SECTION, descriptionKey: 'queue:cmd_export' }, exportCommand)
  .action({ action: BUTTONS.queuePage.action, audience: SECTION }, queuePageAction)
  .action({ action: BUTTONS.queueFilter.action, audience: SECTION }, queueFilterAction)
  .action({ action: BUTTONS.showItem.action, audience: SECTION }, async (ctx, data) => {
    const pressed = BUTTONS.showItem.decode(data);
    if (pressed) await showItem(ctx, pressed.id);
  })
  .action({ action: BUTTONS.itemAction.action, audience: SECTION }, itemAction)
  .action({ action: BUTTONS.forward.action, audience: SECTION }, forwardAction)
  .action({ action: BUTTONS.assignChoices.action, audience: SECTION }, assignChoices)
  .action({ action: BUTTONS.assignTo.action, audience: SECTION }, assignAction)
  .action({ action: BUTTONS.headChoices.action, audience: SECTION }, headChoicesAction)
  .action({ action: BUTTONS.headTo.action, audience: SECTION }, headToAction)
  .action({ action: BUTTONS.finding.action, audience: SECTION }, findingAction)
  .action({ action: BUTTONS.measure.action, audience: SECTION }, measureAction)
  .action({ action: BUTTONS.points.action, audience: SECTION }, pointsAction)
  .action({ action: BUTTONS.skipNote.action, audience: SECTION }, skipNoteAction)
  .action({ action: BUTTONS.confirmConclusion.action, audience: SECTION }, confirmConclusionAction)
  .action({ action: BUTTONS.cancelConclusion.action, audience: SECTION }, cancelConclusionAction)
  .action({ action: BUTTONS.askReporter.action, audience: SECTION }, askButton)
  .action({ action: BUTTONS.cancelAsk.action, audience: SECTION }, cancelAskButton)
  .action({ action: BUTTONS.answer.action, audience: REPORTER_ROLES }, answerButton);

queueFeature.composer.on('message', async (ctx, next) => {
  if (!(await handleText(ctx))) await next();
});
