import { BUTTONS } from '../../../buttons.js';
import { openItemCard } from '../../../items/card.js';
import { itemCode } from '../../../items/summary.js';
import { agencyName, domainName, priorityName, unitName } from '../../../labels.js';
import { staffName } from '../../../people/store.js';
import type { BotContext } from '../../context.js';
import { headLabel, obligationLine } from '../heads/render.js';
import { formatTime, keyboardFor, sourceText, statusLabel, viewerOf } from './render.js';

const SEND_FILE: Record<string, { method: string; field: string }> = {
  photo: { method: 'sendPhoto', field: 'photo' },
  document: { method: 'sendDocument', field: 'document' },
  voice: { method: 'sendVoice', field: 'voice' },
  video: { method: 'sendVideo', field: 'video' },
  audio: { method: 'sendAudio', field: 'audio' },
  video_note: { method: 'sendVideoNote', field: 'video_note' },
};

/**
 * /show: the whole item privately — text, additions, reasons, related items, the head it is about
 * with their integrity card, the talks and audits it raised, history — with buttons for the allowed actions, then its attachments resent.
 */
export async function showItem(ctx: BotContext, id: number): Promise<void> {
  const viewer = viewerOf(ctx);
  const timeZone = ctx.services.config.timeZone;
  const card = await openItemCard(ctx.db, id, viewer, { now: ctx.services.now(), timeZone });
  if (!card) {
    ctx.replyText(ctx.t('queue:not_found', { id }));
    return;
  }
  const { t } = ctx;
  const { item, unit } = card;
  const lines: string[] = [
    t('queue:card_header', {
      id: item.id,
      code: itemCode(item.domain, item.unitCode),
      unit: unit ? unitName(unit, ctx.lang) : item.unitCode,
      domain: domainName(t, item.domain),
    }),
    t('queue:card_status', {
      status: statusLabel(t, item.status),
      priority: priorityName(t, item.priority),
    }),
    t('queue:card_due', {
      triage: formatTime(item.triageDueAt, timeZone, t),
      conclude: formatTime(item.concludeDueAt, timeZone, t),
    }),
    t('queue:card_source', { source: sourceText(t, card.source) }),
    // A notice's reference number (文号) is kept apart from its text; the section cites it.
    ...(item.reference ? [t('queue:card_reference', { reference: item.reference })] : []),
    item.reasons.length > 0
      ? t('queue:card_reasons', {
          reasons: item.reasons.map((r) => t(`queue:reason_${r}`)).join(t('queue:list_separator')),
        })
      : t('queue:card_not_must'),
  ];
  lines.push(
    card.assignee ? t('queue:card_assignee', { name: staffName(card.assignee) }) : t('queue:card_unassigned'),
  );
  if (item.forwardedAgency)
    lines.push(t('queue:card_forwarded', { agency: agencyName(t, item.forwardedAgency) }));
  if (item.mergedInto) lines.push(t('queue:card_merged', { into: item.mergedInto }));

  // What the reporter added since this viewer last opened the item is marked (nothing the first time).
  const fresh = new Set(card.news?.additionIds ?? []);
  const freshFiles = Math.min(card.news?.attachments ?? 0, card.attachments.length);
  lines.push('');
  if (fresh.size > 0 || freshFiles > 0) lines.push(t('queue:card_new_since'));
  lines.push(t('queue:card_text', { text: item.text }));
  for (const addition of card.additions) {
    const key = `queue:card_${addition.kind}`;
    const line = t(key, { at: formatTime(addition.createdAt, timeZone, t), text: addition.text });
    lines.push(fresh.has(addition.id) ? `${t('queue:card_new_mark')}${line}` : line);
  }
  if (card.attachments.length > 0)
    lines.push(
      freshFiles > 0
        ? t('queue:card_attachments_new', { count: card.attachments.length, fresh: freshFiles })
        : t('queue:card_attachments', { count: card.attachments.length }),
    );
  lines.push('');

  if (card.related.length > 0)
    lines.push(t('queue:card_related', { ids: card.related.map((r) => `#${r}`).join(' ') }));
  if (item.repeatSubject) lines.push(t('queue:card_repeat'));
  lines.push(
    t('queue:card_head', {
      unit: unit ? unitName(unit, ctx.lang) || item.unitCode : item.unitCode,
      head: headLabel(t, card.head.name, card.head.title),
    }),
    t('queue:card_points', {
      year: card.head.card.yearTotal,
      two: card.head.card.twoYearTotal,
      three: card.head.card.threeYearTotal,
    }),
  );
  if (card.head.card.flags.length > 0)
    lines.push(
      t('queue:card_points_flags', {
        flags: card.head.card.flags.map((f) => t(`queue:flag_${f}`)).join(t('queue:list_separator')),
      }),
    );
  for (const obligation of card.obligations) lines.push(obligationLine(t, obligation));
  if (item.conclusion) lines.push(...conclusionLines(ctx, item.conclusion));
  if (card.history.latest) {
    lines.push(
      t('queue:card_history', {
        count: card.history.total,
        action: auditActionLabel(ctx, card.history.latest.action),
        at: formatTime(card.history.latest.at, timeZone, t),
      }),
    );
  }
  const keyboard = keyboardFor(ctx, item);
  if (keyboard.length === 0) lines.push(t('queue:card_no_actions'));
  // A question to the reporter, relayed without either learning who the other is (as /ask).
  if (card.askable)
    keyboard.push([
      { text: t('queue:action_ask'), callback_data: BUTTONS.askReporter.encode({ id: item.id }) },
    ]);
  // Whom the item is about may be corrected whatever its status (it names the head in digests and exports).
  keyboard.push([
    {
      text: t('queue:action_head'),
      callback_data: BUTTONS.headChoices.encode({ id: item.id, version: item.version }),
    },
  ]);
  // The card carries the report's text and the reporter's answers, and the files are its evidence:
  // Telegram's protect_content keeps them from being forwarded or saved out of the chat.
  ctx.replyText(lines.join('\n'), {
    protect_content: true,
    ...(keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {}),
  });

  const chatId = ctx.chat?.id ?? viewer.telegramId;
  for (const attachment of card.attachments) {
    const send = SEND_FILE[attachment.fileKind];
    if (send)
      ctx.out.call(chatId, send.method, {
        chat_id: chatId,
        [send.field]: attachment.fileId,
        protect_content: true,
      });
  }
}

/** The conclusion as card lines: finding and measures, points and note when present. */
export function conclusionLines(ctx: BotContext, conclusion: Record<string, unknown>): string[] {
  const measures = Array.isArray(conclusion.measures) ? (conclusion.measures as string[]) : [];
  const words = [
    ...measures.map((m) => ctx.t(`queue:measure_${m}`)),
    ...(conclusion.investigated === true ? [ctx.t('queue:investigated')] : []),
  ];
  const lines = [
    ctx.t('queue:card_conclusion', {
      finding: ctx.t(`queue:finding_${String(conclusion.finding)}`),
      measures:
        words.length > 0 ? words.join(ctx.t('queue:measure_separator')) : ctx.t('queue:measures_none'),
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
