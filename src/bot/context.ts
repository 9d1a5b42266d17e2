import type { TFunction } from 'i18next';
import type { Context } from 'telegraf';
import type { AppConfig } from '../config.js';
import type { Tx } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import type { Feature } from './feature.js';
import type { Language } from './i18n.js';
import type { Role } from './roles.js';

/** An enrolled, not revoked person, as loaded once per update. */
export interface Person {
  telegramId: number;
  role: Role;
  community: string | null;
  agency: string | null;
  language: string | null;
}

/** What the bot's handlers share: configuration and a clock tests can move. */
export interface BotServices {
  config: AppConfig;
  now(): Date;
  /** The bot's username, for deep links (`https://t.me/<username>?start=…`). */
  botUsername(): string;
}

/**
 * The context every handler gets. `db` is the update's transaction: write through it only, so
 * the change, its outgoing messages and the inbox's "done" mark commit together. Send through
 * `out` (or `replyText`), never through `ctx.reply` or `ctx.telegram`, which would bypass the outbox.
 */
export interface BotContext extends Context {
  db: Tx;
  out: OutboxBuffer;
  log: Logger;
  services: BotServices;
  /** The sender if enrolled and not revoked. */
  person: Person | null;
  lang: Language;
  t: TFunction;
  /** Every feature of the bot, for help texts and command menus. */
  features: readonly Feature[];
  /** Queues an HTML text reply to the chat the update came from. */
  replyText(text: string, extra?: Record<string, unknown>, ref?: string): void;
}
