// Telegram's HTML parse mode from the sending side: cutting a long text into messages without
// breaking an entity or a tag, and the plain text to fall back on when Telegram refuses the markup.

/** Telegram's limit on one text message. */
export const MAX_MESSAGE_LENGTH = 4096;

// One token at a time: a tag, an entity, a line break, or one code point of text (the `u` flag
// keeps surrogate pairs whole). A stray `<` or `&` is a token of its own, so nothing is skipped.
const TOKEN =
  /<\/?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>|&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,8});|\n|[\s\S]/gu;
const OPEN_TAG = /^<([a-zA-Z][a-zA-Z0-9-]*)/;
const CLOSE_TAG = /^<\/([a-zA-Z][a-zA-Z0-9-]*)/;

interface OpenTag {
  name: string;
  /** The start tag as written, attributes included, to open it again in the next piece. */
  source: string;
}

const closers = (open: readonly OpenTag[]) =>
  open
    .map((tag) => `</${tag.name}>`)
    .reverse()
    .join('');
const openers = (open: readonly OpenTag[]) => open.map((tag) => tag.source).join('');

/**
 * Splits an HTML text into pieces of at most `limit` characters, at line breaks where possible,
 * so each piece is a message Telegram accepts: never inside a tag, an entity or a surrogate pair,
 * and a formatted span that has to be cut is closed at the end of one piece and opened again at
 * the start of the next.
 */
export function splitHtml(html: string, limit = MAX_MESSAGE_LENGTH): string[] {
  if (html.length <= limit) return [html];
  const pieces: string[] = [];
  let current = '';
  let open: OpenTag[] = [];
  // The last line break in `current`: where to cut, and which tags were open there.
  let lastBreak: { at: number; open: OpenTag[] } | undefined;

  const cut = () => {
    // A line break in the second half of the piece is a better place to cut than mid-line; an
    // earlier one would leave too long a remainder.
    if (lastBreak && lastBreak.at > limit / 2) {
      const head = current.slice(0, lastBreak.at);
      const tail = current.slice(lastBreak.at + 1);
      pieces.push(head + closers(lastBreak.open));
      current = openers(lastBreak.open) + tail;
    } else {
      pieces.push(current + closers(open));
      current = openers(open);
    }
    lastBreak = undefined;
  };

  for (const match of html.matchAll(TOKEN)) {
    const token = match[0];
    // Room must stay for closing every tag open after this token.
    let after = open;
    const opening = OPEN_TAG.exec(token);
    const closing = CLOSE_TAG.exec(token);
    if (opening) after = [...open, { name: opening[1]!.toLowerCase(), source: token }];
    else if (closing && open.length > 0) after = open.slice(0, -1);
    if (current.length + token.length + closers(after).length > limit && current !== openers(open)) {
      cut();
    }
    if (token === '\n') lastBreak = { at: current.length, open: [...open] };
    current += token;
    open = after;
  }
  if (current.length > 0 && current !== openers(open)) pieces.push(current + closers(open));
  return pieces.filter((piece) => piece.replace(/<[^>]*>/g, '').trim() !== '');
}

const NAMED = { lt: '<', gt: '>', amp: '&', quot: '"' } as const;

/**
 * The text a reader would see for an HTML text, with tags dropped and entities decoded: what to
 * send without a parse mode when Telegram refuses the markup, so the person still gets an answer.
 */
export function htmlToPlainText(html: string): string {
  return (
    html
      // Only the tags Telegram knows are markup; anything else in angle brackets was meant as text.
      .replace(
        /<\/?(?:b|strong|i|em|u|ins|s|strike|del|span|tg-spoiler|a|tg-emoji|code|pre|blockquote)(?:\s[^<>]*)?>/gi,
        '',
      )
      .replace(/&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);/g, (entity, name: string) => {
        if (name.startsWith('#x')) return safeCodePoint(Number.parseInt(name.slice(2), 16), entity);
        if (name.startsWith('#')) return safeCodePoint(Number(name.slice(1)), entity);
        return NAMED[name as keyof typeof NAMED];
      })
  );
}

function safeCodePoint(code: number, fallback: string): string {
  return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
    ? String.fromCodePoint(code)
    : fallback;
}
