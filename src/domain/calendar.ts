import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import {
  addCalendarDays,
  assertLocalDate,
  isLocalDate,
  isWeekendDate,
  type LocalDate,
  localDateOf,
  yearOf,
} from './local-date.js';

/**
 * The official working-day calendar (国务院办公厅 yearly 部分节假日安排): public holidays (放假) and the
 * make-up working days (调休上班, always a Saturday or Sunday) that pay for the long breaks. Every other
 * day is a working day from Monday to Friday. An admin imports each year's schedule as a CSV.
 */

/** What an entry of the calendar says about a day: a day off, or a weekend day that is worked. */
export const CALENDAR_DAY_KINDS = ['holiday', 'workday'] as const;

/** One kind of calendar entry. */
export type CalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];

/** One day of the official schedule, e.g. `{ date: '2026-02-14', kind: 'workday', name: '春节' }`. */
export interface CalendarEntry {
  date: LocalDate;
  kind: CalendarDayKind;
  /** The holiday it belongs to (春节, 国庆节 …); a make-up day names the holiday it pays for. */
  name: string;
}

/** A calendar to compute working days on: the entries by day. */
export interface WorkingCalendar {
  readonly holidays: ReadonlyMap<LocalDate, string>;
  readonly workdays: ReadonlyMap<LocalDate, string>;
}

/** No imported schedule: Monday to Friday are working days, as before holidays existed. */
export const EMPTY_CALENDAR: WorkingCalendar = { holidays: new Map(), workdays: new Map() };

/** Longest holiday name kept, in code points. */
export const MAX_HOLIDAY_NAME_LENGTH = 40;

/** The header the holiday CSV needs (other columns, e.g. a weekday for the reader, are ignored). */
export const CALENDAR_CSV_COLUMNS = ['date', 'kind', 'name'] as const;

/**
 * Builds a calendar from entries. Throws RangeError on a bad date or a day given twice (the parser
 * reports those per line; this guards entries loaded from elsewhere).
 */
export function buildCalendar(entries: readonly CalendarEntry[]): WorkingCalendar {
  const holidays = new Map<LocalDate, string>();
  const workdays = new Map<LocalDate, string>();
  for (const e of entries) {
    assertLocalDate(e.date);
    if (holidays.has(e.date) || workdays.has(e.date)) throw new RangeError(`day given twice: ${e.date}`);
    (e.kind === 'holiday' ? holidays : workdays).set(e.date, e.name);
  }
  return { holidays, workdays };
}

/** Whether a day is worked: a make-up day always, a holiday never, otherwise Monday to Friday. */
export function isWorkingDate(date: LocalDate, calendar: WorkingCalendar = EMPTY_CALENDAR): boolean {
  if (calendar.workdays.has(date)) return true;
  if (calendar.holidays.has(date)) return false;
  return !isWeekendDate(date);
}

/** Whether the day an instant falls on in `timeZone` is a working day. Throws RangeError on a bad zone. */
export function isWorkingDay(
  at: Date,
  timeZone: string,
  calendar: WorkingCalendar = EMPTY_CALENDAR,
): boolean {
  return isWorkingDate(localDateOf(at, timeZone), calendar);
}

/** The first working day on or after `date`. */
export function nextWorkingDate(date: LocalDate, calendar: WorkingCalendar = EMPTY_CALENDAR): LocalDate {
  let day = assertLocalDate(date);
  while (!isWorkingDate(day, calendar)) day = plusOneDay(day);
  return day;
}

/** The last working day on or before `date`. */
export function previousWorkingDate(date: LocalDate, calendar: WorkingCalendar = EMPTY_CALENDAR): LocalDate {
  let day = assertLocalDate(date);
  while (!isWorkingDate(day, calendar)) day = minusOneDay(day);
  return day;
}

/**
 * The `days`-th working day after `date` (the day itself is not counted), so "a talk within 10 working
 * days of a head change on Monday" is due on the second Monday after. 0 gives `date` itself when it is
 * worked, else the next working day. Throws RangeError on a negative or fractional count.
 */
export function addWorkingDates(
  date: LocalDate,
  days: number,
  calendar: WorkingCalendar = EMPTY_CALENDAR,
): LocalDate {
  assertCount(days);
  let day = assertLocalDate(date);
  if (days === 0) return nextWorkingDate(day, calendar);
  for (let left = days; left > 0; ) {
    day = plusOneDay(day);
    if (isWorkingDate(day, calendar)) left--;
  }
  return day;
}

