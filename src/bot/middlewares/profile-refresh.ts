import { Composer } from 'telegraf';
import { personName } from '../../domain/person-name.js';
import { refreshProfile, rememberConfigAdminLanguage } from '../../people/roster.js';
import type { BotContext } from '../context.js';

/**
 * Runs before every feature: keeps an enrolled person's name, username and language current, so
 * admins recognise them in /people and messages addressed to them follow their Telegram language.
 * (Their menu follows on their next /start.)
 */
export function profileRefresh(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.use(async (ctx, next) => {
    const person = ctx.person;
    const from = ctx.from;
    if (person && from && !from.is_bot) {
      const language = from.language_code ?? person.language;
      const changed = await refreshProfile(
        ctx.db,
        from.id,
        {
          displayName: personName(from.first_name, from.last_name) || null,
          username: from.username ?? null,
          language,
        },
        person.stored,
      );
      // An ADMIN_IDS admin who never enrolled has no row: remember their language elsewhere.
      const configAdmin =
        !changed && from.language_code && ctx.services.config.adminIds.includes(from.id)
          ? await rememberConfigAdminLanguage(ctx.db, from.id, from.language_code)
          : false;
      if (changed || configAdmin) ctx.person = { ...person, language };
    }
    await next();
  });
  return composer;
}
