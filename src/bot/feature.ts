import { Composer } from 'telegraf';
import { type CallbackData, decodeCallback } from '../buttons.js';
import type { Audience } from '../domain/roles.js';
import { htmlToPlainText } from '../telegram/html.js';
import type { BotContext } from './context.js';
import type { ActionSpec, ChatKind, CommandSpec } from './specs.js';

type CommandHandler = (
  ctx: BotContext & { command: string; payload: string; args: string[] },
) => Promise<void> | void;
type ActionHandler = (ctx: BotContext, data: CallbackData) => Promise<void> | void;

/** The audience of the update's sender: their role, or 'unknown'. */
export function audienceOf(ctx: BotContext): Audience {
  return ctx.person?.role ?? 'unknown';
}

/** Answers a button press (stops the spinner), optionally with a notice. */
export function answerCallback(ctx: BotContext, text?: string, showAlert = false): void {
  const id = ctx.callbackQuery?.id;
  if (!id) return;
  ctx.out.call(0, 'answerCallbackQuery', {
    callback_query_id: id,
    ...(text ? { text: text.slice(0, 200), show_alert: showAlert } : {}),
  });
}

/**
 * Replaces the message whose button was pressed with new text and buttons, so paging and step-by-step
 * choices stay one message; sends a new message when there is none to edit, and nothing when the
 * message already reads so (Telegram refuses an edit that changes nothing). Returns false in that
 * last case, so the caller can say so in its answer to the press (a press must never look dead).
 */
export function editPressedMessage(
  ctx: BotContext,
  text: string,
  keyboard: readonly (readonly unknown[])[],
): boolean {
  const message = ctx.callbackQuery?.message;
  if (!message || !ctx.chat) {
    ctx.replyText(text, { reply_markup: { inline_keyboard: keyboard } });
    return true;
  }
  if (showsAlready(message, text, keyboard)) return false;
  ctx.out.call(ctx.chat.id, 'editMessageText', {
    chat_id: ctx.chat.id,
    message_id: message.message_id,
    text,
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    reply_markup: { inline_keyboard: keyboard },
  });
  return true;
}

/** The parts of a button that make it what it is (telegraf's Markup adds `hide`, Telegram drops it). */
function buttonShape(button: unknown): unknown {
  if (typeof button !== 'object' || button === null) return button;
  const { text, callback_data, url } = button as Record<string, unknown>;
  return { text, callback_data, url };
}

/** Whether a message as Telegram delivered it already shows `text` (HTML) and `keyboard`. */
function showsAlready(message: object, text: string, keyboard: readonly (readonly unknown[])[]): boolean {
  const shown = message as { text?: unknown; reply_markup?: { inline_keyboard?: unknown[][] } };
  if (typeof shown.text !== 'string' || shown.text.trim() !== htmlToPlainText(text).trim()) return false;
  const current = (shown.reply_markup?.inline_keyboard ?? []).map((row) => row.map(buttonShape));
  const next = keyboard.map((row) => row.map(buttonShape));
  return JSON.stringify(current) === JSON.stringify(next);
}

/**
 * One capability of the bot (enrolment, tips, queue, …): its commands and buttons, each declaring
 * who may use it. The access check runs here for every command and every button press, on the server.
 */
export class Feature {
  readonly composer = new Composer<BotContext>();
  readonly commands: CommandSpec[] = [];
  readonly actions = new Map<string, { spec: ActionSpec; handler: ActionHandler }>();

  constructor(readonly name: string) {}

  /** Registers a command handler guarded by its audience and chat kinds. */
  command(spec: CommandSpec, handler: CommandHandler): this {
    this.commands.push(spec);
    const chats = spec.chats ?? ['private'];
    this.composer.command(spec.command, async (ctx) => {
      const chatKind: ChatKind = ctx.chat.type === 'private' ? 'private' : 'group';
      // Groups never get here but for an admin's /bindchat (middlewares/section-chat.ts).
      if (!chats.includes(chatKind)) return;
      if (!spec.audience.includes(audienceOf(ctx))) {
        refuse(ctx);
        return;
      }
      await handler(ctx as Parameters<CommandHandler>[0]);
    });
    return this;
  }

  /** Registers a button action guarded by its audience. */
  action(spec: ActionSpec, handler: ActionHandler): this {
    this.actions.set(spec.action, { spec, handler });
    return this;
  }
}

/** Tells a person they may not do this: how to enrol if unknown, otherwise that their role may not. */
export function refuse(ctx: BotContext): void {
  ctx.replyText(ctx.person ? ctx.t('common:not_for_your_role') : ctx.t('common:unknown_person'));
}

/**
 * Routes every button press to its feature's action, after checking the data is well formed
 * and that the presser's role may use it. Every press is answered, so no button keeps spinning.
 */
export function callbackRouter(features: readonly Feature[]): Composer<BotContext> {
  const actions = new Map<string, { spec: ActionSpec; handler: ActionHandler }>();
  for (const feature of features) for (const [name, entry] of feature.actions) actions.set(name, entry);
  const router = new Composer<BotContext>();
  router.on('callback_query', async (ctx) => {
    const data = decodeCallback('data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined);
    const entry = data ? actions.get(data.action) : undefined;
    if (!data || !entry) {
      answerCallback(ctx, ctx.t('common:button_unknown'), true);
      return;
    }
    if (!entry.spec.audience.includes(audienceOf(ctx))) {
      answerCallback(ctx, ctx.t(ctx.person ? 'common:not_for_your_role' : 'common:unknown_person'), true);
      return;
    }
    const answered = ctx.out.messages.length;
    await entry.handler(ctx, data);
    // A handler that forgot to answer still must not leave the button spinning.
    if (!ctx.out.messages.slice(answered).some((message) => message.method === 'answerCallbackQuery')) {
      answerCallback(ctx);
    }
  });
  return router;
}