/** How many working days lie after `from` up to and including `to` (0 when `to` ≤ `from`). */
export function workingDatesBetween(
  from: LocalDate,
  to: LocalDate,
  calendar: WorkingCalendar = EMPTY_CALENDAR,
): number {
  assertLocalDate(from);
  assertLocalDate(to);
  let count = 0;
  for (let day = plusOneDay(from); day <= to; day = plusOneDay(day)) {
    if (isWorkingDate(day, calendar)) count++;
  }
  return count;
}

function zoned(d: Date, timeZone: string): DateTime {
  const dt = DateTime.fromJSDate(d, { zone: timeZone });
  if (!dt.isValid) throw new RangeError(`invalid date or time zone: ${dt.invalidExplanation ?? timeZone}`);
  return dt;
}

function worked(dt: DateTime, calendar: WorkingCalendar): boolean {
  return isWorkingDate(dt.toISODate() ?? '', calendar);
}

/**
 * `from` plus `days` working days on `calendar` in `timeZone`, keeping the local time of day: the drop-in
 * for routing's addWorkingDays, with the same results on EMPTY_CALENDAR. An instant on a day that is not
 * worked (weekend or holiday) first moves to 00:00 of the next working day, so a tip sent on the eve of
 * 国庆节 at 15:00 with 1 day is due at 15:00 on the first day back, and one sent during the break with
 * 1 day is due at the end of the first day back. Throws RangeError on a bad zone or count.
 */
export function addWorkingDaysOn(
  from: Date,
  days: number,
  timeZone: string,
  calendar: WorkingCalendar = EMPTY_CALENDAR,
): Date {
  assertCount(days);
  let dt = zoned(from, timeZone);
  if (!worked(dt, calendar)) {
    while (!worked(dt, calendar)) dt = dt.plus({ days: 1 });
    dt = dt.startOf('day');
  }
  for (let left = days; left > 0; ) {
    // Calendar-day arithmetic keeps the wall-clock time across DST changes.
    dt = dt.plus({ days: 1 });
    if (worked(dt, calendar)) left--;
  }
  return dt.toJSDate();
}

/** A stretch of time an item waited for the reporter's answer or an agency; `to` null = still waiting. */
export interface WaitingPeriod {
  from: Date;
  to: Date | null;
}

/**
 * The due date with the clock stopped while the item waited (for the reporter's answer, or an agency):
 * every working day after the day a wait began, up to and including the day it ended, adds one working
 * day — so a question asked on Monday and answered on Wednesday gives two days back, one asked and
 * answered the same day gives none (whole days, like every other deadline here). Overlapping waits
 * count once; a wait still open counts up to `now`. A wait that began after the (already extended) due
 * date gives nothing back: the item was late before it waited, and asking a question must not hide
 * that. Throws RangeError when a closed wait ends before it begins.
 */
export function extendForWaiting(
  dueAt: Date,
  waits: readonly WaitingPeriod[],
  now: Date,
  timeZone: string,
  calendar: WorkingCalendar = EMPTY_CALENDAR,
): Date {
  const spans = waits.map((w) => {
    // An open wait stamped a moment after `now` (another process's clock) has simply not run yet.
    const to = w.to ?? (now < w.from ? w.from : now);
    if (to < w.from) throw new RangeError('a wait cannot end before it begins');
    return { from: w.from.getTime(), to: to.getTime() };
  });
  spans.sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: { from: number; to: number }[] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else merged.push({ ...s });
  }
  let due = dueAt;
  for (const span of merged) {
    if (span.from >= due.getTime()) break;
    const days = workingDatesBetween(
      localDateOf(new Date(span.from), timeZone),
      localDateOf(new Date(span.to), timeZone),
      calendar,
    );
    if (days > 0) due = addWorkingDaysOn(due, days, timeZone, calendar);
  }
  return due;
}

/** A CSV row that could not be read, with its line number (1 = the header) and why. */
export interface CalendarCsvProblem {
  line: number;
  problem: string;
}

/** The outcome of reading a holiday CSV: every entry, or (all or nothing) every problem. */
export type CalendarCsvResult =
  | { ok: true; entries: CalendarEntry[] }
  | { ok: false; problems: CalendarCsvProblem[] };

// Admins copy the notice's Chinese words as often as the English ones. A Map, so that a cell reading
// "constructor" or "toString" is not found on an object's prototype.
const KIND_WORDS: ReadonlyMap<string, CalendarDayKind> = new Map([
  ['holiday', 'holiday'],
  ['放假', 'holiday'],
  ['休', 'holiday'],
  ['workday', 'workday'],
  ['上班', 'workday'],
  ['班', 'workday'],
]);

