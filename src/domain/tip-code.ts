/** What a tip is about: the three powers first (D, F, P), then style, integrity, other. */
export const DOMAINS = ['D', 'F', 'P', 'S', 'I', 'O'] as const;

/** One domain letter. */
export type Domain = (typeof DOMAINS)[number];

/** Chinese names accepted for each domain; the first is the one to display. */
export const DOMAIN_NAMES_ZH: Readonly<Record<Domain, readonly string[]>> = {
  D: ['事权', '决策', '决策权', '重大事项', '重大事项决策权'],
  F: ['财权', '财务'],
  P: ['用人权', '用人'],
  S: ['作风'],
  I: ['廉洁'],
  O: ['其他'],
};

/** A unit of the directory, as the parser needs it. */
export interface UnitRef {
  code: string;
  nameZh: string;
  nameEn: string;
}

/** Longest accepted tip text, in Unicode code points (not UTF-16 units). */
export const MAX_TEXT_LENGTH = 4000;

/** Longest slice of user input echoed back inside an error, so a mistyped code cannot carry a whole report. */
export const MAX_ECHO_LENGTH = 32;

/** Why a code or tip was refused; `input` fields are at most MAX_ECHO_LENGTH code points. */
export type CodeError =
  | { kind: 'missing_code' }
  | { kind: 'malformed_code'; input: string }
  | { kind: 'unknown_domain'; input: string }
  | { kind: 'unknown_unit'; input: string; suggestions: string[] }
  | { kind: 'missing_text' }
  | { kind: 'text_too_long'; length: number; max: number };

/** Result of parsing a code alone. */
export type ParsedCode = { ok: true; domain: Domain; unitCode: string } | { ok: false; error: CodeError };

/** Result of parsing a whole tip. */
export type ParsedTip =
  | { ok: true; domain: Domain; unitCode: string; text: string }
  | { ok: false; error: CodeError };

// Chinese IMEs produce full-width forms and dashes; all of them separate domain from unit.
const DOMAIN_UNIT_SEPARATORS = '-－–—‐‑−:：';
const SEP_CLASS = `[${DOMAIN_UNIT_SEPARATORS.replace('-', '\\-')}]`;
const DOMAIN_UNIT_SEP = new RegExp(SEP_CLASS, 'u');
// The code ends at whitespace (incl. U+3000) or a colon, so `F-HPZ：镇长…` works without a space.
const CODE_END = /[\s:：]/u;

const BY_DOMAIN_NAME: ReadonlyMap<string, Domain> = new Map(
  DOMAINS.flatMap((d) => DOMAIN_NAMES_ZH[d].map((name) => [name, d] as const)),
);

