import { appendAudit } from '../../audit.js';
import { getSectionChat, type SectionChat, setSectionChat } from '../../settings.js';
import type { BotContext } from '../context.js';
import { answerCallback, Feature } from '../feature.js';

const JOINED = ['member', 'administrator', 'restricted', 'creator'];

function isGroup(ctx: BotContext): boolean {
  return ctx.chat !== undefined && ctx.chat.type !== 'private';
}

function isBindChatCommand(ctx: BotContext): boolean {
  const message = ctx.message;
  if (!message || !('text' in message)) return false;
  return /^\/bindchat(@\w+)?(\s|$)/i.test(message.text);
}

/** The bot was added to (or removed from) a group: stay only if an admin added it. */
async function onMembershipChange(ctx: BotContext): Promise<void> {
  const update = ctx.myChatMember;
  if (!update || update.chat.type === 'private') return;
  const chatId = update.chat.id;
  const joined =
    JOINED.includes(update.new_chat_member.status) && !JOINED.includes(update.old_chat_member.status);
  if (!joined) {
    if (!JOINED.includes(update.new_chat_member.status) && JOINED.includes(update.old_chat_member.status)) {
      await appendAudit(ctx.db, { actorId: update.from.id, action: 'group.removed', details: { chatId } });
    }
    return;
  }
  if (ctx.person?.role === 'admin') {
    await appendAudit(ctx.db, { actorId: update.from.id, action: 'group.joined', details: { chatId } });
    ctx.out.sendText(chatId, ctx.t('sectionchat:added_by_admin'));
    return;
  }
  await appendAudit(ctx.db, { actorId: update.from.id, action: 'group.left', details: { chatId } });
  ctx.out.call(chatId, 'leaveChat', { chat_id: chatId });
}

/**
 * A group that became a supergroup gets a new id: the binding follows it, from whichever side
 * Telegram reports first. Returns true if the update was such a migration notice.
 */
async function followMigration(ctx: BotContext, section: SectionChat | null): Promise<boolean> {
  const message = ctx.message;
  const chat = ctx.chat;
  if (!message || !chat) return false;
  let newChatId: number | undefined;
  if ('migrate_to_chat_id' in message) {
    if (section?.chatId === chat.id) newChatId = message.migrate_to_chat_id;
  } else if ('migrate_from_chat_id' in message) {
    if (section?.chatId === message.migrate_from_chat_id) newChatId = chat.id;
  } else {
    return false;
  }
  if (section && newChatId !== undefined && newChatId !== section.chatId) {
    await setSectionChat(ctx.db, { ...section, chatId: newChatId });
    await appendAudit(ctx.db, {
      actorId: null,
      action: 'section_chat.migrated',
      details: { fromChatId: section.chatId, toChatId: newChatId },
    });
  }
  return true;
}

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
    boundBy: ctx.from?.id ?? null,
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

/**
 * The section chat and the bot's conduct in groups: it leaves groups a non-admin added it to,
 * ignores every group but the bound section chat (except /bindchat), and lets admins bind a group.
 * Registered first, so no other feature ever sees an update from a foreign group.
 */
export const sectionChatFeature = new Feature('sectionchat');
sectionChatFeature.composer.on('my_chat_member', onMembershipChange);
sectionChatFeature.composer.use(async (ctx, next) => {
  if (!isGroup(ctx)) return next();
  if (isBindChatCommand(ctx)) return next();
  const section = await getSectionChat(ctx.db);
  if (await followMigration(ctx, section)) return;
  if (section?.chatId === ctx.chat?.id) return next();
  // A button left in a group that is not (or no longer) the section chat: stop its spinner, say nothing.
  if (ctx.callbackQuery) answerCallback(ctx);
});
sectionChatFeature.command(
  {
    command: 'bindchat',
    audience: ['admin'],
    descriptionKey: 'sectionchat:cmd_bindchat',
    chats: ['group', 'private'],
  },
  bindChat,
);
