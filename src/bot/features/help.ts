import { AUDIENCES, type Audience } from '../../domain/roles.js';
import { commandList, sendPersonMenu } from '../command-menus.js';
import type { BotContext } from '../context.js';
import { matchDeepLink } from '../deep-links.js';
import { audienceOf, Feature, refuse } from '../feature.js';
import { redeemInviteLink } from './people.js';

/** A welcome naming the person's role (or how to enrol), followed by the commands they may use. */
export function welcomeText(ctx: BotContext, audience: Audience = audienceOf(ctx)): string {
  const key = audience === 'unknown' ? 'common:welcome_unknown' : 'common:welcome_person';
  const parts = [ctx.t(key, { role: ctx.t(`common:role_${audience}`) })];
  // A stranger learns their Telegram id: the admin needs it to enrol them, or for ADMIN_IDS.
  if (audience === 'unknown' && ctx.from) parts.push(ctx.t('common:your_id', { id: ctx.from.id }));
  // A reporter's first question is "how do I report?": the answer and an example come before the list.
  if (audience === 'monitor' || audience === 'liaison') parts.push(ctx.t('common:help_reporter'));
  parts.push(commandList(ctx.features, ctx.t, audience));
  return parts.join('\n\n');
}

/** /start (welcome, or redeem an invite, or open a registered deep link) and /help. */
export const helpFeature = new Feature('help')
  .command({ command: 'start', audience: AUDIENCES, descriptionKey: 'common:cmd_start' }, async (ctx) => {
    const payload = ctx.payload.trim();
    if (payload === '') {
      // Re-sending the menu on /start repairs it if Telegram lost it or the role changed meanwhile.
      ctx.replyText(welcomeText(ctx));
      if (ctx.person && ctx.from) {
        sendPersonMenu(ctx.out, ctx.features, ctx.from.id, ctx.person.role, ctx.from.language_code);
      }
      return;
    }
    const link = matchDeepLink(payload);
    if (link) {
      if (!link.handler.audience.includes(audienceOf(ctx))) {
        refuse(ctx);
        return;
      }
      await link.handler.handle(ctx, link.argument);
      return;
    }
    await redeemInviteLink(ctx, payload);
  })
  .command({ command: 'help', audience: AUDIENCES, descriptionKey: 'common:cmd_help' }, (ctx) => {
    ctx.replyText(welcomeText(ctx));
  });