/**
 * Reads a holiday CSV with the header `date,kind,name` (any order; extra columns ignored; `#` lines are
 * comments): `date` YYYY-MM-DD, `kind` holiday|workday (or 放假|上班), `name` the holiday. A workday must
 * be a Saturday or Sunday (a weekday is worked anyway, so one there is a typo), and no day may appear
 * twice. Returns all entries sorted by day, or every problem with its line and nothing else.
 */
export function parseCalendarCsv(content: string): CalendarCsvResult {
  let rows: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    rows = parse(content, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      comment: '#',
      comment_no_infix: true,
      info: true,
      raw: true,
    }) as unknown as typeof rows;
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    return {
      ok: false,
      problems: [{ line: typeof line === 'number' ? line : 1, problem: 'the file is not valid CSV' }],
    };
  }
  // info.lines is where a record ends; its raw text also holds the skipped blank and comment lines
  // before it, and a quoted name may span lines, so count back over the record's own line breaks.
  const startLine = (row: (typeof rows)[number]) => {
    const own = row.raw.replace(/^(?:[ \t]*(?:#[^\n]*)?\r?\n)+/, '').replace(/\r?\n$/, '');
    return row.info.lines - (own.match(/\n/g)?.length ?? 0);
  };
  const [header, ...body] = rows;
  if (!header) return { ok: false, problems: [{ line: 1, problem: 'the file is empty' }] };
  const names = header.record.map((h) => h.toLowerCase());
  const index = Object.fromEntries(CALENDAR_CSV_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<
    (typeof CALENDAR_CSV_COLUMNS)[number],
    number
  >;
  const missing = CALENDAR_CSV_COLUMNS.filter((c) => index[c] < 0);
  if (missing.length > 0) {
    return {
      ok: false,
      problems: [
        {
          line: startLine(header),
          problem: `the header must name the columns ${CALENDAR_CSV_COLUMNS.join(',')}; missing ${missing.join(',')}`,
        },
      ],
    };
  }
  const problems: CalendarCsvProblem[] = [];
  const entries: CalendarEntry[] = [];
  const seen = new Map<LocalDate, number>();
  for (const row of body) {
    const line = startLine(row);
    const cell = (c: (typeof CALENDAR_CSV_COLUMNS)[number]) => row.record[index[c]] ?? '';
    const date = cell('date');
    const kind = KIND_WORDS.get(cell('kind').toLowerCase());
    const name = cell('name');
    if (row.record.length < header.record.length) {
      problems.push({
        line,
        problem: `expected ${header.record.length} columns, found ${row.record.length}`,
      });
    } else if (!isLocalDate(date)) {
      problems.push({ line, problem: `date must be a real day written YYYY-MM-DD: ${date || '(empty)'}` });
    } else if (kind === undefined) {
      problems.push({ line, problem: 'kind must be holiday or workday (放假 or 上班)' });
    } else if (name === '') {
      problems.push({ line, problem: 'name is empty' });
    } else if (Array.from(name).length > MAX_HOLIDAY_NAME_LENGTH) {
      problems.push({ line, problem: `name is longer than ${MAX_HOLIDAY_NAME_LENGTH} characters` });
    } else if (kind === 'workday' && !isWeekendDate(date)) {
      problems.push({
        line,
        problem: `a workday must be a Saturday or Sunday: ${date} already is a working day`,
      });
    } else if (seen.has(date)) {
      problems.push({ line, problem: `${date} is already given on line ${seen.get(date)}` });
    } else {
      seen.set(date, line);
      entries.push({ date, kind, name });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  entries.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { ok: true, entries };
}

/** The years a list of entries covers, ascending. */
export function calendarYears(entries: readonly CalendarEntry[]): number[] {
  return [...new Set(entries.map((e) => yearOf(e.date)))].sort((a, b) => a - b);
}

/**
 * The stored entries after importing `imported`: each year the import covers is replaced whole (a
 * corrected schedule must not leave a moved make-up day behind); other years are kept. Sorted by day.
 */
export function replaceYears(
  existing: readonly CalendarEntry[],
  imported: readonly CalendarEntry[],
): CalendarEntry[] {
  const years = new Set(calendarYears(imported));
  return [...existing.filter((e) => !years.has(yearOf(e.date))), ...imported].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
  );
}

function assertCount(days: number): void {
  if (!Number.isInteger(days) || days < 0)
    throw new RangeError(`days must be a non-negative integer: ${days}`);
}

function plusOneDay(date: LocalDate): LocalDate {
  return addCalendarDays(date, 1);
}

function minusOneDay(date: LocalDate): LocalDate {
  return addCalendarDays(date, -1);
}
