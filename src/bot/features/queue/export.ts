import { DateTime } from 'luxon';
import { appendAudit } from '../../../audit.js';
import { loadExportRows } from '../../../exports/items.js';
import { buildQueueWorkbook } from '../../../exports/xlsx.js';
import type { BotContext } from '../../context.js';

/**
 * /export: the queue as an .xlsx document sent to the asker (officers do not get admins-only items).
 * The workbook has no report text and no reporter; every export is audited.
 */
export async function exportCommand(ctx: BotContext): Promise<void> {
  if (!ctx.chat) return;
  const admin = ctx.person?.role === 'admin';
  const timeZone = ctx.services.config.timeZone;
  // Officers never see items about the Organization Department itself (conflict of interest).
  const rows = (await loadExportRows(ctx.db)).filter((row) => admin || !row.admins_only);
  const bytes = await buildQueueWorkbook(rows, timeZone);
  const day = DateTime.fromJSDate(ctx.services.now(), { zone: timeZone }).toFormat('yyyyMMdd');
  ctx.out.sendFile(
    ctx.chat.id,
    'sendDocument',
    { field: 'document', name: `queue-${day}.xlsx`, bytes },
    { caption: ctx.t('queue:export_caption', { count: rows.length }), parse_mode: 'HTML' },
  );
  await appendAudit(ctx.db, {
    actorId: ctx.person?.telegramId ?? null,
    action: 'export',
    details: { format: 'xlsx', items: rows.length, adminsOnlyIncluded: admin },
  });
}