/** Returns the domain for a letter (any case, full-width too) or a Chinese name, else null; never throws. */
export function parseDomain(s: string): Domain | null {
  const t = s.normalize('NFKC').trim();
  const upper = t.toUpperCase();
  return DOMAINS.find((d) => d === upper) ?? BY_DOMAIN_NAME.get(t) ?? null;
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

function echo(s: string): string {
  const cps = codePoints(s);
  return cps.length <= MAX_ECHO_LENGTH ? s : `${cps.slice(0, MAX_ECHO_LENGTH).join('')}…`;
}

function stripCounty(nameZh: string): string {
  return nameZh.startsWith('县') ? nameZh.slice(1) : nameZh;
}

/**
 * Finds a unit by code (any case), exact Chinese name (with or without the leading 县) or English name
 * (any case, spaces loose); failing those, by a short name that starts exactly one unit's name (鹤浦 →
 * 鹤浦镇, `Hepu` → Hepu Town). A short name two units share finds neither.
 */
export function findUnit(token: string, units: readonly UnitRef[]): UnitRef | null {
  const t = token.normalize('NFKC').trim();
  if (t === '') return null;
  const lower = t.toLowerCase();
  const loose = looseEnglish(t);
  return (
    units.find((u) => u.code.toLowerCase() === lower) ??
    units.find((u) => u.nameZh === t) ??
    units.find((u) => stripCounty(u.nameZh) === t && u.nameZh !== t) ??
    units.find((u) => u.nameEn !== '' && looseEnglish(u.nameEn) === loose) ??
    uniqueShortName(t, units)
  );
}

/** An English name compared without case, spaces or hyphens ("hepu town", "Hepu-Town", "HepuTown"). */
function looseEnglish(name: string): string {
  return name.toLowerCase().replace(/[\s\-_]+/gu, '');
}

/** The one unit whose Chinese name (±县) or English name starts with `t` (2+ Han or 3+ Latin characters), else null. */
function uniqueShortName(t: string, units: readonly UnitRef[]): UnitRef | null {
  const han = /^\p{Script=Han}{2,}$/u.test(t);
  const latin = /^[A-Za-z][A-Za-z\s-]{2,}$/u.test(t);
  if (!han && !latin) return null;
  const loose = looseEnglish(t);
  const matches = units.filter((u) =>
    han
      ? u.nameZh.startsWith(t) || stripCounty(u.nameZh).startsWith(t)
      : u.nameEn !== '' && looseEnglish(u.nameEn).startsWith(loose),
  );
  return matches.length === 1 ? (matches[0] ?? null) : null;
}

function levenshtein(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

// Suggestions are only worth computing for token-sized input; a pasted paragraph gets none.
const MAX_SUGGEST_INPUT = 40;

/** Up to `limit` unit codes closest to `token`, by edit distance to the code, Chinese name (±县) or English name. */
export function suggestUnits(token: string, units: readonly UnitRef[], limit = 3): string[] {
  const t = codePoints(token.normalize('NFKC').trim().toLowerCase());
  if (t.length === 0 || t.length > MAX_SUGGEST_INPUT) return [];
  // Allow roughly one typo per two characters; beyond that a suggestion is noise.
  const threshold = Math.max(1, Math.ceil(t.length / 2));
  const scored: { code: string; score: number; index: number }[] = [];
  units.forEach((u, index) => {
    const names = [u.code, u.nameZh, stripCounty(u.nameZh), u.nameEn].map((n) => n.toLowerCase());
    let best = Number.POSITIVE_INFINITY;
    for (const n of names) {
      if (n === '') continue;
      const d = levenshtein(t, codePoints(n));
      // A prefix (鹤浦 → 鹤浦镇) is a closer hint than its raw distance says.
      best = Math.min(best, n.startsWith(t.join('')) ? Math.min(d, 0.5) : d);
    }
    if (best <= threshold) scored.push({ code: u.code, score: best, index });
  });
  scored.sort((x, y) => x.score - y.score || x.index - y.index);
  return scored.slice(0, limit).map((s) => s.code);
}

/** Parses `<DOMAIN><sep><UNIT>` against the directory; returns the unit's canonical code; never throws. */
export function parseCode(code: string, units: readonly UnitRef[]): ParsedCode {
  const trimmed = code.trim();
  if (trimmed === '') return { ok: false, error: { kind: 'missing_code' } };
  const m = DOMAIN_UNIT_SEP.exec(trimmed);
  if (!m || m.index === 0) return { ok: false, error: { kind: 'malformed_code', input: echo(trimmed) } };
  const domainPart = trimmed.slice(0, m.index);
  const unitPart = trimmed.slice(m.index + m[0].length).trim();
  if (unitPart === '' || /\s/u.test(domainPart)) {
    return { ok: false, error: { kind: 'malformed_code', input: echo(trimmed) } };
  }
  const domain = parseDomain(domainPart);
  if (!domain) return { ok: false, error: { kind: 'unknown_domain', input: echo(domainPart) } };
  const unit = findUnit(unitPart, units);
  if (!unit) {
    return {
      ok: false,
      error: { kind: 'unknown_unit', input: echo(unitPart), suggestions: suggestUnits(unitPart, units) },
    };
  }
  return { ok: true, domain, unitCode: unit.code };
}

// Lone surrogates would be rejected or mangled by Postgres' UTF-8, so they become U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Control characters (C0, DEL, C1) are dropped, except newline and tab which people use to lay out a report.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Removes control characters except \n and \t and replaces lone surrogates with U+FFFD. */
export function sanitizeText(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '');
}

/** Parses everything after `/tip` (or `/notice`): a code, then text (1..MAX_TEXT_LENGTH code points); never throws. */
export function parseTip(input: string, units: readonly UnitRef[]): ParsedTip {
  const s = sanitizeText(input).trimStart();
  if (s === '') return { ok: false, error: { kind: 'missing_code' } };
  const spaced = parseSpacedOrNamedCode(s, units);
  if (spaced) return withText(spaced.domain, spaced.unitCode, s.slice(spaced.end));
  const sep = DOMAIN_UNIT_SEP.exec(s);
  const firstSpace = /\s/u.exec(s);
  // A domain never contains whitespace: whitespace before the separator means there is no code at all.
  if (!sep || sep.index === 0 || (firstSpace && firstSpace.index < sep.index)) {
    const head = firstSpace ? s.slice(0, firstSpace.index) : s;
    return { ok: false, error: { kind: 'malformed_code', input: echo(head) } };
  }
  const afterSep = s.slice(sep.index + sep[0].length);
  const end = CODE_END.exec(afterSep);
  const unitEnd = sep.index + sep[0].length + (end ? end.index : afterSep.length);
  const parsed = parseCode(s.slice(0, unitEnd), units);
  if (!parsed.ok) return parsed;
  return withText(parsed.domain, parsed.unitCode, s.slice(unitEnd));
}

/**
 * The forms people type that the strict `D-UNIT` grammar misses, each only when it names a real unit:
 * a space for the dash (`F HPZ …`, `财权 鹤浦 …`), and an English name with spaces after the dash
 * (`F-Hepu Town …`, as the bot's own buttons spell it). `end` is where the text starts.
 */
function parseSpacedOrNamedCode(
  s: string,
  units: readonly UnitRef[],
): { domain: Domain; unitCode: string; end: number } | null {
  const spaced = /^(\S{1,8})[ \t\u3000]+(\S+)/u.exec(s);
  if (spaced?.[1] && spaced[2] && !DOMAIN_UNIT_SEP.test(spaced[1])) {
    const domain = parseDomain(spaced[1]);
    const unitToken = spaced[2].split(/[:：]/u)[0] ?? '';
    const unit = domain ? findUnit(unitToken, units) : null;
    if (domain && unit) {
      return { domain, unitCode: unit.code, end: spaced[0].length - spaced[2].length + unitToken.length };
    }
  }
  const sep = DOMAIN_UNIT_SEP.exec(s);
  if (!sep || sep.index === 0) return null;
  const domain = parseDomain(s.slice(0, sep.index));
  if (!domain) return null;
  const start = sep.index + sep[0].length;
  const rest = s.slice(start);
  // The longest English name (of two or more words) the text starts with, case and spacing loose.
  let best: { unit: UnitRef; length: number } | null = null;
  for (const unit of units) {
    if (!/\s/u.test(unit.nameEn)) continue;
    const words = unit.nameEn
      .trim()
      .split(/\s+/u)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const match = new RegExp(`^\\s*${words.join('[\\s-]+')}(?=[\\s:：]|$)`, 'iu').exec(rest);
    if (match && (!best || match[0].length > best.length)) best = { unit, length: match[0].length };
  }
  return best ? { domain, unitCode: best.unit.code, end: start + best.length } : null;
}

/** A parsed code with the text after it: one colon may separate them; 1..MAX_TEXT_LENGTH code points. */
function withText(domain: Domain, unitCode: string, after: string): ParsedTip {
  // One colon may separate code and text (`F-HPZ：…`); whitespace around it is ignored.
  const text = after.replace(/^\s*[:：]?/u, '').trim();
  if (text === '') return { ok: false, error: { kind: 'missing_text' } };
  const length = codePoints(text).length;
  if (length > MAX_TEXT_LENGTH) {
    return { ok: false, error: { kind: 'text_too_long', length, max: MAX_TEXT_LENGTH } };
  }
  return { ok: true, domain, unitCode, text };
}

// Issuer prefix (县审计, 象纪), bracketed year, serial, 号: the shape of a Chinese agency document number.
// It must be followed by punctuation, whitespace or the end, so a sentence citing a document (…12号文件未落实) stays whole.
const REFERENCE =
  /^\s*([\p{Script=Han}A-Za-z]{0,12}\s*[〔[（(【［]\s*[0-9０-９]{4}\s*[〕\]）)】］]\s*第?\s*[0-9０-９]{1,6}\s*号)(?=[\s:：,，、.。;；]|$)[\s:：,，、.。;；]*/u;

/** Splits a leading agency document number (`县审计〔2019〕12号 …`) off the text; otherwise returns the text unchanged. */
export function extractReference(text: string): { reference: string | null; text: string } {
  const m = REFERENCE.exec(text);
  if (!m || m[1] === undefined) return { reference: null, text };
  return { reference: m[1].trim(), text: text.slice(m[0].length).trim() };
}
