import { describe, expect, it } from 'vitest';
import { LANGUAGES, loadLocaleResources, translatorFor } from '../src/i18n.js';
import { keysOf, lookup } from './support/locale-keys.js';
import { parseTelegramHtml } from './support/telegram-html.js';

// Every text is sent with parse_mode HTML, and Telegram refuses the whole message when one
// placeholder looks like a tag (`/show <number>` answers "Unsupported start tag "number""): the
// person then gets nothing at all. So every key, in both languages, with awkward values, must be
// HTML that Telegram accepts.

// Values a real message can carry: markup characters, long Chinese, nothing at all.
const AWKWARD_VALUES = ['a<b & c>d "q" \'s\'', '镇长在防波堤工程中指定施工方'.repeat(20), '', '0', '12'];

const resources = loadLocaleResources();

describe('every locale text is HTML that Telegram accepts', () => {
  for (const language of LANGUAGES) {
    const t = translatorFor(language);
    for (const namespace of Object.keys(resources[language] ?? {})) {
      it(`${language} ${namespace}`, () => {
        const refused: string[] = [];
        const tree = resources[language]?.[namespace];
        for (const key of keysOf(tree)) {
          const raw = lookup(tree, key);
          const names = [...raw.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((match) => match[1] as string);
          for (const value of AWKWARD_VALUES) {
            const values = Object.fromEntries(names.map((name) => [name, value]));
            const text = t(`${namespace}:${key}`, values) as string;
            const parsed = parseTelegramHtml(text);
            if (!parsed.ok)
              refused.push(`${namespace}:${key} with ${JSON.stringify(value.slice(0, 24))}: ${parsed.error}`);
          }
        }
        expect(refused).toEqual([]);
      });
    }
  }

  it('the check refuses what Telegram refuses', () => {
    expect(parseTelegramHtml('Usage: /show <number>').ok).toBe(false);
    expect(parseTelegramHtml('<b>open').ok).toBe(false);
    expect(parseTelegramHtml('<b><i>x</b></i>').ok).toBe(false);
    expect(parseTelegramHtml('a & b').ok).toBe(false);
    expect(parseTelegramHtml('a &nbsp; b').ok).toBe(false);
    expect(parseTelegramHtml('x > y').ok).toBe(false);
    expect(parseTelegramHtml('<span>x</span>').ok).toBe(false);
    expect(parseTelegramHtml('<a>x</a>').ok).toBe(false);
  });

  it('the check accepts what Telegram accepts, and gives the text Telegram shows', () => {
    expect(
      parseTelegramHtml(
        '<b>1</b><strong>2</strong><i>3</i><em>4</em><u>5</u><ins>6</ins><s>7</s><strike>8</strike><del>9</del>' +
          '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler><a href="https://t.me/x?start=1&amp;b">c</a>' +
          '<code>d</code><pre><code class="language-ts">e</code></pre><blockquote expandable>f</blockquote>' +
          '&lt;&gt;&amp;&quot;&#20013;&#x6587;‹number›',
      ),
    ).toEqual({ ok: true, text: '123456789abcdef<>&"中文‹number›' });
  });
});
