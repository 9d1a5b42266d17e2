import type { Message } from 'telegraf/types';
import { parseTip } from '../../../domain/tip-code.js';
import type { AttachmentInput } from '../../../items/store.js';
import { loadUnits } from '../../../units/directory.js';
import type { BotContext } from '../../context.js';
import { offerCodedTip, startGuidedTip, type TipData } from './guided.js';
import { codeErrorText } from './messages.js';

/** Shorter free text is more likely a question ("怎么弄？") than the report itself. */
const MIN_REPORT_LENGTH = 15;

/** True when a text begins like a code (`F-HPZ`, `财权－鹤浦镇`): letters or Han, a separator, more. */
export function startsWithCode(text: string): boolean {
  return /^\s*[\p{L}]{1,8}\s*[-－–—‐‑−:：]\s*\S/u.test(text);
}

/** Whether free text reads as the report itself rather than a question about how to send one. */
function looksLikeReport(text: string): boolean {
  const trimmed = text.trim();
  return Array.from(trimmed).length >= MIN_REPORT_LENGTH && !/[?？吗]$/u.test(trimmed);
}

/**
 * A reporter's message outside any dialogue that is neither a command nor a reply to a receipt: nothing
 * they sent is thrown away, and the answer always says what to do next.
 * - text starting with a valid code (`F-HPZ 镇长…`, `F HPZ …`): the tip, shown for one tap on Submit;
 * - text starting with a broken code: exactly what to fix, and that /tip alone walks them through it;
 * - other text, a voice message, a photo or file without a code: the guided /tip, keeping what they
 *   sent (the text as the report, the file as its first attachment).
 * Returns false for what carries nothing to report (a sticker, a location, a contact).
 */
export async function offerAsTip(
  ctx: BotContext,
  message: Message,
  attachment: AttachmentInput | null,
  caption: string | null,
): Promise<boolean> {
  const typed = 'text' in message ? message.text : null;
  const words = typed ?? caption;
  if (words !== null && startsWithCode(words)) {
    const directory = await loadUnits(ctx.db);
    const parsed = parseTip(words, directory);
    if (parsed.ok) {
      await offerCodedTip(ctx, {
        domain: parsed.domain,
        unitCode: parsed.unitCode,
        text: parsed.text,
        attachments: attachment ? [attachment] : [],
      });
      return true;
    }
    ctx.replyText(`${codeErrorText(ctx.t, parsed.error, 'tip', directory)}\n\n${ctx.t('tips:or_guided')}`);
    return true;
  }
  if (typed !== null) {
    const parsed = parseTip(typed, await loadUnits(ctx.db));
    if (parsed.ok) {
      // `F HPZ …` (a space for the dash) or an English unit name: a code all the same.
      await offerCodedTip(ctx, { ...parsed, attachments: [] });
      return true;
    }
    if (looksLikeReport(typed)) {
      await startGuidedTip(ctx, ctx.t('tips:offer_text'), { text: typed.trim() });
    } else {
      await startGuidedTip(ctx, ctx.t('tips:offer_help'));
    }
    return true;
  }
  if (attachment) {
    const data: TipData = { attachments: [attachment] };
    if (caption !== null && caption.trim() !== '') data.text = caption.trim();
    await startGuidedTip(ctx, ctx.t('tips:offer_attachment'), data);
    return true;
  }
  return false;
}
