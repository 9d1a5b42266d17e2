import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/i18n.js';
import { htmlToPlainText, MAX_MESSAGE_LENGTH, splitHtml } from '../../src/telegram/html.js';
import { parseTelegramHtml } from '../support/telegram-html.js';

/** The text Telegram would show for a piece; fails the test when Telegram would refuse it. */
function shown(piece: string): string {
  const parsed = parseTelegramHtml(piece);
  if (!parsed.ok) throw new Error(`${parsed.error}: ${piece.slice(0, 200)}`);
  return parsed.text;
}

describe('splitHtml', () => {
  it('keeps a short text whole', () => {
    expect(splitHtml('你好')).toEqual(['你好']);
  });

  it('splits at line breaks so each piece fits', () => {
    const line = 'x'.repeat(1000);
    const text = Array.from({ length: 9 }, () => line).join('\n');
    const pieces = splitHtml(text);
    expect(pieces.length).toBe(3);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(pieces.join('\n')).toBe(text);
  });

  it('cuts a single overlong line without splitting a surrogate pair', () => {
    const text = '😀'.repeat(3000);
    const pieces = splitHtml(text);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    expect(pieces.join('')).toBe(text);
  });

  it('never cuts an entity: a long line of escaped markup stays valid in every piece', () => {
    // The old splitter cut `…a&lt;b&amp` | `;c&gt;…` here.
    const text = escapeHtml(`x${'a<b&c>'.repeat(1200)}`);
    const pieces = splitHtml(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(pieces.map(shown).join('')).toBe(`x${'a<b&c>'.repeat(1200)}`);
  });

  it('closes a formatted block at the cut and opens it again in the next piece', () => {
    const body = '举报'.repeat(3000);
    const text = `<b>标题</b>\n<blockquote><a href="https://t.me/x?start=1&amp;y">${body}</a></blockquote>`;
    const pieces = splitHtml(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(pieces[1]).toMatch(/^<blockquote><a href="https:\/\/t.me\/x\?start=1&amp;y">/);
    expect(pieces.map(shown).join('').replace(/\n/g, '')).toBe(`标题${body}`);
  });

  it('gives Telegram only valid pieces within the limit and loses no character (property)', () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 300 }).map(escapeHtml),
      fc.string({ maxLength: 200 }).map((inner) => `<b>${escapeHtml(inner)}</b>`),
      fc
        .string({ maxLength: 200 })
        .map((inner) => `<i>x<code>${escapeHtml(inner)}</code>\n${escapeHtml(inner)}</i>`),
      fc.constant('\n'),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 40 }), fc.integer({ min: 60, max: 600 }), (parts, limit) => {
        const text = parts.join('');
        const pieces = splitHtml(text, limit);
        for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(limit);
        const strip = (value: string) => value.replace(/\s/g, '');
        expect(strip(pieces.map(shown).join(''))).toBe(strip(shown(text)));
      }),
    );
  });
});

describe('htmlToPlainText', () => {
  it('drops the tags and decodes the entities, as a reader would see the text', () => {
    expect(
      htmlToPlainText('<b>#12</b> a&lt;b&amp;c&gt; &quot;q&quot; &#20013;&#x6587; <a href="x">link</a>'),
    ).toBe('#12 a<b&c> "q" 中文 link');
  });

  it('leaves what is not an entity or a tag Telegram knows as it is', () => {
    expect(htmlToPlainText('AT&T &nbsp; &#xD800; /show <number>')).toBe(
      'AT&T &nbsp; &#xD800; /show <number>',
    );
  });
});
