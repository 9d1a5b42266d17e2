import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';

/** The three scheduled digests. */
export type DigestKind = 'daily' | 'weekly' | 'monthly';

const DIGEST_KIND_WORDS: Readonly<Record<string, DigestKind>> = {
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  日报: 'daily',
  周报: 'weekly',
  月报: 'monthly',
};

/** Parses a digest kind as people type it (daily|weekly|monthly, or 日报|周报|月报), or null. */
export function parseDigestKind(argument: string | undefined): DigestKind | null {
  return argument ? (DIGEST_KIND_WORDS[argument.trim().toLowerCase()] ?? null) : null;
}

/** A half-open instant interval [start, end). */
export interface Window {
  start: Date;
  end: Date;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// No L, W, #, ?, H or @nicknames: node-cron (which fires the jobs) and cron-parser (which computes
// occurrences here) read those differently, and a digest key must match the run that was scheduled.
const FIELD = /^[0-9A-Za-z*,/-]+$/;
const SEARCH_LIMIT_MS = 366 * 24 * 60 * 60 * 1000;
// Both engines iterate; an expression that needs more steps than this inside a year is refused.
const MAX_STEPS = 2000;

function splitFields(expr: string): string[] | null {
  const fields = expr.trim().split(/\s+/);
  return fields.length === 5 || fields.length === 6 ? fields : null;
}

function namesOk(field: string, allowed: readonly string[]): boolean {
  const words = field.toLowerCase().match(/[a-z]+/g) ?? [];
  return words.every((w) => allowed.includes(w));
}

function restricted(field: string): boolean {
  return field !== '*';
}

/** Whether `expr` is a 5- or 6-field (seconds first) cron expression both node-cron and this module read alike. */
export function isValidCron(expr: string): boolean {
  const fields = splitFields(expr);
  if (!fields?.every((f) => FIELD.test(f))) return false;
  const offset = fields.length - 5;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] ?? '';
    const allowed = i === offset + 3 ? MONTH_NAMES : i === offset + 4 ? DAY_NAMES : [];
    if (!namesOk(f, allowed)) return false;
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { currentDate: new Date(0), tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

interface Schedule {
  fields: string[];
  /** node-cron fires only when day-of-month AND day-of-week match; cron-parser uses the Vixie OR. */
  bothDays: { dom: Set<number>; dow: Set<number> } | null;
}

function schedule(expr: string): Schedule | null {
  if (!isValidCron(expr)) return null;
  const fields = splitFields(expr);
  if (!fields) return null;
  const offset = fields.length - 5;
  const dom = fields[offset + 2] ?? '*';
  const dow = fields[offset + 4] ?? '*';
  if (!restricted(dom) || !restricted(dow)) return { fields, bothDays: null };
  const parsed = CronExpressionParser.parse(fields.join(' '), { currentDate: new Date(0), tz: 'UTC' });
  const domSet = new Set<number>(parsed.fields.dayOfMonth.values.filter((v) => typeof v === 'number'));
  const dowSet = new Set<number>(
    parsed.fields.dayOfWeek.values.filter((v) => typeof v === 'number').map((v) => v % 7),
  );
  return { fields, bothDays: { dom: domSet, dow: dowSet } };
}

function dayMatches(s: Schedule, dt: DateTime): boolean {
  if (!s.bothDays) return true;
  return s.bothDays.dom.has(dt.day) && s.bothDays.dow.has(dt.weekday % 7);
}

function search(cronExpr: string, now: Date, timeZone: string, direction: 'prev' | 'next'): Date | null {
  const s = schedule(cronExpr);
  if (!s || Number.isNaN(now.getTime())) return null;
  if (!DateTime.fromJSDate(now, { zone: timeZone }).isValid) return null;
  const expr = s.fields.join(' ');
  const limit = now.getTime() + (direction === 'prev' ? -SEARCH_LIMIT_MS : SEARCH_LIMIT_MS);
  // cron-parser's prev() is strictly before currentDate; +1 ms lets an occurrence exactly at `now` count.
  let cursor = direction === 'prev' ? new Date(now.getTime() + 1) : now;
  try {
    for (let step = 0; step < MAX_STEPS; step++) {
      const it = CronExpressionParser.parse(expr, { currentDate: cursor, tz: timeZone });
      const found = (direction === 'prev' ? it.prev() : it.next()).toDate();
      if (direction === 'prev' ? found.getTime() < limit : found.getTime() > limit) return null;
      const local = DateTime.fromJSDate(found, { zone: timeZone });
      if (dayMatches(s, local)) return found;
      // Skip the rest of a day that only matched one of the two day fields.
      cursor = direction === 'prev' ? local.startOf('day').toJSDate() : local.endOf('day').toJSDate();
    }
  } catch {
    // cron-parser throws when it finds no date (e.g. 30 2 past its horizon); that is "none".
    return null;
  }
  return null;
}

/** The most recent scheduled instant ≤ now in `timeZone`, or null if none within 366 days or the input is invalid. */
export function latestOccurrence(cronExpr: string, now: Date, timeZone: string): Date | null {
  return search(cronExpr, now, timeZone, 'prev');
}

/** The first scheduled instant > now in `timeZone`, or null if none within 366 days or the input is invalid. */
export function nextOccurrence(cronExpr: string, now: Date, timeZone: string): Date | null {
  return search(cronExpr, now, timeZone, 'next');
}

/** The idempotency key of one digest run: kind plus the occurrence instant in UTC ISO form. */
export function periodKey(kind: DigestKind, occurrence: Date): string {
  return `${kind}:${occurrence.toISOString()}`;
}

/**
 * The window a digest reports on and the one before it, for comparison. daily: [occurrence − 1 local day,
 * occurrence), i.e. 24 h except 23/25 h across a DST change, so consecutive daily windows tile exactly;
 * weekly: the local Monday-to-Monday week before the occurrence's week; monthly: the local calendar month
 * before the occurrence's month. Throws RangeError on an invalid zone.
 */
export function comparisonWindows(
  kind: DigestKind,
  occurrence: Date,
  timeZone: string,
): { current: Window; previous: Window } {
  const at = DateTime.fromJSDate(occurrence, { zone: timeZone });
  if (!at.isValid)
    throw new RangeError(`invalid occurrence or time zone: ${at.invalidExplanation ?? timeZone}`);
  let end: DateTime;
  let unit: 'days' | 'weeks' | 'months';
  switch (kind) {
    case 'daily':
      end = at;
      unit = 'days';
      break;
    case 'weekly':
      // Luxon weeks are ISO weeks: they start on Monday whatever the locale.
      end = at.startOf('week');
      unit = 'weeks';
      break;
    case 'monthly':
      end = at.startOf('month');
      unit = 'months';
      break;
  }
  const start = end.minus({ [unit]: 1 });
  const previousStart = end.minus({ [unit]: 2 });
  return {
    current: { start: start.toJSDate(), end: end.toJSDate() },
    previous: { start: previousStart.toJSDate(), end: start.toJSDate() },
  };
}
