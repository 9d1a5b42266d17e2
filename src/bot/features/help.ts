import { appendAudit } from '../../audit.js';
import { looksLikeToken, type RedeemFailure, type RedeemResult, redeemInvite } from '../../people/invites.js';
import { enrolPerson, languageOf } from '../../people/roster.js';
import { queuePersonMenu } from '../command-menus.js';
import type { BotContext } from '../context.js';
import { matchDeepLink } from '../deep-links.js';
import { audienceOf, Feature, refuse } from '../feature.js';
import { languageFor, translatorFor } from '../i18n.js';
import { AUDIENCES, type Audience, type Role } from '../roles.js';

/** Lines of "/command — description" for the commands `audience` may use, in menu order. */
export function commandList(ctx: BotContext, audience: Audience): string {
  return ctx.features
    .flatMap((feature) => feature.commands)
    .filter((spec) => spec.menu !== false && spec.audience.includes(audience))
    .map((spec) => `/${spec.command} — ${ctx.t(spec.descriptionKey)}`)
    .join('\n');
}

/** A welcome naming the person's role (or how to enrol), followed by the commands they may use. */
export function welcomeText(ctx: BotContext, audience: Audience = audienceOf(ctx)): string {
  const key = audience === 'unknown' ? 'common:welcome_unknown' : 'common:welcome_person';
  return `${ctx.t(key, { role: ctx.t(`common:role_${audience}`) })}\n\n${commandList(ctx, audience)}`;
}

const FAILURE_KEYS: Record<RedeemFailure, string> = {
  unknown: 'people:token_unknown',
  used: 'people:token_used',
  expired: 'people:token_expired',
};

/** How a person's agency reads in `t`'s language, e.g. "AUD 审计局". */
export function agencyLabel(t: BotContext['t'], agency: string): string {
  return `${agency} ${t(`people:agency_${agency}`)}`;
}

/**
 * `/start <token>`: enrols the sender with the invite's role if the token is valid, unused and
 * not expired; otherwise says which, changes nothing and audits the attempt (never the token).
 */
async function redeem(ctx: BotContext, token: string): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  if (ctx.services.config.adminIds.includes(from.id)) {
    // Enrolling a configured admin would demote them; leave the invite for the person it is for.
    ctx.replyText(ctx.t('people:token_config_admin'));
    return;
  }
  const now = ctx.services.now();
  const result: RedeemResult = looksLikeToken(token)
    ? await redeemInvite(ctx.db, token, from.id, now)
    : { ok: false, reason: 'unknown' };
  if (!result.ok) {
    await appendAudit(ctx.db, {
      actorId: from.id,
      action: 'invite.failed',
      details: { reason: result.reason, ...(result.inviteId ? { inviteId: result.inviteId } : {}) },
    });
    ctx.replyText(ctx.t(FAILURE_KEYS[result.reason]));
    return;
  }
  const { terms } = result;
  const { previousRole } = await enrolPerson(
    ctx.db,
    from.id,
    terms,
    {
      displayName: from.first_name ?? null,
      username: from.username ?? null,
      language: from.language_code ?? null,
    },
    now,
  );
  await appendAudit(ctx.db, {
    actorId: from.id,
    action: 'person.enrolled',
    details: {
      inviteId: result.inviteId,
      role: terms.role,
      ...(terms.agency ? { agency: terms.agency } : {}),
      ...(previousRole ? { previousRole } : {}),
    },
  });
  ctx.replyText(enrolledText(ctx, terms.role, terms.community, terms.agency, previousRole));
  queuePersonMenu(ctx.out, ctx.features, from.id, terms.role, from.language_code);
  if (result.createdBy !== null && result.createdBy !== from.id) {
    const t = translatorFor(languageFor(await languageOf(ctx.db, result.createdBy)));
    ctx.out.sendText(
      result.createdBy,
      t('people:invite_used_notice', {
        inviteId: result.inviteId,
        role: t(`common:role_${terms.role}`),
        name: from.username ? `${from.first_name} @${from.username}` : from.first_name,
        userId: from.id,
      }),
    );
  }
}

function enrolledText(
  ctx: BotContext,
  role: Role,
  community: string | null,
  agency: string | null,
  previousRole: Role | null,
): string {
  const lines = [ctx.t('people:enrolled', { role: ctx.t(`common:role_${role}`) })];
  if (community) lines.push(ctx.t('people:enrolled_community', { community }));
  if (agency) lines.push(ctx.t('people:enrolled_agency', { agency: agencyLabel(ctx.t, agency) }));
  if (previousRole && previousRole !== role) {
    lines.push(
      ctx.t('people:role_changed', {
        previous: ctx.t(`common:role_${previousRole}`),
        role: ctx.t(`common:role_${role}`),
      }),
    );
  }
  return `${lines.join('\n')}\n\n${ctx.t('people:your_commands')}\n${commandList(ctx, role)}`;
}

/** /start (welcome, or redeem an invite, or open a registered deep link) and /help. */
export const helpFeature = new Feature('help')
  .command({ command: 'start', audience: AUDIENCES, descriptionKey: 'common:cmd_start' }, async (ctx) => {
    const payload = ctx.payload.trim();
    if (payload === '') {
      // Re-sending the menu on /start repairs it if Telegram lost it or the role changed meanwhile.
      ctx.replyText(welcomeText(ctx));
      if (ctx.person && ctx.from) {
        queuePersonMenu(ctx.out, ctx.features, ctx.from.id, ctx.person.role, ctx.from.language_code);
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
    await redeem(ctx, payload);
  })
  .command({ command: 'help', audience: AUDIENCES, descriptionKey: 'common:cmd_help' }, (ctx) => {
    ctx.replyText(welcomeText(ctx));
  });
