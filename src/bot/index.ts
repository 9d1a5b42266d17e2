import { AsyncLocalStorage } from 'node:async_hooks';
import { and, eq, isNull } from 'drizzle-orm';
import { Composer, Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Tx } from '../db/client.js';
import { people } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import type { BotContext, BotServices, Person } from './context.js';
import { callbackRouter, type Feature } from './feature.js';
import { features as allFeatures } from './features/index.js';
import { languageFor, translatorFor } from './i18n.js';
import { isRole } from './roles.js';

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
  services: BotServices,
  features: readonly Feature[] = allFeatures,
): AssembledBot {
  const bot = new Telegraf<BotContext>(token, { telegram: { apiRoot, webhookReply: false } });
  const unitOfWork = new AsyncLocalStorage<UnitOfWork>();

  bot.use(async (ctx, next) => {
    const work = unitOfWork.getStore();
    if (!work) throw new Error('update handled outside the inbox processor');
    ctx.db = work.tx;
    ctx.out = work.out;
    ctx.log = work.log;
    ctx.services = services;
    ctx.features = features;
    ctx.person = ctx.from ? await loadPerson(work.tx, ctx.from.id, services) : null;
    ctx.lang = languageFor(ctx.from?.language_code);
    ctx.t = translatorFor(ctx.lang);
    ctx.replyText = (text, extra, ref) => {
      if (ctx.chat) work.out.sendText(ctx.chat.id, text, extra, ref);
    };
    await next();
  });
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

/** Loads the sender's active enrolment; ids in ADMIN_IDS are admins even before any enrolment. */
async function loadPerson(tx: Tx, telegramId: number, services: BotServices): Promise<Person | null> {
  const [row] = await tx
    .select({
      telegramId: people.telegramId,
      role: people.role,
      community: people.community,
      agency: people.agency,
      language: people.language,
    })
    .from(people)
    .where(and(eq(people.telegramId, telegramId), isNull(people.revokedAt)));
  if (row && isRole(row.role)) return { ...row, role: row.role };
  if (services.config.adminIds.includes(telegramId)) {
    return { telegramId, role: 'admin', community: null, agency: null, language: null };
  }
  return null;
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
    ctx.replyText(text.startsWith('/') ? ctx.t('common:unknown_command') : ctx.t('common:not_understood'));
  });
  return composer;
}
