import { MIN_REVEAL_REASON, revealReporter } from '../../items/reveal.js';
import { sourceKindName } from '../../labels.js';
import { itemNumberArgument } from '../arguments.js';
import type { BotContext } from '../context.js';
import { Feature } from '../feature.js';

/**
 * /reveal <id> <reason> (admins, private chat): who reported an item — the one place a reporter's
 * name, username and Telegram id are shown. The reason is required and audited ('item.revealed');
 * the weekly digest counts reveals, so unsealing is never silent.
 */
export async function revealCommand(ctx: BotContext & { payload: string }): Promise<void> {
  const argument = itemNumberArgument(ctx.payload);
  const reason = argument?.rest ?? '';
  if (!argument || Array.from(reason).length < MIN_REVEAL_REASON) {
    ctx.replyText(ctx.t('confidentiality:reveal_usage', { min: MIN_REVEAL_REASON }));
    return;
  }
  const { id } = argument;
  const outcome = await revealReporter(
    ctx.db,
    { itemId: id, reason },
    ctx.person?.telegramId ?? ctx.from?.id ?? null,
  );
  if (outcome.kind === 'not_found') {
    ctx.replyText(ctx.t('confidentiality:reveal_not_found', { id }));
    return;
  }
  if (outcome.kind === 'no_reporter') {
    const key = outcome.purged ? 'confidentiality:reveal_purged' : 'confidentiality:reveal_no_reporter';
    ctx.replyText(ctx.t(key, { id, source: sourceKindName(ctx.t, outcome.sourceKind, 'reveal') }));
    return;
  }
  const { person } = outcome;
  const lines = [
    ctx.t('confidentiality:reveal_title', { id }),
    ctx.t('confidentiality:reveal_id', { telegramId: outcome.reporterId }),
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
