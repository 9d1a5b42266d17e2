import { AsyncLocalStorage } from 'node:async_hooks';
import { Composer, Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Tx } from '../db/client.js';
import { languageFor, translatorFor } from '../i18n.js';
import type { Logger } from '../logger.js';
import { activePerson } from '../people/store.js';
import type { Services } from '../services.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import type { BotContext } from './context.js';
import { callbackRouter, type Feature } from './feature.js';
import { features as allFeatures } from './features/index.js';
import { editedMessages } from './middlewares/edited-messages.js';
import { profileRefresh } from './middlewares/profile-refresh.js';
import { sectionChatGuard } from './middlewares/section-chat.js';

interface UnitOfWork {
  tx: Tx;
  out: OutboxBuffer;
  log: Logger;
}

/** The assembled bot: telegraf for routing only; every effect goes through the unit of work. */
export interface AssembledBot {
  bot: Telegraf<BotContext>;
  features: readonly Feature[];
  /** Handles one update inside `tx`, queueing replies in `out`. */
  handleUpdate(update: Update, tx: Tx, out: OutboxBuffer, log: Logger): Promise<void>;
}

/** Builds the bot from its features, in order, with the fallback last. */
export function assembleBot(
  token: string,
  apiRoot: string,
  services: Services,
  features: readonly Feature[] = allFeatures,
): AssembledBot {
  const bot = new Telegraf<BotContext>(token, { telegram: { apiRoot, webhookReply: false } });
  const unitOfWork = new AsyncLocalStorage<UnitOfWork>();

  bot.use(async (ctx, next) => {
    const work = unitOfWork.getStore();
    if (!work) throw new Error('update handled outside the inbox processor');
    // A private chat is its person's own: an update that says otherwise was forged (only a holder of
    // the webhook secret or the token can post one) to have answers sent to another chat. Dropped.
    if (ctx.chat?.type === 'private' && ctx.from && ctx.chat.id !== ctx.from.id) {
      work.log.warn('a private update whose chat is not its sender; dropped');
      return;
    }
    ctx.db = work.tx;
    ctx.out = work.out;
    ctx.log = work.log;
    ctx.services = services;
    ctx.features = features;
    ctx.person = ctx.from ? await activePerson(work.tx, ctx.from.id, services.config.adminIds) : null;
    ctx.lang = languageFor(ctx.from?.language_code);
    ctx.t = translatorFor(ctx.lang);
    ctx.replyText = (text, extra, ref) => {
      if (ctx.chat) work.out.sendText(ctx.chat.id, text, extra, ref);
    };
    await next();
  });
  // Before any feature: groups get nothing but an admin's /bindchat, profiles are kept current, and
  // an edited message is answered once.
  bot.use(sectionChatGuard(), profileRefresh(), editedMessages());
  for (const feature of features) bot.use(feature.composer);
  bot.use(callbackRouter(features));
  bot.use(fallback());

  // telegraf's default handler prints the whole update (with the text) to stderr; rethrow instead,
  // so the inbox records the failure and retries, and nothing a person wrote reaches a log.
  bot.catch((error) => {
    throw error;
  });

  return {
    bot,
    features,
    handleUpdate: (update, tx, out, log) => unitOfWork.run({ tx, out, log }, () => bot.handleUpdate(update)),
  };
}

/** Last in line: anything no feature took. Strangers learn how to enrol; groups get silence. */
function fallback(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(async (ctx) => {
    if (ctx.chat?.type !== 'private') return;
    if (!ctx.message) return;
    if (!ctx.person) {
      ctx.replyText(ctx.t('common:unknown_person'));
      return;
    }
    const text = 'text' in ctx.message ? ctx.message.text : '';
    const reporter = ctx.person.role === 'monitor' || ctx.person.role === 'liaison';
    ctx.replyText(
      text.startsWith('/')
        ? ctx.t('common:unknown_command')
        : ctx.t(reporter ? 'common:not_understood_reporter' : 'common:not_understood'),
    );
  });
  return composer;
}
