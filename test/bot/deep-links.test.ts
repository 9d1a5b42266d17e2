import { describe, expect, it } from 'vitest';
import { type DeepLinkHandler, matchDeepLink, registerDeepLink } from '../../src/bot/deep-links.js';

const handler = (name: string): DeepLinkHandler => ({ audience: ['officer'], handle: () => void name });

describe('deep links', () => {
  const show = handler('show');
  const item = handler('item');
  registerDeepLink('show', show);
  registerDeepLink('item', item);

  it('finds the handler of a registered prefix and passes the rest as the argument', () => {
    expect(matchDeepLink('show-12')).toEqual({ handler: show, argument: '12' });
    expect(matchDeepLink('item-F-HPZ_2')).toEqual({ handler: item, argument: 'F-HPZ_2' });
    expect(matchDeepLink(`show-${'a'.repeat(40)}`)).toEqual({ handler: show, argument: 'a'.repeat(40) });
  });

  it('matches nothing for an unknown prefix, a missing or too long argument, or any other shape', () => {
    for (const payload of [
      'other-12',
      'show-',
      'show',
      `show-${'a'.repeat(41)}`,
      'Show-12',
      'show-1 2',
      'show-12!',
      '-12',
      ' show-12',
      '',
      'abcdef0123456789abcdef0123456789', // an invite token is not a deep link
    ]) {
      expect(matchDeepLink(payload), payload).toBeNull();
    }
  });

  it('refuses a prefix other than lowercase letters, and replaces a handler registered again', () => {
    for (const prefix of ['', 'Show', 'sh-ow', 'show1', 'шоу']) {
      expect(() => registerDeepLink(prefix, show), prefix).toThrow(/invalid deep link prefix/);
    }
    const again = handler('show again');
    registerDeepLink('show', again);
    expect(matchDeepLink('show-3')?.handler).toBe(again);
  });
});
