import { DateTime } from 'luxon';
import { reporterStatus } from '../../../domain/item-state.js';
import { addToOwnItem, attachToOwnItem } from '../../../items/additions.js';
import { type AttachmentInput, ownItems } from '../../../items/store.js';
import { itemCode } from '../../../items/summary.js';
import { itemNumberArgument } from '../../arguments.js';
import type { BotContext } from '../../context.js';

/** How many of their own items /my lists. */
export const MY_ITEMS_LIMIT = 20;

/** `/my`: the sender's latest items with number, code, date and the status a reporter may see. */
export async function listOwnItems(ctx: BotContext): Promise<void> {
  if (!ctx.from) return;
  const rows = await ownItems(ctx.db, ctx.from.id, MY_ITEMS_LIMIT);
  if (rows.length === 0) {
    ctx.replyText(ctx.t('tips:my_empty'));
    return;
  }
  const zone = ctx.services.config.timeZone;
  const lines = rows.map((row) =>
    ctx.t('tips:my_line', {
      id: row.id,
      code: itemCode(row.domain, row.unitCode),
      date: DateTime.fromJSDate(row.createdAt, { zone }).toFormat('yyyy-MM-dd'),
      status: ctx.t(`items:reporter_status_${reporterStatus(row.status)}`),
    }),
  );
  ctx.replyText([ctx.t('tips:my_title', { count: rows.length }), ...lines].join('\n'));
}

/** Appends the reporter's added information to their own item; anyone else hears "no such item of yours". */
export async function addToOwnItemReply(ctx: BotContext, itemId: number, text: string): Promise<void> {
  ctx.replyText(await addToOwnItemText(ctx, itemId, text));
}

/** Appends text to the sender's own item and returns what to tell them. */
export async function addToOwnItemText(ctx: BotContext, itemId: number, text: string): Promise<string> {
  if (!ctx.from) return ctx.t('tips:add_not_found', { id: itemId });
  const outcome = await addToOwnItem(ctx.db, ctx.out, { itemId, text }, ctx.from.id, ctx.services.now());
  if (outcome.kind === 'not_found') return ctx.t('tips:add_not_found', { id: itemId });
  if (outcome.kind === 'missing_text') return ctx.t('tips:add_usage');
  if (outcome.kind === 'text_too_long')
    return ctx.t('tips:error_text_too_long', { length: outcome.length, max: outcome.max });
  return ctx.t('tips:add_done', { id: itemId });
}

/** `/add <id> <text>`. */
export async function addCommand(ctx: BotContext, payload: string): Promise<void> {
  const argument = itemNumberArgument(payload);
  if (!argument || argument.rest === '') {
    ctx.replyText(ctx.t('tips:add_usage'));
    return;
  }
  await addToOwnItemReply(ctx, argument.id, argument.rest);
}

/**
 * Attaches a file sent as a reply to the receipt of the sender's own item, with its caption (if any)
 * as added text, and returns what to tell them: nothing they sent with it is dropped.
 */
export async function attachToOwnItemText(
  ctx: BotContext,
  itemId: number,
  attachment: AttachmentInput,
  caption: string | null,
): Promise<string> {
  if (!ctx.from) return ctx.t('tips:add_not_found', { id: itemId });
  const outcome = await attachToOwnItem(
    ctx.db,
    ctx.out,
    { itemId, attachment },
    ctx.from.id,
    ctx.services.now(),
  );
  if (outcome.kind === 'not_found') return ctx.t('tips:add_not_found', { id: itemId });
  const hasCaption = caption !== null && caption.trim() !== '';
  if (outcome.kind === 'too_many') {
    const refused = ctx.t('tips:too_many_attachments', { max: outcome.max });
    if (!hasCaption) return refused;
    return `${refused}\n${await addToOwnItemText(ctx, itemId, caption)}`;
  }
  if (!hasCaption) return ctx.t('tips:attached', { id: itemId, count: 1 });
  const added = await addToOwnItem(
    ctx.db,
    ctx.out,
    { itemId, text: caption },
    ctx.from.id,
    ctx.services.now(),
  );
  if (added.kind === 'added') return ctx.t('tips:attached_with_text', { id: itemId, count: 1 });
  const attached = ctx.t('tips:attached', { id: itemId, count: 1 });
  if (added.kind === 'text_too_long')
    return `${attached}\n${ctx.t('tips:error_text_too_long', { length: added.length, max: added.max })}`;
  return attached;
}
