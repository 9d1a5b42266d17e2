import type { TFunction } from 'i18next';
import type { Context } from 'telegraf';
import type { Tx } from '../db/client.js';
import type { Language } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { Person } from '../people/store.js';
import type { Services } from '../services.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import type { CommandCatalogue } from './specs.js';

/**
 * The context every handler gets. `db` is the update's transaction: write through it only, so
 * the change, its outgoing messages and the inbox's "done" mark commit together. Send through
 * `out` (or `replyText`), never through `ctx.reply` or `ctx.telegram`, which would bypass the outbox.
 */
export interface BotContext extends Context {
  db: Tx;
  out: OutboxBuffer;
  log: Logger;
  services: Services;
  /** The sender if enrolled and not revoked. */
  person: Person | null;
  lang: Language;
  t: TFunction;
  /** Every feature of the bot, for help texts and command menus. */
  features: readonly CommandCatalogue[];
  /** Queues an HTML text reply to the chat the update came from. */
  replyText(text: string, extra?: Record<string, unknown>, ref?: string): void;
}
