import type { CallbackData } from '../../../buttons.js';
import { clearDialogue, getDialogue } from '../../../dialogues.js';
import { REPORTER_ROLES, SECTION_ROLES } from '../../../domain/roles.js';
import { refOfSentMessage } from '../../../telegram/outbox.js';
import type { BotContext } from '../../context.js';
import { Feature } from '../../feature.js';
import {
  draftHasContent,
  GUIDED_BUTTONS,
  onGuidedButton,
  onGuidedMessage,
  resumeGuidedTip,
  startGuidedTip,
  TIP_DIALOGUE,
} from './guided.js';
import { logFromText, noticeFromText, tipFromText } from './intake.js';
import { attachmentOf, captionOf } from './messages.js';
import { offerAsTip, startsWithCode } from './offer.js';
import { addCommand, addToOwnItemText, attachToOwnItemText, listOwnItems } from './own-items.js';
import { itemIdOfReceiptRef } from './receipts.js';

const reporters = REPORTER_ROLES;

async function onGuidedAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const dialogue = ctx.from ? await getDialogue(ctx.db, ctx.from.id) : null;
  await onGuidedButton(ctx, data, dialogue);
}

/**
 * Intake: coded tips (/tip, one line, a captioned photo or step by step), agency notices (/notice),
 * reports logged by the section (/log), and a reporter's own items (/my, /add, replies to a receipt).
 */
export const tipsFeature = new Feature('tips')
  .command({ command: 'tip', audience: reporters, descriptionKey: 'tips:cmd_tip' }, async (ctx) => {
    const dialogue = ctx.from ? await getDialogue(ctx.db, ctx.from.id) : null;
    const draft = dialogue?.kind === TIP_DIALOGUE ? dialogue : null;
    if (ctx.payload.trim() === '') {
      // A second /tip does not wipe what the person already wrote: it takes them back to their draft.
      if (draft && draftHasContent(draft)) await resumeGuidedTip(ctx, draft, ctx.t('tips:draft_open'));
      else await startGuidedTip(ctx);
      return;
    }
    const outcome = await tipFromText(ctx, ctx.payload);
    if (!draft || !outcome || outcome.kind === 'refused') return;
    // The one-line tip is stored. A draft with nothing written ends with it; one with text is kept, and
    // the person is told so, or their next message would silently become its text.
    if (draftHasContent(draft)) await resumeGuidedTip(ctx, draft, ctx.t('tips:draft_kept'));
    else if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  })
  .command({ command: 'notice', audience: ['liaison'], descriptionKey: 'tips:cmd_notice' }, (ctx) =>
    noticeFromText(ctx, ctx.payload),
  )
  .command({ command: 'log', audience: SECTION_ROLES, descriptionKey: 'tips:cmd_log' }, (ctx) =>
    logFromText(ctx, ctx.payload),
  )
  .command({ command: 'my', audience: reporters, descriptionKey: 'tips:cmd_my' }, (ctx) => listOwnItems(ctx))
  .command({ command: 'add', audience: reporters, descriptionKey: 'tips:cmd_add' }, (ctx) =>
    addCommand(ctx, ctx.payload),
  );
for (const button of GUIDED_BUTTONS) {
  tipsFeature.action({ action: button.action, audience: reporters }, onGuidedAction);
}

// Messages that are not commands: the guided dialogue's answers, replies to a receipt, and a photo
// or document whose caption starts with a code. Everything else goes on to the next handler.
tipsFeature.composer.on('message', async (ctx, next) => {
  const message = ctx.message;
  const person = ctx.person;
  if (ctx.chat.type !== 'private' || !person || !(reporters as readonly string[]).includes(person.role)) {
    return next();
  }
  const typed = 'text' in message ? message.text : null;
  if (typed?.startsWith('/')) return next();

  const dialogue = await getDialogue(ctx.db, person.telegramId);
  const attachment = attachmentOf(message);
  const caption = captionOf(message);

  // A reply to a receipt belongs to that item, whatever dialogue is open: a new guided tip neither
  // swallows it nor ends, and the person is told both where the addition went and where the draft is.
  const repliedTo = 'reply_to_message' in message ? message.reply_to_message?.message_id : undefined;
  if (repliedTo !== undefined && (!dialogue || dialogue.kind === TIP_DIALOGUE)) {
    const ref = await refOfSentMessage(ctx.db, ctx.chat.id, repliedTo);
    const itemId = itemIdOfReceiptRef(ref);
    const said =
      itemId === null
        ? null
        : attachment
          ? await attachToOwnItemText(ctx, itemId, attachment, caption)
          : typed !== null
            ? await addToOwnItemText(ctx, itemId, typed)
            : null;
    if (said !== null) {
      if (dialogue) await resumeGuidedTip(ctx, dialogue, `${said}\n${ctx.t('tips:draft_still_open')}`);
      else ctx.replyText(said);
      return;
    }
  }

  if (dialogue) {
    if (dialogue.kind === TIP_DIALOGUE) return onGuidedMessage(ctx, message, dialogue);
    return next();
  }

  if (attachment && caption !== null && startsWithCode(caption)) {
    await tipFromText(ctx, caption, [attachment]);
    return;
  }
  if (!(await offerAsTip(ctx, message, attachment, caption))) return next();
});
