import { type HistoryActor, itemHistory } from '../../../items/history.js';
import { itemNumberOnly } from '../../arguments.js';
import type { BotContext } from '../../context.js';
import { formatTime, sourceText, statusLabel, viewerOf } from './render.js';
import { auditActionLabel } from './show.js';

/** How an audit entry's actor reads to an admin: staff by role and name, any reporter sealed, the system as such. */
function actorText(ctx: BotContext, actor: HistoryActor): string {
  if (actor.kind === 'system') return ctx.t('queue:actor_system');
  if (actor.kind === 'reporter')
    return ctx.t('queue:actor_reporter', { source: sourceText(ctx.t, actor.source) });
  return ctx.t('queue:actor_staff', { role: ctx.t(`common:role_${actor.role}`), name: actor.name });
}

/** /history <id> (admins): every audit entry of the item — when, who, what, from which status to which. */
export async function historyCommand(ctx: BotContext & { payload: string }): Promise<void> {
  const id = itemNumberOnly(ctx.payload);
  if (id === null) {
    ctx.replyText(ctx.t('queue:usage_history'));
    return;
  }
  const history = await itemHistory(ctx.db, id, viewerOf(ctx));
  if (!history) {
    ctx.replyText(ctx.t('queue:not_found', { id }));
    return;
  }
  if (history.entries.length === 0) {
    ctx.replyText(ctx.t('queue:history_empty', { id }));
    return;
  }
  const timeZone = ctx.services.config.timeZone;
  const lines = [ctx.t('queue:history_title', { id })];
  for (const entry of history.entries) {
    const base = {
      at: formatTime(entry.at, timeZone, ctx.t),
      actor: actorText(ctx, entry.actor),
      action: auditActionLabel(ctx, entry.action),
    };
    lines.push(
      entry.change
        ? ctx.t('queue:history_row_change', {
            ...base,
            from: statusLabel(ctx.t, entry.change.from),
            to: statusLabel(ctx.t, entry.change.to),
          })
        : ctx.t('queue:history_row', base),
    );
  }
  ctx.replyText(lines.join('\n'));
}
