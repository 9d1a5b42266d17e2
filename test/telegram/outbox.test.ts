import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, OutboxBuffer, splitText } from '../../src/telegram/outbox.js';

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('你好')).toEqual(['你好']);
  });

  it('splits at line breaks so each piece fits', () => {
    const line = 'x'.repeat(1000);
    const text = Array.from({ length: 9 }, () => line).join('\n');
    const pieces = splitText(text);
    expect(pieces.length).toBe(3);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(pieces.join('\n')).toBe(text);
  });

  it('cuts a single overlong line without splitting a surrogate pair', () => {
    const text = '😀'.repeat(3000);
    const pieces = splitText(text);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    expect(pieces.join('')).toBe(text);
  });

  it('never loses a character and never exceeds the limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 700 }), { maxLength: 30 }),
        fc.integer({ min: 10, max: 500 }),
        (lines, limit) => {
          const text = lines.join('\n');
          const pieces = splitText(text, limit);
          for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(limit);
          expect(pieces.join('').replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
        },
      ),
    );
  });
});

describe('OutboxBuffer', () => {
  it('puts the buttons under the last piece of a long message only', () => {
    const out = new OutboxBuffer();
    const keyboard = { inline_keyboard: [[{ text: 'ok', callback_data: 'x' }]] };
    out.sendText(1, `${'a'.repeat(4000)}\n${'b'.repeat(4000)}`, { reply_markup: keyboard }, 'receipt:1');
    expect(out.messages).toHaveLength(2);
    expect(out.messages[0]?.payload.reply_markup).toBeUndefined();
    expect(out.messages[0]?.ref).toBeUndefined();
    expect(out.messages[1]?.payload.reply_markup).toEqual(keyboard);
    expect(out.messages[1]?.ref).toBe('receipt:1');
    expect(out.messages[1]?.payload.parse_mode).toBe('HTML');
  });
});
