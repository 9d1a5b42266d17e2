import { describe, expect, it } from 'vitest';
import { OutboxBuffer } from '../../src/telegram/outbox.js';

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
