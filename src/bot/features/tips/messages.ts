import type { TFunction } from 'i18next';
import type { Message } from 'telegraf/types';
import type { CodeError, UnitRef } from '../../../domain/tip-code.js';
import type { AttachmentInput } from '../../../items/store.js';

/** Longest piece of a mistyped code echoed back: a unit name or code fits, a sentence does not. */
const MAX_ECHO = 12;

/** Whether a mistyped piece is short enough to quote back without repeating part of a report. */
function echoable(input: string): boolean {
  return Array.from(input).length <= MAX_ECHO && !input.endsWith('…');
}

/** Which command's example an error shows. */
export type ExampleKind = 'tip' | 'notice' | 'log';

/** A correct example of the command, in a copyable <code> block. */
export function exampleText(t: TFunction, example: ExampleKind): string {
  return `${t('tips:example_intro')}\n<code>${t(`tips:example_${example}`)}</code>`;
}

/**
 * The reply to a refused code or text: exactly what is wrong, up to three unit suggestions
 * (code and Chinese name) for an unknown unit, and a correct example.
 */
export function codeErrorText(
  t: TFunction,
  error: CodeError,
  example: ExampleKind,
  directory: readonly UnitRef[],
): string {
  const lines: string[] = [];
  switch (error.kind) {
    case 'missing_code':
    case 'missing_text':
      lines.push(t(`tips:error_${error.kind}`));
      break;
    case 'malformed_code':
      // Not echoed: without a code, the start of the message may be the report itself.
      lines.push(t('tips:error_malformed_code'));
      break;
    case 'unknown_domain':
      lines.push(
        echoable(error.input)
          ? t('tips:error_unknown_domain', { input: error.input })
          : t('tips:error_unknown_domain_plain'),
      );
      break;
    case 'unknown_unit': {
      lines.push(
        echoable(error.input)
          ? t('tips:error_unknown_unit', { input: error.input })
          : t('tips:error_unknown_unit_plain'),
      );
      const suggestions = error.suggestions
        .slice(0, 3)
        .map((code) => directory.find((unit) => unit.code === code))
        .filter((unit): unit is UnitRef => unit !== undefined);
      if (suggestions.length > 0) {
        lines.push(t('tips:error_unknown_unit_suggest'));
        for (const unit of suggestions)
          lines.push(t('tips:suggestion_line', { code: unit.code, name: unit.nameZh }));
      }
      break;
    }
    case 'text_too_long':
      lines.push(t('tips:error_text_too_long', { length: error.length, max: error.max }));
      break;
  }
  lines.push('', exampleText(t, example));
  return lines.join('\n');
}

/** The file a message carries (the largest size of a photo), as an attachment; null when none. */
export function attachmentOf(message: Message): AttachmentInput | null {
  if ('photo' in message && message.photo.length > 0) {
    const largest = message.photo[message.photo.length - 1];
    if (!largest) return null;
    return {
      fileKind: 'photo',
      fileId: largest.file_id,
      fileUniqueId: largest.file_unique_id,
      fileSize: largest.file_size ?? null,
    };
  }
  for (const fileKind of ['document', 'voice', 'video', 'audio', 'video_note'] as const) {
    if (fileKind in message) {
      const file = (
        message as unknown as Record<string, { file_id: string; file_unique_id: string; file_size?: number }>
      )[fileKind];
      if (file) {
        return {
          fileKind,
          fileId: file.file_id,
          fileUniqueId: file.file_unique_id,
          fileSize: file.file_size ?? null,
        };
      }
    }
  }
  return null;
}

/** The caption of a media message, or null. */
export function captionOf(message: Message): string | null {
  return 'caption' in message && typeof message.caption === 'string' ? message.caption : null;
}
