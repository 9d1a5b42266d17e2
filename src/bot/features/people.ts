import { DateTime } from 'luxon';
import { appendAudit } from '../../audit.js';
import { AGENCY_CODES } from '../../domain/agencies.js';
import { createInvite, inviteLink, MAX_COMMUNITY_LENGTH, parseInviteArgs } from '../../people/invites.js';
import {
  countRevoked,
  listActivePeople,
  type RosterEntry,
  refreshProfile,
  revokePerson,
} from '../../people/roster.js';
import { loadUnits } from '../../units/directory.js';
import { clearDialogue } from '../dialogue.js';
import { queueMenuRemoval } from '../command-menus.js';
import type { BotContext } from '../context.js';
import { Feature } from '../feature.js';
import { escapeHtml } from '../i18n.js';
import { ROLES } from '../roles.js';
import { agencyLabel } from './help.js';

const ADMIN = ['admin'] as const;

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
  const actorId = ctx.from?.id ?? null;
  const created = await createInvite(ctx.db, terms, actorId, ctx.services.now());
  await appendAudit(ctx.db, {
    actorId,
    action: 'invite.created',
    details: { inviteId: created.id, role: terms.role, ...(terms.agency ? { agency: terms.agency } : {}) },
  });
  const summary = terms.community
    ? ctx.t('people:invite_created_monitor', { community: terms.community })
    : terms.agency
      ? ctx.t('people:invite_created_liaison', { agency: agencyLabel(ctx.t, terms.agency) })
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
  if (userId === ctx.from?.id) {
    ctx.replyText(ctx.t('people:revoke_self'));
    return;
  }
  const role = await revokePerson(ctx.db, userId, ctx.services.now());
  if (ctx.services.config.adminIds.includes(userId)) {
    // Their enrolment row (if any) is gone, but the environment still makes them admin.
    ctx.replyText(ctx.t('people:revoke_config_admin', { userId }));
    if (!role) return;
  }
  if (!role) {
    ctx.replyText(ctx.t('people:revoke_not_found', { userId }));
    return;
  }
  await clearDialogue(ctx.db, userId);
  await appendAudit(ctx.db, {
    actorId: ctx.from?.id ?? null,
    action: 'person.revoked',
    details: { userId, role },
  });
  queueMenuRemoval(ctx.out, userId);
  ctx.replyText(ctx.t('people:revoke_done', { role: ctx.t(`common:role_${role}`), userId }));
}

function personLine(ctx: BotContext, entry: RosterEntry): string {
  const name =
    [entry.displayName, entry.username ? `@${entry.username}` : null].filter(Boolean).join(' ') || '—';
  const last = entry.lastReportedAt ? formatTime(ctx, entry.lastReportedAt) : ctx.t('people:people_never');
  if (entry.role === 'monitor') {
    return ctx.t('people:people_line_monitor', {
      name,
      userId: entry.telegramId,
      community: entry.community ?? '—',
      last,
    });
  }
  if (entry.role === 'liaison') {
    const agency = entry.agency ? agencyLabel(ctx.t, entry.agency) : '—';
    return ctx.t('people:people_line_liaison', { name, userId: entry.telegramId, agency, last });
  }
  return ctx.t('people:people_line_staff', {
    name,
    userId: entry.telegramId,
    enrolled: formatTime(ctx, entry.enrolledAt),
  });
}

/** /people: everyone active, grouped by role, with when reporters last reported (quiet ones stand out). */
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
  const english = ctx.lang === 'en';
  const lines = list.map((unit) => {
    let line = ctx.t('people:units_line', {
      code: unit.code,
      name: english ? unit.nameEn : unit.nameZh,
      kind: ctx.t(`people:kind_${unit.kind}`),
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

/** Invites, revocation, the roster and the unit directory; also keeps enrolled people's profiles current. */
export const peopleFeature = new Feature('people')
  .command({ command: 'invite', audience: ADMIN, descriptionKey: 'people:cmd_invite' }, invite)
  .command({ command: 'revoke', audience: ADMIN, descriptionKey: 'people:cmd_revoke' }, revoke)
  .command({ command: 'people', audience: ADMIN, descriptionKey: 'people:cmd_people' }, listPeople)
  .command({ command: 'units', audience: ADMIN, descriptionKey: 'people:cmd_units' }, listUnits);

/**
 * Runs before every feature: keeps an enrolled person's name, username and language current, so
 * admins recognise them in /people and messages addressed to them follow their Telegram language.
 * (Their menu follows on their next /start.)
 */
export const profileRefresh = new Feature('profile');
profileRefresh.composer.use(async (ctx, next) => {
  const person = ctx.person;
  const from = ctx.from;
  if (person && from && !from.is_bot) {
    const language = from.language_code ?? person.language;
    const changed = await refreshProfile(ctx.db, from.id, {
      displayName: from.first_name ?? null,
      username: from.username ?? null,
      language,
    });
    if (changed) ctx.person = { ...person, language };
  }
  await next();
});
