import { appendAudit } from '../../audit.js';
import { getSectionChat, setSectionChat } from '../../settings.js';
import type { BotContext } from '../context.js';
import { Feature } from '../feature.js';

/** /bindchat in a group: that group becomes the section chat (moving it from any earlier one). */
async function bindChat(ctx: BotContext): Promise<void> {
  const chat = ctx.chat;
  if (!chat || chat.type === 'private') {
    ctx.replyText(ctx.t('sectionchat:private_hint'));
    return;
  }
  const previous = await getSectionChat(ctx.db);
  if (previous?.chatId === chat.id) {
    ctx.replyText(ctx.t('sectionchat:already_bound'));
    return;
  }
  await setSectionChat(ctx.db, {
    chatId: chat.id,
    title: 'title' in chat ? chat.title : '',
    // Who bound it is in the audit log; the setting keeps no person's id in clear (issue 14).
    boundBy: null,
    boundAt: ctx.services.now().toISOString(),
  });
  await appendAudit(ctx.db, {
    actorId: ctx.from?.id ?? null,
    action: 'section_chat.bound',
    details: { chatId: chat.id, ...(previous ? { previousChatId: previous.chatId } : {}) },
  });
  ctx.replyText(ctx.t('sectionchat:bound'));
  if (previous) ctx.out.sendText(previous.chatId, ctx.t('sectionchat:moved_away'));
}

/** /bindchat: an admin makes a group the section chat (the guard in middlewares/ keeps other groups out). */
export const sectionChatFeature = new Feature('sectionchat').command(
  {
    command: 'bindchat',
    audience: ['admin'],
    descriptionKey: 'sectionchat:cmd_bindchat',
    chats: ['group', 'private'],
  },
  bindChat,
);
