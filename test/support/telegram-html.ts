// Telegram's HTML parse mode, as the strict fake Bot API enforces it: written from the Bot API's
// "HTML style" rules and the error texts Telegram answers, independently of the bot's own HTML
// helpers (src/telegram/html.ts), so a bug there cannot hide behind the same bug here.

/** The outcome of parsing a text in HTML parse mode: the plain text Telegram would show, or its error. */
export type HtmlParse = { ok: true; text: string } | { ok: false; error: string };

// The tags the Bot API accepts (https://core.telegram.org/bots/api#html-style). span only as a
// spoiler, tg-emoji only with an emoji-id, a only with an href.
const SIMPLE_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'tg-spoiler',
  'code',
  'pre',
  'blockquote',
]);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * Parses `html` the way Telegram does in parse_mode HTML, more strictly where the Bot API's rules
 * say so: every `<`, `>` and `&` outside a tag or an entity must be escaped, only the four named
 * entities and numeric ones exist, tags must be supported, closed and properly nested.
 */
export function parseTelegramHtml(html: string): HtmlParse {
  const bytesBefore = (index: number) => Buffer.byteLength(html.slice(0, index), 'utf8');
  const open: string[] = [];
  let text = '';
  let index = 0;
  while (index < html.length) {
    const char = html[index]!;
    if (char === '&') {
      const entity = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/.exec(html.slice(index, index + 12));
      if (!entity) {
        return {
          ok: false,
          error: `Can't parse entities: character entity expected at byte offset ${bytesBefore(index)}`,
        };
      }
      const name = entity[1]!;
      if (name.startsWith('#')) {
        const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) {
          return {
            ok: false,
            error: `Can't parse entities: invalid character entity at byte offset ${bytesBefore(index)}`,
          };
        }
        text += String.fromCodePoint(code);
      } else {
        const value = NAMED_ENTITIES[name];
        if (value === undefined) {
          return {
            ok: false,
            error: `Can't parse entities: unsupported entity "&${name};" at byte offset ${bytesBefore(index)}`,
          };
        }
        text += value;
      }
      index += entity[0].length;
      continue;
    }
    if (char === '>') {
      return { ok: false, error: `Can't parse entities: unescaped ">" at byte offset ${bytesBefore(index)}` };
    }
    if (char !== '<') {
      text += char;
      index += 1;
      continue;
    }
    const end = html.indexOf('>', index);
    if (end < 0) {
      return {
        ok: false,
        error: `Can't parse entities: unclosed start tag at byte offset ${bytesBefore(index)}`,
      };
    }
    const inside = html.slice(index + 1, end);
    if (inside.startsWith('/')) {
      const name = inside.slice(1).trim().toLowerCase();
      const expected = open.pop();
      if (expected === undefined) {
        return {
          ok: false,
          error: `Can't parse entities: unexpected end tag at byte offset ${bytesBefore(index)}`,
        };
      }
      if (name !== expected) {
        return {
          ok: false,
          error: `Can't parse entities: unmatched end tag at byte offset ${bytesBefore(index)}, expected "</${expected}>", found "</${name}>"`,
        };
      }
    } else {
      const tag =
        /^([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'|[^\s"'<>]+))?)*)\s*$/.exec(
          inside,
        );
      const name = tag?.[1]?.toLowerCase() ?? inside.split(/\s/)[0] ?? '';
      if (!tag) {
        return {
          ok: false,
          error: `Can't parse entities: unsupported start tag "${name}" at byte offset ${bytesBefore(index)}`,
        };
      }
      const attributes = parseAttributes(tag[2] ?? '');
      const supported =
        SIMPLE_TAGS.has(name) ||
        (name === 'span' && attributes.class === 'tg-spoiler') ||
        (name === 'a' && typeof attributes.href === 'string') ||
        (name === 'tg-emoji' && typeof attributes['emoji-id'] === 'string');
      if (!supported) {
        return {
          ok: false,
          error: `Can't parse entities: unsupported start tag "${name}" at byte offset ${bytesBefore(index)}`,
        };
      }
      open.push(name);
    }
    index = end + 1;
  }
  if (open.length > 0) {
    return {
      ok: false,
      error: `Can't parse entities: can't find end tag corresponding to start tag "${open[open.length - 1]}"`,
    };
  }
  return { ok: true, text };
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(/([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+)))?/g)) {
    attributes[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? match[4] ?? '';
  }
  return attributes;
}

/**
 * The text Telegram would show for `text` sent with `parseMode` (HTML checked by parseTelegramHtml;
 * MarkdownV2 only unescaped), or the error it would answer.
 */
export function parseFormatted(text: string, parseMode: unknown): HtmlParse {
  const mode = typeof parseMode === 'string' ? parseMode.toLowerCase() : '';
  if (mode === 'html') return parseTelegramHtml(text);
  if (mode === 'markdownv2' || mode === 'markdown') return { ok: true, text: text.replace(/\\(.)/g, '$1') };
  if (mode !== '') return { ok: false, error: `unsupported parse_mode "${String(parseMode)}"` };
  return { ok: true, text };
}
