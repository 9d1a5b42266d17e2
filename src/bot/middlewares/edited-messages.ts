import { Composer } from 'telegraf';
import { claimEditNotice } from '../../edit-notices.js';
import type { BotContext } from '../context.js';

/**
 * An edited message in a private chat gets one answer, however often it is edited: the edit changed
 * nothing the bot received (a reporter who edits a tip to take a name out must not believe the edit
 * counted), and how to add or correct instead. Groups never get here (middlewares/section-chat.ts).
 */
export function editedMessages(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('edited_message', async (ctx) => {
    const edited = ctx.editedMessage;
    if (edited.chat.type !== 'private') return;
    if (!(await claimEditNotice(ctx.db, edited.chat.id, edited.message_id))) return;
    const role = ctx.person?.role;
    const key =
      role === 'monitor' || role === 'liaison'
        ? 'common:edit_reporter'
        : ctx.person
          ? 'common:edit_staff'
          : 'common:unknown_person';
    ctx.replyText(ctx.t(key));
  });
  return composer;
}
