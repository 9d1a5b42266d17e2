import { describe, expect, it } from 'vitest';
import { checkText, FLOOD_LIMIT, isFlooding } from '../../src/domain/limits.js';
import { MAX_TEXT_LENGTH } from '../../src/domain/tip-code.js';

describe('intake limits', () => {
  it('stores a sanitised, trimmed text of 1 to 4000 code points', () => {
    expect(checkText('  镇长 \u0007指定施工方 ')).toEqual({ ok: true, text: '镇长 指定施工方' });
    expect(checkText(' \u0007 ')).toEqual({ ok: false, reason: 'missing_text' });
    expect(checkText('字'.repeat(MAX_TEXT_LENGTH))).toMatchObject({ ok: true });
    expect(checkText('😀'.repeat(MAX_TEXT_LENGTH + 1))).toEqual({
      ok: false,
      reason: 'text_too_long',
      length: MAX_TEXT_LENGTH + 1,
      max: MAX_TEXT_LENGTH,
    });
  });

  it('floods at the limit, not before', () => {
    expect(isFlooding(FLOOD_LIMIT - 1)).toBe(false);
    expect(isFlooding(FLOOD_LIMIT)).toBe(true);
  });
});
