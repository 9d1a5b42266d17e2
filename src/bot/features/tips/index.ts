import { refOfSentMessage } from '../../../telegram/outbox.js';
import { type CallbackData, intArg } from '../../callback-data.js';
import type { BotContext } from '../../context.js';
import { getDialogue } from '../../dialogue.js';
import { Feature } from '../../feature.js';
import { REPORTER_ROLES, SECTION_ROLES } from '../../roles.js';
import { GUIDED_ACTIONS, onGuidedButton, onGuidedMessage, startGuidedTip, TIP_DIALOGUE } from './guided.js';
import { logFromText, noticeFromText, tipFromText } from './intake.js';
import { attachmentOf, captionOf } from './messages.js';
import { addCommand, addToOwnItem, attachToOwnItem, listOwnItems } from './own-items.js';

const reporters = REPORTER_ROLES;

async function onGuidedAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const dialogue = ctx.from ? await getDialogue(ctx.db, ctx.from.id) : null;
  await onGuidedButton(ctx, data.action, data.args, dialogue);
}

/**
 * Intake: coded tips (/tip, one line, a captioned photo or step by step), agency notices (/notice),
 * reports logged by the section (/log), and a reporter's own items (/my, /add, replies to a receipt).
 */
export const tipsFeature = new Feature('tips')
  .command({ command: 'tip', audience: reporters, descriptionKey: 'tips:cmd_tip' }, async (ctx) => {
    if (ctx.payload.trim() === '') await startGuidedTip(ctx);
    else await tipFromText(ctx, ctx.payload);
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
for (const action of Object.values(GUIDED_ACTIONS)) {
  tipsFeature.action({ action, audience: reporters }, onGuidedAction);
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
  if (dialogue) {
    if (dialogue.kind === TIP_DIALOGUE) return onGuidedMessage(ctx, message, dialogue);
    return next();
  }

  const attachment = attachmentOf(message);
  const repliedTo = 'reply_to_message' in message ? message.reply_to_message?.message_id : undefined;
  if (repliedTo !== undefined) {
    const ref = await refOfSentMessage(ctx.db, ctx.chat.id, repliedTo);
    const itemId = ref?.startsWith('receipt:') ? intArg(ref.slice('receipt:'.length)) : null;
    if (itemId !== null) {
      if (attachment) return attachToOwnItem(ctx, itemId, attachment);
      if (typed !== null) return addToOwnItem(ctx, itemId, typed);
    }
  }

  const caption = captionOf(message);
  if (attachment && caption !== null && startsWithCode(caption)) {
    return tipFromText(ctx, caption, [attachment]);
  }
  return next();
});

/** True when a caption begins like a code (`F-HPZ`, `财权－鹤浦镇`): letters or Han, a separator, more. */
function startsWithCode(caption: string): boolean {
  return /^\s*[\p{L}]{1,8}\s*[-－–—‐‑−:：]\s*\S/u.test(caption);
}
