import { FLOOD_LIMIT } from '../../../domain/limits.js';
import type { Language } from '../../../i18n.js';
import { translatorFor } from '../../../i18n.js';
import type { CreateItemOutcome } from '../../../items/creation.js';
import { unitNameFor } from '../../../items/summary.js';
import { domainName, sourceKindName } from '../../../labels.js';
import type { OutboxBuffer } from '../../../telegram/outbox.js';

/** Where a reply to the person who sent an item goes, and in which language. */
export interface ReplyTo {
  chatId: number;
  language: Language;
}

/** The outbox ref of a receipt (and of the "already received" notice), so a reply to it adds to the item. */
export function receiptRef(itemId: number): string {
  return `receipt:${itemId}`;
}

/**
 * The item number in a `receipt:<id>` ref (or a `feedback:<id>` one: the filed notice invites a reply
 * with anything new), or null for any other ref.
 */
export function itemIdOfReceiptRef(ref: string | null): number | null {
  const match = ref ? /^(?:receipt|feedback):(\d{1,9})$/.exec(ref) : null;
  const id = match ? Number(match[1]) : 0;
  return id > 0 ? id : null;
}

/**
 * Sends (through the outbox) the reply to a new item: the receipt (number, the code in words, what happens next; for a
 * logged report its source), the "already received" notice for a resend, or exactly why it was refused.
 */
export function replyToNewItem(
  out: OutboxBuffer,
  replyTo: ReplyTo,
  outcome: CreateItemOutcome,
  sent: { byReporter: boolean; signed: boolean; reference?: string | null },
): void {
  const t = translatorFor(replyTo.language);
  if (outcome.kind === 'refused') {
    const text =
      outcome.reason === 'missing_text'
        ? t('tips:error_missing_text')
        : outcome.reason === 'text_too_long'
          ? t('tips:error_text_too_long', { length: outcome.length, max: outcome.max })
          : outcome.reason === 'too_many_attachments'
            ? t('tips:too_many_attachments', { max: outcome.max })
            : t('tips:flood', { max: FLOOD_LIMIT });
    out.sendText(replyTo.chatId, text);
    return;
  }
  const { item } = outcome;
  if (outcome.kind === 'duplicate') {
    out.sendText(replyTo.chatId, t('tips:duplicate', { id: item.id }), {}, receiptRef(item.id));
    return;
  }
  const about = {
    id: item.id,
    code: item.code,
    domain: domainName(t, item.domain, 'long'),
    unit: unitNameFor(item, replyTo.language),
  };
  const lines: string[] = [];
  if (!sent.byReporter) {
    lines.push(t('tips:logged_number', about));
    lines.push(
      t('tips:logged_source', {
        source: sourceKindName(t, item.sourceKind, 'channel'),
        signed: t(sent.signed ? 'tips:signed_yes' : 'tips:signed_no'),
      }),
    );
  } else {
    lines.push(t('tips:receipt_number', about), t('tips:receipt_code', about));
    if (sent.reference) lines.push(t('tips:receipt_reference', { reference: sent.reference }));
    if (outcome.attachments > 0) lines.push(t('tips:receipt_attachments', { count: outcome.attachments }));
    lines.push('', t('tips:receipt_next'), t('tips:receipt_add_hint', { id: item.id }));
  }
  // A receipt names the unit and the power a report is about: protected from forwarding, like the report.
  out.sendText(replyTo.chatId, lines.join('\n'), { protect_content: true }, receiptRef(item.id));
}
