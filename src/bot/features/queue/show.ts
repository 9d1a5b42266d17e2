import { asc, eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { appendAudit } from '../../../audit.js';
import { queryRows } from '../../../db/client.js';
import { itemAdditions, itemAttachments, units } from '../../../db/schema.js';
import { allowedActions, type ItemStatus } from '../../../domain/item-state.js';
import { pointsFlags } from '../../../domain/points-card.js';
import { canAssign } from '../../../domain/triage.js';
import type { BotContext } from '../../context.js';
import { actionKeyboard, agencyLabel, formatTime, itemCode, sealedSource, statusLabel } from './render.js';
import {
  auditSummary,
  type ItemRow,
  loadVisibleItem,
  mustTalkReminders,
  personById,
  staffName,
  unitDeductions,
  type Viewer,
} from './store.js';

/** The viewer of this update: the sender, and whether they are an admin. */
export function viewerOf(ctx: BotContext): Viewer {
  return { telegramId: ctx.person?.telegramId ?? 0, admin: ctx.person?.role === 'admin' };
}

const SEND_FILE: Record<string, { method: string; field: string }> = {
  photo: { method: 'sendPhoto', field: 'photo' },
  document: { method: 'sendDocument', field: 'document' },
  voice: { method: 'sendVoice', field: 'voice' },
  video: { method: 'sendVideo', field: 'video' },
  audio: { method: 'sendAudio', field: 'audio' },
  video_note: { method: 'sendVideoNote', field: 'video_note' },
};

/** Ids of items linked to `item` (either direction) that the viewer may see, ascending. */
async function relatedIds(ctx: BotContext, item: ItemRow, viewer: Viewer): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    ctx.db,
    sql`select distinct i.id from item_links l
        join items i on i.id = case when l.item_id = ${item.id} then l.related_id else l.item_id end
        where (l.item_id = ${item.id} or l.related_id = ${item.id})
          and (${viewer.admin} or not i.admins_only)
        order by i.id`,
  );
  return rows.map((row) => Number(row.id));
}

/** The year of `now` in the configured zone, as the integrity card counts years. */
export function cardYear(now: Date, timeZone: string): number {
  return DateTime.fromJSDate(now, { zone: timeZone }).year;
}

/** The action buttons the viewer may press on this item now. */
export function keyboardFor(ctx: BotContext, item: ItemRow) {
  const admin = ctx.person?.role === 'admin';
  return actionKeyboard(
    ctx.t,
    item,
    allowedActions(item.status as ItemStatus, { admin }),
    canAssign(item.status as ItemStatus),
  );
}

/** A one-message summary of the item's state without its text, for confirmations after an action. */
export function stateLine(ctx: BotContext, item: ItemRow): string {
  return [
    ctx.t('queue:card_header', {
      id: item.id,
      code: itemCode(item),
      unit: item.unitCode,
      domain: ctx.t(`queue:domain_${item.domain}`),
    }),
    ctx.t('queue:card_status', {
      status: statusLabel(ctx.t, item.status),
      priority: ctx.t(`queue:priority_${item.priority}`),
    }),
  ].join('\n');
}

/**
 * /show: the whole item privately — text, additions, reasons, related items, the unit head's
 * integrity card, history — with buttons for the allowed actions, then its attachments resent.
 * Every view of the text is audited as 'item.viewed'.
 */
