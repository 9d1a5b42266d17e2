// Builders for realistic Telegram updates, so end-to-end tests read like conversations.
// They return the update body without `update_id`; FakeBotApi.pushUpdate assigns one.

/** A Telegram user as it appears in `from`; builders always set `is_bot`. */
export interface TgUser {
  id: number;
  is_bot?: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** A chat as it appears in a group message or membership update. */
export interface TgGroupChat {
  id: number;
  type: 'group' | 'supergroup';
  title: string;
}

/** Where a built message lives; defaults to the private chat with its sender. */
export interface ChatOption {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  title?: string;
}

/** Options shared by the message builders. */
export interface MessageOptions {
  chat?: ChatOption;
  /** A message_id, or a whole message (e.g. a FakeBotApi call's `result`) to embed as `reply_to_message`. */
  replyTo?: number | object;
  /** Default true: adds a bot_command entity when the text starts with `/`, as Telegram does. */
  entitiesForCommands?: boolean;
}

/** The bot user FakeBotApi impersonates by default; matches its default token, id and username. */
export const DEFAULT_BOT: TgUser = {
  id: 123456789,
  is_bot: true,
  first_name: 'Liaison Test',
  username: 'liaison_test_bot',
};

// One counter for user-built and bot-sent messages (FakeBotApi uses it too), so ids never collide
// within a chat and always increase, as Telegram's per-chat ids do.
let lastMessageId = 0;
let lastFileId = 0;
let lastCallbackId = 0;

/** The next message id, shared by the builders and FakeBotApi so a chat never sees a repeated id. */
export function nextMessageId(): number {
  lastMessageId += 1;
  return lastMessageId;
}

/** A fresh `{ file_id, file_unique_id }` pair shaped like Telegram's opaque ids. */
export function nextFileIds(kind = 'file'): { file_id: string; file_unique_id: string } {
  lastFileId += 1;
  const n = lastFileId.toString(36).padStart(4, '0');
  return { file_id: `AgAD-fake-${kind}-${n}`, file_unique_id: `AQAD${n}` };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** A non-bot user; `name` becomes first_name (default `User<id>`). */
export function user(
  id: number,
  opts: { lang?: string; name?: string; lastName?: string; username?: string } = {},
): TgUser {
  const built: TgUser = { id, is_bot: false, first_name: opts.name ?? `User${id}` };
  if (opts.lastName !== undefined) built.last_name = opts.lastName;
  if (opts.username !== undefined) built.username = opts.username;
  if (opts.lang !== undefined) built.language_code = opts.lang;
  return built;
}

function chatFor(from: TgUser, chat?: ChatOption): Record<string, unknown> {
  if (chat === undefined || chat.type === 'private') {
    const privateChat: Record<string, unknown> = {
      id: chat?.id ?? from.id,
      type: 'private',
      first_name: from.first_name,
    };
    if (from.username !== undefined) privateChat.username = from.username;
    return privateChat;
  }
  return { id: chat.id, type: chat.type, title: chat.title ?? `Group ${chat.id}` };
}

function replyToMessage(replyTo: number | object, chat: Record<string, unknown>): object {
  if (typeof replyTo === 'object') return replyTo;
  // Telegram embeds the whole replied message; tests that only know the id get a minimal one.
  return { message_id: replyTo, date: now(), chat };
}

function baseMessage(from: TgUser, opts: MessageOptions): Record<string, unknown> {
  const chat = chatFor(from, opts.chat);
  const message: Record<string, unknown> = { message_id: nextMessageId(), from, chat, date: now() };
  if (opts.replyTo !== undefined) message.reply_to_message = replyToMessage(opts.replyTo, chat);
  return message;
}

/** `{ message }` with text; a leading `/command` gets its bot_command entity unless disabled. */
export function textMessage(from: TgUser, text: string, opts: MessageOptions = {}): object {
  const message = baseMessage(from, opts);
  message.text = text;
  if ((opts.entitiesForCommands ?? true) && text.startsWith('/')) {
    const command = /^\/\S+/.exec(text)?.[0] ?? '/';
    message.entities = [{ type: 'bot_command', offset: 0, length: command.length }];
  }
  return { message };
}

/** `{ message }` with a photo in three sizes, as Telegram delivers one upload. */
export function photoMessage(from: TgUser, caption?: string, opts: MessageOptions = {}): object {
  const message = baseMessage(from, opts);
  const sizes: Array<[number, number, number]> = [
    [90, 68, 1_412],
    [320, 240, 18_231],
    [1280, 960, 141_887],
  ];
  message.photo = sizes.map(([width, height, fileSize]) => ({
    ...nextFileIds('photo'),
    width,
    height,
    file_size: fileSize,
  }));
  if (caption !== undefined) message.caption = caption;
  return { message };
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  zip: 'application/zip',
  mp4: 'video/mp4',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
};

/** The MIME type Telegram would report for a file name (application/octet-stream when unknown). */
export function mimeTypeOf(fileName: string): string {
  const extension = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  return MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/** `{ message }` with a document attachment named `fileName`. */
export function documentMessage(
  from: TgUser,
  fileName: string,
  caption?: string,
  opts: MessageOptions = {},
): object {
  const message = baseMessage(from, opts);
  message.document = {
    ...nextFileIds('document'),
    file_name: fileName,
    mime_type: mimeTypeOf(fileName),
    file_size: 24_576,
  };
  if (caption !== undefined) message.caption = caption;
  return { message };
}

/** `{ message }` with a voice note of `seconds` seconds, as Telegram delivers one. */
export function voiceMessage(from: TgUser, seconds = 12, opts: MessageOptions = {}): object {
  const message = baseMessage(from, opts);
  message.voice = { ...nextFileIds('voice'), duration: seconds, mime_type: 'audio/ogg', file_size: 9_800 };
  return { message };
}

/** `{ message }` with a sticker, which carries nothing a report could use. */
export function stickerMessage(from: TgUser, opts: MessageOptions = {}): object {
  const message = baseMessage(from, opts);
  message.sticker = {
    ...nextFileIds('sticker'),
    type: 'regular',
    width: 512,
    height: 512,
    is_animated: false,
    is_video: false,
    emoji: '👍',
  };
  return { message };
}

/** `{ callback_query }` for a press on an inline button of a bot message. */
export function callbackQuery(
  from: TgUser,
  data: string,
  opts: {
    messageId?: number;
    chatId?: number;
    /** The pressed message's text as Telegram delivers it (plain, without markup). */
    messageText?: string;
    /** The pressed message's keyboard, as Telegram delivers it. */
    replyMarkup?: object;
    bot?: TgUser;
  } = {},
): object {
  lastCallbackId += 1;
  const chatId = opts.chatId ?? from.id;
  const chat = chatId < 0 ? { id: chatId, type: 'supergroup', title: `Group ${chatId}` } : chatFor(from);
  if (chatId >= 0) chat.id = chatId;
  return {
    callback_query: {
      // Telegram's ids are long decimal strings; keep them strings so nobody treats them as numbers.
      id: `${4_382_000_000_000_000 + lastCallbackId}`,
      from,
      chat_instance: `-${7_000_000_000_000_000 + Math.abs(chatId)}`,
      data,
      message: {
        message_id: opts.messageId ?? nextMessageId(),
        from: opts.bot ?? DEFAULT_BOT,
        chat,
        date: now(),
        text: opts.messageText ?? '…',
        ...(opts.replyMarkup ? { reply_markup: opts.replyMarkup } : {}),
      },
    },
  };
}

/** `{ my_chat_member }`: the bot's own membership in a group changed, done by `by`. */
export function myChatMember(
  chat: TgGroupChat,
  by: TgUser,
  newStatus: 'member' | 'left' | 'administrator' | 'kicked',
  bot: TgUser = DEFAULT_BOT,
): object {
  const joined = newStatus === 'member' || newStatus === 'administrator';
  const oldStatus = joined ? 'left' : 'member';
  const newMember: Record<string, unknown> = { user: bot, status: newStatus };
  if (newStatus === 'administrator') {
    Object.assign(newMember, {
      can_be_edited: false,
      can_manage_chat: true,
      can_delete_messages: true,
      can_restrict_members: false,
      can_promote_members: false,
      can_change_info: false,
      can_invite_users: true,
      can_pin_messages: true,
      is_anonymous: false,
    });
  }
  if (newStatus === 'kicked') newMember.until_date = 0;
  return {
    my_chat_member: {
      chat,
      from: by,
      date: now(),
      old_chat_member: { user: bot, status: oldStatus },
      new_chat_member: newMember,
    },
  };
}

/** `{ edited_message }`: `from` edited an earlier message (a new id unless `messageId` is given). */
export function editedMessage(
  from: TgUser,
  text: string,
  opts: { messageId?: number; chat?: ChatOption } = {},
): object {
  const date = now();
  return {
    edited_message: {
      message_id: opts.messageId ?? nextMessageId(),
      from,
      chat: chatFor(from, opts.chat),
      date: date - 60,
      edit_date: date,
      text,
    },
  };
}

/** `{ message }` announcing that `by` added the bot to a group, with Telegram's legacy fields too. */
export function groupAddedMessage(chat: TgGroupChat, by: TgUser, botUser: TgUser = DEFAULT_BOT): object {
  return {
    message: {
      message_id: nextMessageId(),
      from: by,
      chat,
      date: now(),
      new_chat_participant: botUser,
      new_chat_member: botUser,
      new_chat_members: [botUser],
    },
  };
}
