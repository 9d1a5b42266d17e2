import { DateTime } from 'luxon';
import { AGENCY_CODES } from '../../domain/agencies.js';
import { personName } from '../../domain/person-name.js';
import { ROLES, type Role } from '../../domain/roles.js';
import { escapeHtml } from '../../i18n.js';
import { agencyWithCode, unitKindName, unitName } from '../../labels.js';
import { enrolWithToken, notifyInviteUsed, type Redeemer, revokeAccess } from '../../people/enrolment.js';
import {
  inviteLink,
  issueInvite,
  MAX_COMMUNITY_LENGTH,
  parseInviteArgs,
  type RedeemFailure,
} from '../../people/invites.js';
import { countRevoked, listActivePeople, type RosterEntry } from '../../people/roster.js';
import { loadUnits } from '../../units/directory.js';
import { commandList, sendMenuRemoval, sendPersonMenu } from '../command-menus.js';
import type { BotContext } from '../context.js';
import { Feature } from '../feature.js';

const ADMIN = ['admin'] as const;

const FAILURE_KEYS: Record<RedeemFailure, string> = {
  unknown: 'people:token_unknown',
  used: 'people:token_used',
  expired: 'people:token_expired',
};

function enrolledText(
  ctx: BotContext,
  role: Role,
  community: string | null,
  agency: string | null,
  previousRole: Role | null,
): string {
  const lines = [ctx.t('people:enrolled', { role: ctx.t(`common:role_${role}`) })];
  if (community) lines.push(ctx.t('people:enrolled_community', { community }));
  if (agency) lines.push(ctx.t('people:enrolled_agency', { agency: agencyWithCode(ctx.t, agency) }));
  if (previousRole && previousRole !== role) {
    lines.push(
      ctx.t('people:role_changed', {
        previous: ctx.t(`common:role_${previousRole}`),
        role: ctx.t(`common:role_${role}`),
      }),
    );
  }
  return `${lines.join('\n')}\n\n${ctx.t('people:your_commands')}\n${commandList(ctx.features, ctx.t, role)}`;
}

/**
 * `/start <token>`: enrols the sender with the invite's role if the token is valid, unused and
 * not expired; otherwise says which, changes nothing and audits the attempt (never the token).
 */
export async function redeemInviteLink(ctx: BotContext, token: string): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  const redeemer: Redeemer = {
    telegramId: from.id,
    name: personName(from.first_name, from.last_name),
    username: from.username ?? null,
    languageCode: from.language_code ?? null,
  };
  const outcome = await enrolWithToken(
    ctx.db,
    { token, redeemer },
    { now: ctx.services.now(), adminIds: ctx.services.config.adminIds },
  );
  if (outcome.kind === 'config_admin') {
    // Enrolling a configured admin would demote them; leave the invite for the person it is for.
    ctx.replyText(ctx.t('people:token_config_admin'));
    return;
  }
  if (outcome.kind === 'failed') {
    ctx.replyText(ctx.t(FAILURE_KEYS[outcome.reason]));
    return;
  }
  const { terms } = outcome;
  ctx.replyText(enrolledText(ctx, terms.role, terms.community, terms.agency, outcome.previousRole));
  sendPersonMenu(ctx.out, ctx.features, from.id, terms.role, from.language_code);
  await notifyInviteUsed(ctx.db, ctx.out, { ...outcome, role: terms.role }, redeemer);
}

function formatTime(ctx: BotContext, date: Date): string {
  return DateTime.fromJSDate(date).setZone(ctx.services.config.timeZone).toFormat('yyyy-MM-dd HH:mm');
}

/** /invite: a single-use link for one person, with the role (and community or agency) it grants. */
async function invite(ctx: BotContext & { args: string[] }): Promise<void> {
  const parsed = parseInviteArgs(ctx.args);
  if (!parsed.ok) {
    const agencies = AGENCY_CODES.join(' ');
    const key = {
      usage: 'people:invite_usage',
      bad_agency: 'people:invite_bad_agency',
      community_missing: 'people:invite_community_missing',
      community_too_long: 'people:invite_community_too_long',
    }[parsed.problem];
    ctx.replyText(ctx.t(key, { agencies, input: parsed.input ?? '', max: MAX_COMMUNITY_LENGTH }));
    return;
  }
  const { terms } = parsed;
  const created = await issueInvite(ctx.db, terms, ctx.from?.id ?? null, ctx.services.now());
  const summary = terms.community
    ? ctx.t('people:invite_created_monitor', { community: terms.community })
    : terms.agency
      ? ctx.t('people:invite_created_liaison', { agency: agencyWithCode(ctx.t, terms.agency) })
      : ctx.t('people:invite_created_role', { role: ctx.t(`common:role_${terms.role}`) });
  const link = inviteLink(ctx.services.botUsername(), created.token);
  ctx.replyText(
    `${summary}\n${ctx.t('people:invite_pass_on', { expires: formatTime(ctx, created.expiresAt) })}\n\n${escapeHtml(link)}`,
  );
}

