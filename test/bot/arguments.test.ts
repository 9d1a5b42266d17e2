import { describe, expect, it } from 'vitest';
import { intArg, itemNumberArgument, itemNumberOnly } from '../../src/bot/arguments.js';

describe('item number arguments', () => {
  it('reads 12, #12 and # 12 with what follows, trimmed', () => {
    expect(itemNumberArgument('12 when did it start?')).toEqual({ id: 12, rest: 'when did it start?' });
    expect(itemNumberArgument('  #12   text\nmore ')).toEqual({ id: 12, rest: 'text\nmore' });
    expect(itemNumberArgument('# 7')).toEqual({ id: 7, rest: '' });
    expect(itemNumberArgument('#12text')).toBeNull();
    expect(itemNumberArgument('twelve')).toBeNull();
    expect(itemNumberArgument('0 text')).toBeNull();
    expect(itemNumberArgument('1234567890 text')).toBeNull();
  });

  it('takes a bare number only when nothing follows', () => {
    expect(itemNumberOnly('#12')).toBe(12);
    expect(itemNumberOnly(' 12 ')).toBe(12);
    expect(itemNumberOnly('12 more')).toBeNull();
    expect(itemNumberOnly('')).toBeNull();
  });

  it('reads a positive deep-link argument', () => {
    expect(intArg('12')).toBe(12);
    expect(intArg('0')).toBeNull();
    expect(intArg('12a')).toBeNull();
    expect(intArg(undefined)).toBeNull();
  });
});