export async function showItem(ctx: BotContext, id: number): Promise<void> {
  const viewer = viewerOf(ctx);
  const item = await loadVisibleItem(ctx.db, id, viewer);
  if (!item) {
    ctx.replyText(ctx.t('queue:not_found', { id }));
    return;
  }
  const { t } = ctx;
  const timeZone = ctx.services.config.timeZone;
  const now = ctx.services.now();
  const [unit] = await ctx.db.select().from(units).where(eq(units.code, item.unitCode));
  const unitName = unit ? (ctx.lang === 'en' ? unit.nameEn : unit.nameZh) : item.unitCode;
  const lines: string[] = [
    t('queue:card_header', {
      id: item.id,
      code: itemCode(item),
      unit: unitName,
      domain: t(`queue:domain_${item.domain}`),
    }),
    t('queue:card_status', {
      status: statusLabel(t, item.status),
      priority: t(`queue:priority_${item.priority}`),
    }),
    t('queue:card_due', {
      triage: formatTime(item.triageDueAt, timeZone, t),
      conclude: formatTime(item.concludeDueAt, timeZone, t),
    }),
    t('queue:card_source', { source: await sealedSource(ctx.db, t, item) }),
    // A notice's reference number (文号) is kept apart from its text; the section cites it.
    ...(item.reference ? [t('queue:card_reference', { reference: item.reference })] : []),
    item.reasons.length > 0
      ? t('queue:card_reasons', {
          reasons: item.reasons.map((r) => t(`queue:reason_${r}`)).join(t('queue:list_separator')),
        })
      : t('queue:card_not_must'),
  ];
  const assignee = item.assigneeId ? await personById(ctx.db, item.assigneeId) : null;
  lines.push(assignee ? t('queue:card_assignee', { name: staffName(assignee) }) : t('queue:card_unassigned'));
  if (item.forwardedAgency)
    lines.push(t('queue:card_forwarded', { agency: agencyLabel(t, item.forwardedAgency) }));
  if (item.mergedInto) lines.push(t('queue:card_merged', { into: item.mergedInto }));

  lines.push('', t('queue:card_text', { text: item.text }));
  const additions = await ctx.db
    .select()
    .from(itemAdditions)
    .where(eq(itemAdditions.itemId, item.id))
    .orderBy(asc(itemAdditions.id));
  for (const addition of additions) {
    const key = `queue:card_${addition.kind}`;
    lines.push(t(key, { at: formatTime(addition.createdAt, timeZone, t), text: addition.text }));
  }
  const attachments = await ctx.db
    .select()
    .from(itemAttachments)
    .where(eq(itemAttachments.itemId, item.id))
    .orderBy(asc(itemAttachments.id));
  if (attachments.length > 0) lines.push(t('queue:card_attachments', { count: attachments.length }));
  lines.push('');

  const related = await relatedIds(ctx, item, viewer);
  if (related.length > 0) lines.push(t('queue:card_related', { ids: related.map((r) => `#${r}`).join(' ') }));
  if (item.repeatSubject) lines.push(t('queue:card_repeat'));
  const card = pointsFlags(await unitDeductions(ctx.db, item.unitCode), cardYear(now, timeZone));
  lines.push(
    t('queue:card_points', {
      unit: item.unitCode,
      year: card.yearTotal,
      two: card.twoYearTotal,
      three: card.threeYearTotal,
    }),
  );
  if (card.flags.length > 0)
    lines.push(
      t('queue:card_points_flags', {
        flags: card.flags.map((f) => t(`queue:flag_${f}`)).join(t('queue:list_separator')),
      }),
    );
  for (const reminder of await mustTalkReminders(ctx.db, item.id)) {
    lines.push(t(reminder.doneAt ? 'queue:card_must_talk_done' : 'queue:card_must_talk_pending'));
  }
  if (item.conclusion) lines.push(...conclusionLines(ctx, item.conclusion));
  const history = await auditSummary(ctx.db, item.id);
  if (history.latest) {
    lines.push(
      t('queue:card_history', {
        count: history.total,
        action: auditActionLabel(ctx, history.latest.action),
        at: formatTime(history.latest.at, timeZone, t),
      }),
    );
  }
  const keyboard = keyboardFor(ctx, item);
  if (keyboard.length === 0) lines.push(t('queue:card_no_actions'));
  ctx.replyText(lines.join('\n'), keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {});

  const chatId = ctx.chat?.id ?? viewer.telegramId;
  for (const attachment of attachments) {
    const send = SEND_FILE[attachment.fileKind];
    if (send) ctx.out.call(chatId, send.method, { chat_id: chatId, [send.field]: attachment.fileId });
  }
  await appendAudit(ctx.db, { actorId: viewer.telegramId, action: 'item.viewed', itemId: item.id });
}

/** The conclusion as card lines: finding and measures, points and note when present. */
export function conclusionLines(ctx: BotContext, conclusion: Record<string, unknown>): string[] {
  const measures = Array.isArray(conclusion.measures) ? (conclusion.measures as string[]) : [];
  const lines = [
    ctx.t('queue:card_conclusion', {
      finding: ctx.t(`queue:finding_${String(conclusion.finding)}`),
      measures:
        measures.length > 0
          ? measures.map((m) => ctx.t(`queue:measure_${m}`)).join('、')
          : ctx.t('queue:measures_none'),
    }),
  ];
  if (typeof conclusion.points === 'number')
    lines.push(ctx.t('queue:card_conclusion_points', { points: conclusion.points }));
  if (typeof conclusion.note === 'string' && conclusion.note !== '')
    lines.push(ctx.t('queue:card_conclusion_note', { note: conclusion.note }));
  return lines;
}

/** An audit action in words ('item.accept' → 受理查办); unknown actions show their code. */
export function auditActionLabel(ctx: BotContext, action: string): string {
  const key = `queue:audit_${action.replace(/\./g, '_')}`;
  const label = ctx.t(key);
  return label === key || label === key.slice('queue:'.length) ? action : label;
}
