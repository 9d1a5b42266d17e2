import { isReporterAudit, reporterIdOf } from '../../../items/reporter-link.js';
import type { BotContext } from '../../context.js';
import { isRole, REPORTER_ROLES } from '../../roles.js';
import { formatTime, sealedSource, statusLabel } from './render.js';
import { auditActionLabel, viewerOf } from './show.js';
import { type ItemRow, itemAudit, loadVisibleItem, personById } from './store.js';

/** How an audit entry's actor reads to an admin: staff by role and name, any reporter sealed, the system as such. */
async function actorLabel(
  ctx: BotContext,
  item: ItemRow,
  actorId: number | null,
  cache: Map<number, string>,
  details: Record<string, unknown> | null,
): Promise<string> {
  if (actorId === null && isReporterAudit(details)) {
    return ctx.t('queue:actor_reporter', { source: await sealedSource(ctx.db, ctx.t, item) });
  }
  if (actorId === null) return ctx.t('queue:actor_system');
  const known = cache.get(actorId);
  if (known) return known;
  const person = await personById(ctx.db, actorId);
  let label: string;
  const isReporter =
    actorId === reporterIdOf(item) ||
    (person !== null && (REPORTER_ROLES as readonly string[]).includes(person.role));
  if (isReporter) {
    // Even admins see the reporter sealed: the audit trail must not become a way to unmask them.
    label = ctx.t('queue:actor_reporter', { source: await sealedSource(ctx.db, ctx.t, item) });
  } else if (person && isRole(person.role)) {
    label = ctx.t('queue:actor_staff', {
      role: ctx.t(`common:role_${person.role}`),
      name: person.displayName ?? (person.username ? `@${person.username}` : `#${person.telegramId}`),
    });
  } else {
    label = ctx.t('queue:actor_staff', { role: ctx.t('common:role_admin'), name: `#${actorId}` });
  }
  cache.set(actorId, label);
  return label;
}

/** /history <id> (admins): every audit entry of the item — when, who, what, from which status to which. */
export async function historyCommand(ctx: BotContext & { payload: string }): Promise<void> {
  const match = /^#?(\d{1,9})$/.exec(ctx.payload.trim());
  if (!match) {
    ctx.replyText(ctx.t('queue:usage_history'));
    return;
  }
  const id = Number(match[1]);
  const item = await loadVisibleItem(ctx.db, id, viewerOf(ctx));
  if (!item) {
    ctx.replyText(ctx.t('queue:not_found', { id }));
    return;
  }
  const entries = await itemAudit(ctx.db, id);
  if (entries.length === 0) {
    ctx.replyText(ctx.t('queue:history_empty', { id }));
    return;
  }
  const timeZone = ctx.services.config.timeZone;
  const cache = new Map<number, string>();
  const lines = [ctx.t('queue:history_title', { id })];
  for (const entry of entries) {
    const details = entry.details ?? {};
    const base = {
      at: formatTime(entry.at, timeZone, ctx.t),
      actor: await actorLabel(ctx, item, entry.actorId, cache, entry.details),
      action: auditActionLabel(ctx, entry.action),
    };
    const from = details.from;
    const to = details.to;
    if (typeof from === 'string' && typeof to === 'string') {
      lines.push(
        ctx.t('queue:history_row_change', {
          ...base,
          from: statusLabel(ctx.t, from),
          to: statusLabel(ctx.t, to),
        }),
      );
    } else {
      lines.push(ctx.t('queue:history_row', base));
    }
  }
  ctx.replyText(lines.join('\n'));
}
