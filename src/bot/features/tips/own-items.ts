import { and, desc, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { appendAudit } from '../../../audit.js';
import { itemAdditions, items } from '../../../db/schema.js';
import { type ItemStatus, reporterStatus } from '../../../domain/item-state.js';
import { MAX_TEXT_LENGTH, sanitizeText } from '../../../domain/tip-code.js';
import {
  type AttachmentInput,
  attachmentCount,
  insertAttachments,
  MAX_ATTACHMENTS,
} from '../../../items/create-item.js';
import { REPORTER_ACTOR, reportedBy } from '../../../items/reporter-link.js';
import { itemCode } from '../../../items/summary.js';
import type { BotContext } from '../../context.js';

/** How many of their own items /my lists. */
export const MY_ITEMS_LIMIT = 20;

/** `/my`: the sender's latest items with number, code, date and the status a reporter may see. */
export async function listOwnItems(ctx: BotContext): Promise<void> {
  if (!ctx.from) return;
  const rows = await ctx.db
    .select({
      id: items.id,
      domain: items.domain,
      unitCode: items.unitCode,
      status: items.status,
      createdAt: items.createdAt,
    })
    .from(items)
    .where(reportedBy(ctx.from.id))
    .orderBy(desc(items.id))
    .limit(MY_ITEMS_LIMIT);
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
      status: ctx.t(`items:reporter_status_${reporterStatus(row.status as ItemStatus)}`),
    }),
  );
  ctx.replyText([ctx.t('tips:my_title', { count: rows.length }), ...lines].join('\n'));
}

/** The item if the sender reported it; null otherwise, whether or not it exists (so existence is not revealed). */
async function ownItem(ctx: BotContext, itemId: number): Promise<{ id: number } | null> {
  if (!ctx.from) return null;
  const [row] = await ctx.db
    .select({ id: items.id })
    .from(items)
    .where(and(eq(items.id, itemId), reportedBy(ctx.from.id)));
  return row ?? null;
}

/** Appends the reporter's added information to their own item; anyone else hears "no such item of yours". */
export async function addToOwnItem(ctx: BotContext, itemId: number, rawText: string): Promise<void> {
  const item = await ownItem(ctx, itemId);
  if (!item || !ctx.from) {
    ctx.replyText(ctx.t('tips:add_not_found', { id: itemId }));
    return;
  }
  const text = sanitizeText(rawText).trim();
  const length = Array.from(text).length;
  if (text === '') {
    ctx.replyText(ctx.t('tips:add_usage'));
    return;
  }
  if (length > MAX_TEXT_LENGTH) {
    ctx.replyText(ctx.t('tips:error_text_too_long', { length, max: MAX_TEXT_LENGTH }));
    return;
  }
  const now = ctx.services.now();
  const [addition] = await ctx.db
    .insert(itemAdditions)
    // The author is the item's reporter by construction; their id is not stored beside the item.
    .values({ itemId, kind: 'addition', authorId: null, text, createdAt: now })
    .returning({ id: itemAdditions.id });
  await ctx.db.update(items).set({ updatedAt: now }).where(eq(items.id, itemId));
  await appendAudit(ctx.db, {
    actorId: null,
    action: 'item.addition',
    itemId,
    details: { ...REPORTER_ACTOR, additionId: addition?.id ?? null },
  });
  ctx.replyText(ctx.t('tips:add_done', { id: itemId }));
}

/** `/add <id> <text>`. */
export async function addCommand(ctx: BotContext, payload: string): Promise<void> {
  const match = /^\s*#?(\d{1,9})(?:\s+([\s\S]*))?$/u.exec(payload);
  if (!match?.[1] || !match[2]?.trim()) {
    ctx.replyText(ctx.t('tips:add_usage'));
    return;
  }
  await addToOwnItem(ctx, Number(match[1]), match[2]);
}

/** Attaches a file sent as a reply to the receipt of the sender's own item (at most MAX_ATTACHMENTS in all). */
export async function attachToOwnItem(
  ctx: BotContext,
  itemId: number,
  attachment: AttachmentInput,
): Promise<void> {
  const item = await ownItem(ctx, itemId);
  if (!item || !ctx.from) {
    ctx.replyText(ctx.t('tips:add_not_found', { id: itemId }));
    return;
  }
  if ((await attachmentCount(ctx.db, itemId)) >= MAX_ATTACHMENTS) {
    ctx.replyText(ctx.t('tips:too_many_attachments', { max: MAX_ATTACHMENTS }));
    return;
  }
  await insertAttachments(ctx.db, itemId, [attachment]);
  await ctx.db.update(items).set({ updatedAt: ctx.services.now() }).where(eq(items.id, itemId));
  await appendAudit(ctx.db, {
    actorId: null,
    action: 'item.attachment_added',
    itemId,
    details: { ...REPORTER_ACTOR, fileKind: attachment.fileKind },
  });
  ctx.replyText(ctx.t('tips:attached', { id: itemId, count: 1 }));
}
