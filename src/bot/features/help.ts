import type { BotContext } from '../context.js';
import { audienceOf, Feature } from '../feature.js';
import { AUDIENCES, type Audience } from '../roles.js';

/** Lines of "/command — description" for the commands `audience` may use, in menu order. */
export function commandList(ctx: BotContext, audience: Audience): string {
  return ctx.features
    .flatMap((feature) => feature.commands)
    .filter((spec) => spec.menu !== false && spec.audience.includes(audience))
    .map((spec) => `/${spec.command} — ${ctx.t(spec.descriptionKey)}`)
    .join('\n');
}

/** A welcome naming the person's role, followed by the commands they may use. */
export function welcomeText(ctx: BotContext): string {
  const audience = audienceOf(ctx);
  const key = audience === 'unknown' ? 'common:welcome_unknown' : 'common:welcome_person';
  return `${ctx.t(key, { role: ctx.t(`common:role_${audience}`) })}\n\n${commandList(ctx, audience)}`;
}

/** /start and /help: a welcome and the commands this person may use. */
export const helpFeature = new Feature('help')
  .command({ command: 'start', audience: AUDIENCES, descriptionKey: 'common:cmd_start' }, (ctx) => {
    ctx.replyText(welcomeText(ctx));
  })
  .command({ command: 'help', audience: AUDIENCES, descriptionKey: 'common:cmd_help' }, (ctx) => {
    ctx.replyText(welcomeText(ctx));
  });