/** /revoke: ends a person's access at once and resets their command menu. */
async function revoke(ctx: BotContext & { args: string[] }): Promise<void> {
  const [idText] = ctx.args;
  if (ctx.args.length !== 1 || !idText || !/^\d{1,16}$/.test(idText)) {
    ctx.replyText(ctx.t('people:revoke_usage'));
    return;
  }
  const userId = Number(idText);
  const outcome = await revokeAccess(
    ctx.db,
    { userId },
    { actorId: ctx.from?.id ?? null, now: ctx.services.now(), adminIds: ctx.services.config.adminIds },
  );
  if (outcome.kind === 'self') {
    ctx.replyText(ctx.t('people:revoke_self'));
    return;
  }
  // Their enrolment row (if any) is gone, but the environment still makes them admin.
  if (outcome.configAdmin) ctx.replyText(ctx.t('people:revoke_config_admin', { userId }));
  if (outcome.kind === 'not_found') {
    if (!outcome.configAdmin) ctx.replyText(ctx.t('people:revoke_not_found', { userId }));
    return;
  }
  sendMenuRemoval(ctx.out, userId);
  const role = ctx.t(`common:role_${outcome.role}`);
  if (outcome.sectionChatId === null) {
    ctx.replyText(ctx.t('people:revoke_done', { role, userId }));
    return;
  }
  // Out of the section group too, where alerts and digests would keep reaching them: a ban removes
  // them, the unban at once lets an admin add them back some day. Without the right to ban, Telegram
  // refuses and the admins are told (sender); the reply says to check.
  const chatId = outcome.sectionChatId;
  ctx.out.call(chatId, 'banChatMember', { chat_id: chatId, user_id: userId });
  ctx.out.call(chatId, 'unbanChatMember', { chat_id: chatId, user_id: userId, only_if_banned: true });
  ctx.replyText(ctx.t('people:revoke_done_group', { role, userId }));
}

/** How far back /people says whether a reporter was active. */
const ACTIVE_WINDOW_DAYS = 30;

function personLine(ctx: BotContext, entry: RosterEntry): string {
  const name =
    [entry.displayName, entry.username ? `@${entry.username}` : null].filter(Boolean).join(' ') || '—';
  // Whether they reported lately, never when: a day of last report, matched against an item's date,
  // would name the reporter of that item (only /reveal, audited, may).
  const active =
    entry.lastReportedAt !== null &&
    ctx.services.now().getTime() - entry.lastReportedAt.getTime() < ACTIVE_WINDOW_DAYS * 86_400_000;
  const last = ctx.t(active ? 'people:people_active' : 'people:people_quiet', { days: ACTIVE_WINDOW_DAYS });
  if (entry.role === 'monitor') {
    return ctx.t('people:people_line_monitor', {
      name,
      userId: entry.telegramId,
      community: entry.community ?? '—',
      last,
    });
  }
  if (entry.role === 'liaison') {
    const agency = entry.agency ? agencyWithCode(ctx.t, entry.agency) : '—';
    return ctx.t('people:people_line_liaison', { name, userId: entry.telegramId, agency, last });
  }
  return ctx.t('people:people_line_staff', {
    name,
    userId: entry.telegramId,
    enrolled: formatTime(ctx, entry.enrolledAt),
  });
}

/** /people: everyone active, grouped by role, with whether reporters reported in the last 30 days (quiet ones stand out). */
async function listPeople(ctx: BotContext): Promise<void> {
  const entries = await listActivePeople(ctx.db);
  const revoked = await countRevoked(ctx.db);
  const configAdmins = ctx.services.config.adminIds;
  const sections: string[] = [];
  if (entries.length === 0) sections.push(ctx.t('people:people_none'));
  else sections.push(`<b>${ctx.t('people:people_title', { count: entries.length })}</b>`);
  for (const role of ROLES) {
    const ofRole = entries.filter((entry) => entry.role === role);
    if (ofRole.length === 0) continue;
    const heading = ctx.t('people:people_heading', {
      role: ctx.t(`common:role_${role}`),
      count: ofRole.length,
    });
    sections.push([heading, ...ofRole.map((entry) => personLine(ctx, entry))].join('\n'));
  }
  if (configAdmins.length > 0)
    sections.push(ctx.t('people:people_config_admins', { ids: configAdmins.join(', ') }));
  if (revoked > 0) sections.push(ctx.t('people:people_revoked_count', { count: revoked }));
  ctx.replyText(sections.join('\n\n'));
}

/** /units: the unit directory, with the codes people use in tips. */
async function listUnits(ctx: BotContext): Promise<void> {
  const list = await loadUnits(ctx.db);
  if (list.length === 0) {
    ctx.replyText(ctx.t('people:units_none'));
    return;
  }
  const lines = list.map((unit) => {
    let line = ctx.t('people:units_line', {
      code: unit.code,
      name: unitName(unit, ctx.lang),
      kind: unitKindName(ctx.t, unit.kind),
    });
    if (unit.auditClass) line += ctx.t('people:units_audit_class', { auditClass: unit.auditClass });
    if (unit.headName)
      line += ctx.t('people:units_head', { title: unit.headTitle ?? '', name: unit.headName });
    return line;
  });
  ctx.replyText(
    `<b>${ctx.t('people:units_title', { count: list.length })}</b>\n${ctx.t('people:units_hint')}\n\n${lines.join('\n')}`,
  );
}

/** Enrolment by invite link, invites, revocation, the roster and the unit directory. */
export const peopleFeature = new Feature('people')
  .command({ command: 'invite', audience: ADMIN, descriptionKey: 'people:cmd_invite' }, invite)
  .command({ command: 'revoke', audience: ADMIN, descriptionKey: 'people:cmd_revoke' }, revoke)
  .command({ command: 'people', audience: ADMIN, descriptionKey: 'people:cmd_people' }, listPeople)
  .command({ command: 'units', audience: ADMIN, descriptionKey: 'people:cmd_units' }, listUnits);
