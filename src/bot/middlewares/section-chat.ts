import { Composer } from 'telegraf';
import { appendAudit } from '../../audit.js';
import { getSectionChat, type SectionChat, setSectionChat } from '../../settings.js';
import type { BotContext } from '../context.js';
import { answerCallback } from '../feature.js';

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

/**
 * The bot's conduct in groups, before any feature sees an update: it leaves groups a non-admin added
 * it to and follows the section chat when it becomes a supergroup. Otherwise a group gets nothing
 * but an admin's /bindchat: no command, button, reply or edit of anyone else is answered — not even
 * with a refusal, which would tell every member who is enrolled — and a button pressed there (a
 * modified client can send any callback data) only has its spinner stopped. Item content never
 * reaches a group this way.
 */
export function sectionChatGuard(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('my_chat_member', onMembershipChange);
  composer.use(async (ctx, next) => {
    if (!isGroup(ctx)) return next();
    if (isBindChatCommand(ctx) && ctx.person?.role === 'admin' && ctx.message) return next();
    const section = await getSectionChat(ctx.db);
    if (await followMigration(ctx, section)) return;
    if (ctx.callbackQuery) answerCallback(ctx);
  });
  return composer;
}
