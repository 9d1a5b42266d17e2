import { MAX_TEXT_LENGTH, sanitizeText } from './tip-code.js';

/** Most attachments one item may carry. */
export const MAX_ATTACHMENTS = 10;
/** Most items one person may create within FLOOD_WINDOW_MS. */
export const FLOOD_LIMIT = 20;
/** The window of the flood limit: one hour. */
export const FLOOD_WINDOW_MS = 60 * 60 * 1000;
/** The same text from the same person within this window is the same item. */
export const DUPLICATE_WINDOW_MS = 60 * 1000;
/** Most items a new one is linked to: the newest of its unit and domain within the routing window. */
export const MAX_RELATED_LINKS = 50;

/** A text as it will be stored, or why it cannot be. */
export type TextCheck =
  | { ok: true; text: string }
  | { ok: false; reason: 'missing_text' }
  | { ok: false; reason: 'text_too_long'; length: number; max: number };

/** Sanitises and trims a report's or an addition's text; refuses an empty one or one over MAX_TEXT_LENGTH code points. */
export function checkText(raw: string): TextCheck {
  const text = sanitizeText(raw).trim();
  if (text === '') return { ok: false, reason: 'missing_text' };
  const length = Array.from(text).length;
  if (length > MAX_TEXT_LENGTH) return { ok: false, reason: 'text_too_long', length, max: MAX_TEXT_LENGTH };
  return { ok: true, text };
}

/** Whether one more item would exceed the flood limit, given how many the person sent within the window. */
export function isFlooding(recentItems: number): boolean {
  return recentItems >= FLOOD_LIMIT;
}
