import { DateTime } from 'luxon';

/**
 * A calendar day in the county's time zone, as `YYYY-MM-DD`. Tenures, talks, audits and holidays are
 * days, not instants: a head takes office "on 1 March", whatever the hour. ISO strings of one width
 * compare correctly with `<`, so no parsing is needed to order them.
 */
export type LocalDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

function utcMidnight(date: LocalDate): number {
  const m = ISO_DATE.exec(date);
  if (!m) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(year, month - 1, day);
  const back = new Date(t);
  // Date.UTC rolls 2026-02-30 over to March; a real date reads back unchanged.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return Number.NaN;
  }
  return t;
}

function fromUtcMidnight(t: number): LocalDate {
  return new Date(t).toISOString().slice(0, 10);
}

/** Whether `value` is a real calendar day written `YYYY-MM-DD` (2026-02-30 is not). */
export function isLocalDate(value: unknown): value is LocalDate {
  return typeof value === 'string' && !Number.isNaN(utcMidnight(value));
}

/** Throws RangeError unless `date` is a real `YYYY-MM-DD` day; returns it for chaining. */
export function assertLocalDate(date: LocalDate, what = 'date'): LocalDate {
  if (!isLocalDate(date)) throw new RangeError(`${what} must be a real day written YYYY-MM-DD: ${date}`);
  return date;
}

/** The day `days` calendar days after `date` (negative: before). Throws RangeError on a bad date. */
export function addCalendarDays(date: LocalDate, days: number): LocalDate {
  assertLocalDate(date);
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer: ${days}`);
  return fromUtcMidnight(utcMidnight(date) + days * DAY_MS);
}

/** ISO weekday of a day: 1 = Monday … 7 = Sunday (time-zone free: a day is a day). */
export function isoWeekday(date: LocalDate): number {
  assertLocalDate(date);
  const d = new Date(utcMidnight(date)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Whether a day is a Saturday or Sunday. */
export function isWeekendDate(date: LocalDate): boolean {
  return isoWeekday(date) >= 6;
}

/** The year of a day. */
export function yearOf(date: LocalDate): number {
  assertLocalDate(date);
  return Number(date.slice(0, 4));
}

/** The same month and day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: LocalDate, years: number): LocalDate {
  assertLocalDate(date);
  const dt = DateTime.fromISO(date, { zone: 'UTC' }).plus({ years });
  return dt.toISODate() ?? date;
}

/** The day an instant falls on in `timeZone`. Throws RangeError on an invalid instant or zone. */
export function localDateOf(at: Date, timeZone: string): LocalDate {
  const dt = DateTime.fromJSDate(at, { zone: timeZone });
  const iso = dt.isValid ? dt.toISODate() : null;
  if (iso === null)
    throw new RangeError(`invalid instant or time zone: ${dt.invalidExplanation ?? timeZone}`);
  return iso;
}

/** The first instant of a day in `timeZone` (00:00 local, or the first valid time if DST skips midnight). */
export function startOfLocalDate(date: LocalDate, timeZone: string): Date {
  assertLocalDate(date);
  const dt = DateTime.fromISO(date, { zone: timeZone }).startOf('day');
  if (!dt.isValid) throw new RangeError(`invalid time zone: ${dt.invalidExplanation ?? timeZone}`);
  return dt.toJSDate();
}
