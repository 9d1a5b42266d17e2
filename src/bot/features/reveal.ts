import { eq } from 'drizzle-orm';
import { appendAudit } from '../../audit.js';
import { items, people } from '../../db/schema.js';
import { reporterIdOf } from '../../items/reporter-link.js';
import type { BotContext } from '../context.js';
import { Feature } from '../feature.js';

/** The shortest reason an admin must give to unseal a reporter. */
export const MIN_REVEAL_REASON = 10;

/**
 * /reveal <id> <reason> (admins, private chat): who reported an item — the one place a reporter's
 * name, username and Telegram id are shown. The reason is required and audited ('item.revealed');
 * the weekly digest counts reveals, so unsealing is never silent.
 */
export async function revealCommand(ctx: BotContext & { payload: string }): Promise<void> {
  const match = /^\s*#?(\d{1,9})\s+([\s\S]+)$/u.exec(ctx.payload);
  const reason = match?.[2]?.trim() ?? '';
  if (!match || Array.from(reason).length < MIN_REVEAL_REASON) {
    ctx.replyText(ctx.t('confidentiality:reveal_usage', { min: MIN_REVEAL_REASON }));
    return;
  }
  const id = Number(match[1]);
  const [item] = await ctx.db
    .select({
      id: items.id,
      sourceKind: items.sourceKind,
      signed: items.signed,
      reporterSealed: items.reporterSealed,
      purgedAt: items.purgedAt,
    })
    .from(items)
    .where(eq(items.id, id));
  if (!item) {
    ctx.replyText(ctx.t('confidentiality:reveal_not_found', { id }));
    return;
  }
  const reporterId = reporterIdOf(item);
  await appendAudit(ctx.db, {
    actorId: ctx.person?.telegramId ?? ctx.from?.id ?? null,
    action: 'item.revealed',
    itemId: id,
    details: { reason, found: reporterId !== null },
  });
  if (reporterId === null) {
    const key = item.purgedAt ? 'confidentiality:reveal_purged' : 'confidentiality:reveal_no_reporter';
    ctx.replyText(ctx.t(key, { id, source: ctx.t(`confidentiality:source_${item.sourceKind}`) }));
    return;
  }
  const [person] = await ctx.db
    .select({
      role: people.role,
      displayName: people.displayName,
      username: people.username,
      community: people.community,
      agency: people.agency,
      revokedAt: people.revokedAt,
    })
    .from(people)
    .where(eq(people.telegramId, reporterId));
  const lines = [
    ctx.t('confidentiality:reveal_title', { id }),
    ctx.t('confidentiality:reveal_id', { telegramId: reporterId }),
  ];
  if (person) {
    lines.push(
      ctx.t('confidentiality:reveal_name', {
        name: person.displayName ?? '—',
        username: person.username ? `@${person.username}` : '—',
      }),
      ctx.t('confidentiality:reveal_role', {
        role: ctx.t(`common:role_${person.role}`),
        place: person.community ?? person.agency ?? '—',
      }),
    );
    if (person.revokedAt) lines.push(ctx.t('confidentiality:reveal_revoked'));
  } else {
    lines.push(ctx.t('confidentiality:reveal_not_enrolled'));
  }
  lines.push('', ctx.t('confidentiality:reveal_audited', { reason }));
  ctx.replyText(lines.join('\n'));
}

/** /reveal: the admin-only, audited unsealing of who reported an item. */
export const revealFeature = new Feature('reveal').command(
  {
    command: 'reveal',
    audience: ['admin'],
    descriptionKey: 'confidentiality:cmd_reveal',
    chats: ['private'],
  },
  revealCommand,
);
