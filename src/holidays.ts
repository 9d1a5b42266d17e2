/**
 * The official calendar an admin imports each year (`npm run cli -- holidays import <file.csv>`): public
 * holidays and make-up working days (调休), kept as one setting and read by routing for due dates.
 */
import type { Queryable } from './db/client.js';
import {
  buildCalendar,
  type CalendarEntry,
  calendarYears,
  EMPTY_CALENDAR,
  replaceYears,
  type WorkingCalendar,
} from './domain/calendar.js';
import { getSetting, putSetting } from './settings.js';

const CALENDAR = 'calendar';

/** Every imported calendar entry, sorted by day; none before the first import. */
export async function calendarEntries(db: Queryable): Promise<CalendarEntry[]> {
  return (await getSetting<CalendarEntry[]>(db, CALENDAR)) ?? [];
}

/** The working calendar due dates are computed on (Monday to Friday until a schedule is imported). */
export async function workingCalendar(db: Queryable): Promise<WorkingCalendar> {
  const entries = await calendarEntries(db);
  return entries.length === 0 ? EMPTY_CALENDAR : buildCalendar(entries);
}

/** Stores an imported schedule: each year it covers is replaced whole, other years are kept. */
export async function importCalendar(
  db: Queryable,
  imported: readonly CalendarEntry[],
): Promise<{ years: number[]; total: number }> {
  const stored = replaceYears(await calendarEntries(db), imported);
  await putSetting(db, CALENDAR, stored);
  return { years: calendarYears(imported), total: stored.length };
}
