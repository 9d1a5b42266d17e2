import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDates,
  addWorkingDaysOn,
  buildCalendar,
  type CalendarEntry,
  calendarYears,
  EMPTY_CALENDAR,
  extendForWaiting,
  isWorkingDate,
  isWorkingDay,
  nextWorkingDate,
  parseCalendarCsv,
  previousWorkingDate,
  replaceYears,
  type WorkingCalendar,
  workingDatesBetween,
} from '../../src/domain/calendar.js';
import { addCalendarDays } from '../../src/domain/local-date.js';
import { type RoutingInput, route } from '../../src/domain/routing.js';

const SH = 'Asia/Shanghai';
const sh = (local: string) => DateTime.fromISO(local, { zone: SH }).toJSDate();
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function loadCalendar(name: string): WorkingCalendar {
  const parsed = parseCalendarCsv(fixture(name));
  if (!parsed.ok) throw new Error(`fixture ${name} has problems: ${JSON.stringify(parsed.problems)}`);
  return buildCalendar(parsed.entries);
}

const CN2026 = loadCalendar('holidays-2026.csv');
const SAMPLE2027 = loadCalendar('holidays-2027.sample.csv');

describe('the official 2026 schedule (国务院办公厅, 2025-11-04)', () => {
  it('reads every day of the notice: 33 holidays and 6 make-up working days', () => {
    expect(CN2026.holidays.size).toBe(33);
    expect([...CN2026.workdays.keys()].sort()).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(CN2026.holidays.get('2026-02-17')).toBe('春节');
  });

  it('a make-up Saturday counts as a working day; a holiday weekday does not; an ordinary Saturday does not', () => {
    expect(isWorkingDate('2026-10-10', CN2026)).toBe(true); // Saturday, 国庆节 make-up
    expect(isWorkingDate('2026-02-14', CN2026)).toBe(true); // Saturday, 春节 make-up
    expect(isWorkingDate('2026-09-20', CN2026)).toBe(true); // Sunday, 国庆节 make-up
    expect(isWorkingDate('2026-10-01', CN2026)).toBe(false); // Thursday, 国庆节
    expect(isWorkingDate('2026-10-17', CN2026)).toBe(false); // an ordinary Saturday
    expect(isWorkingDate('2026-10-10')).toBe(false); // without the calendar: a Saturday
    expect(isWorkingDay(sh('2026-10-10T09:00:00'), SH, CN2026)).toBe(true);
    // 2026-10-09 16:30 UTC is already Saturday 00:30 in Shanghai.
    expect(isWorkingDay(new Date('2026-10-09T16:30:00Z'), SH, CN2026)).toBe(true);
    expect(isWorkingDay(new Date('2026-10-09T16:30:00Z'), 'UTC', CN2026)).toBe(true); // Friday in UTC
    expect(isWorkingDay(new Date('2026-10-10T16:30:00Z'), SH, CN2026)).toBe(false); // Sunday 00:30
  });

  it('a tip arriving the day before 国庆节 gets a triage due date after the holiday', () => {
    const base: RoutingInput = {
      itemKind: 'tip',
      sourceKind: 'monitor',
      sourceAgency: null,
      signed: false,
      domain: 'F',
      unitCode: 'HPZ',
      text: 'x',
      attachmentCount: 0,
      createdAt: sh('2026-09-30T15:00:00'), // Wednesday, the eve of the 7-day break
    };
    const ctx = { timeZone: SH, recentItems: [], adminOnlyUnits: [], calendar: CN2026 };
    const must = route({ ...base, signed: true }, ctx);
    expect(must.mustInvestigate).toBe(true);
    expect(must.triageDueAt).toEqual(sh('2026-10-08T15:00:00')); // Thursday, the first day back
    // 3 working days: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (the make-up Saturday).
    const other = route(base, ctx);
    expect(other.mustInvestigate).toBe(false);
    expect(other.triageDueAt).toEqual(sh('2026-10-10T15:00:00'));
    // Without the calendar the same tip was due on 1 October, in the middle of the break.
    const { calendar: _omitted, ...noCalendar } = ctx;
    expect(route({ ...base, signed: true }, noCalendar).triageDueAt).toEqual(sh('2026-10-01T15:00:00'));
  });

  it('a tip on the Friday before a make-up Saturday is due on that Saturday', () => {
    expect(addWorkingDaysOn(sh('2026-02-13T10:00:00'), 1, SH, CN2026)).toEqual(sh('2026-02-14T10:00:00'));
    // A tip sent on the make-up Saturday itself starts counting from that Saturday, not from Monday.
    expect(addWorkingDaysOn(sh('2026-02-14T10:00:00'), 0, SH, CN2026)).toEqual(sh('2026-02-14T10:00:00'));
    expect(addWorkingDaysOn(sh('2026-02-14T10:00:00'), 1, SH, CN2026)).toEqual(sh('2026-02-24T10:00:00'));
  });

  it('a tip sent during the break is due at the end of the first day(s) back', () => {
    expect(addWorkingDaysOn(sh('2026-10-03T11:00:00'), 1, SH, CN2026)).toEqual(sh('2026-10-09T00:00:00'));
    expect(addWorkingDaysOn(sh('2026-10-03T11:00:00'), 0, SH, CN2026)).toEqual(sh('2026-10-08T00:00:00'));
  });

  it('working days between, next and previous working day across 春节', () => {
    expect(nextWorkingDate('2026-02-15', CN2026)).toBe('2026-02-24');
    expect(previousWorkingDate('2026-02-23', CN2026)).toBe('2026-02-14');
    expect(workingDatesBetween('2026-02-13', '2026-02-28', CN2026)).toBe(6); // 14, 24, 25, 26, 27, 28
    expect(addWorkingDates('2026-02-13', 2, CN2026)).toBe('2026-02-24');
    expect(addWorkingDates('2026-02-15', 0, CN2026)).toBe('2026-02-24');
  });
});

describe('the 2027 sample (not the official schedule)', () => {
  it('is labelled as a sample and reads in the same format', () => {
    expect(fixture('holidays-2027.sample.csv').startsWith('# SAMPLE, NOT THE OFFICIAL SCHEDULE')).toBe(true);
    expect(isWorkingDate('2027-02-20', SAMPLE2027)).toBe(true);
    expect(isWorkingDate('2027-10-04', SAMPLE2027)).toBe(false);
    expect(addWorkingDaysOn(sh('2027-09-30T09:00:00'), 1, SH, SAMPLE2027)).toEqual(sh('2027-10-08T09:00:00'));
  });

  it('the two years combine into one calendar', () => {
    const a = parseCalendarCsv(fixture('holidays-2026.csv'));
    const b = parseCalendarCsv(fixture('holidays-2027.sample.csv'));
    if (!a.ok || !b.ok) throw new Error('fixtures must parse');
    const both = replaceYears(a.entries, b.entries);
    expect(calendarYears(both)).toEqual([2026, 2027]);
    expect(both).toHaveLength(a.entries.length + b.entries.length);
  });
});

describe('parseCalendarCsv', () => {
  it('accepts the Chinese words of the notice, any column order, extra columns and CRLF', () => {
    const r = parseCalendarCsv(
      '\ufeffname,weekday,date,kind\r\n国庆节,六,2026-10-10,上班\r\n国庆节,四,2026-10-01,放假\r\n',
    );
    expect(r).toEqual({
      ok: true,
      entries: [
        { date: '2026-10-01', kind: 'holiday', name: '国庆节' },
        { date: '2026-10-10', kind: 'workday', name: '国庆节' },
      ],
    });
  });

  it('reports every bad row with its line number and returns nothing else (all or nothing)', () => {
    const csv = [
      '# the admin may comment',
      'date,kind,name',
      '2026-10-01,holiday,国庆节',
      '2026-02-30,holiday,春节',
      '2026-10-02,constructor,国庆节',
      '',
      '2026-10-03,holiday,',
      '2026-10-08,workday,国庆节',
      '2026-10-01,holiday,国庆节',
      '2026-10-04,holiday',
      '2026/10/05,holiday,国庆节',
      `2026-10-06,holiday,${'长'.repeat(41)}`,
    ].join('\n');
    const r = parseCalendarCsv(csv);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { line: 4, problem: 'date must be a real day written YYYY-MM-DD: 2026-02-30' },
      { line: 5, problem: 'kind must be holiday or workday (放假 or 上班)' },
      { line: 7, problem: 'name is empty' },
      { line: 8, problem: 'a workday must be a Saturday or Sunday: 2026-10-08 already is a working day' },
      { line: 9, problem: '2026-10-01 is already given on line 3' },
      { line: 10, problem: 'expected 3 columns, found 2' },
      { line: 11, problem: 'date must be a real day written YYYY-MM-DD: 2026/10/05' },
      { line: 12, problem: 'name is longer than 40 characters' },
    ]);
    expect('entries' in r).toBe(false);
  });

  it('counts lines from where a record starts when a quoted name spans lines', () => {
    const r = parseCalendarCsv('date,kind,name\n2026-10-01,holiday,"国庆\n节"\n2026-10-08,workday,x\n');
    expect(r).toEqual({
      ok: false,
      problems: [
        { line: 4, problem: 'a workday must be a Saturday or Sunday: 2026-10-08 already is a working day' },
      ],
    });
  });

  it('refuses a missing header column, an empty file and broken quoting', () => {
    expect(parseCalendarCsv('date,name\n2026-10-01,国庆节\n')).toEqual({
      ok: false,
      problems: [{ line: 1, problem: 'the header must name the columns date,kind,name; missing kind' }],
    });
    expect(parseCalendarCsv('')).toEqual({
      ok: false,
      problems: [{ line: 1, problem: 'the file is empty' }],
    });
    const broken = parseCalendarCsv('date,kind,name\n2026-10-01,holiday,"国庆节\n');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.problems).toEqual([{ line: 2, problem: 'the file is not valid CSV' }]);
  });

  it('never throws and returns every parsed day sorted (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = parseCalendarCsv(`date,kind,name\n${text}`);
        if (r.ok) {
          const dates = r.entries.map((e) => e.date);
          expect([...dates].sort()).toEqual(dates);
          expect(new Set(dates).size).toBe(dates.length);
        } else {
          expect(r.problems.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('buildCalendar and replaceYears', () => {
  it('refuses a day given twice', () => {
    const e: CalendarEntry = { date: '2026-10-01', kind: 'holiday', name: '国庆节' };
    expect(() => buildCalendar([e, { ...e, kind: 'workday' }])).toThrow(RangeError);
  });

  it('an import replaces the years it covers and keeps the others', () => {
    const old: CalendarEntry[] = [
      { date: '2025-10-01', kind: 'holiday', name: '国庆节' },
      { date: '2026-10-11', kind: 'workday', name: '国庆节' }, // a make-up day the corrected notice moved
    ];
    const corrected: CalendarEntry[] = [{ date: '2026-10-10', kind: 'workday', name: '国庆节' }];
    expect(replaceYears(old, corrected)).toEqual([old[0], corrected[0]]);
  });
});

// The Monday-to-Friday algorithm routing used before the calendar existed, kept as the oracle.
function mondayToFriday(from: Date, days: number, timeZone: string): Date {
  let dt = DateTime.fromJSDate(from, { zone: timeZone });
  const weekend = (d: DateTime) => d.weekday >= 6;
  if (weekend(dt)) {
    while (weekend(dt)) dt = dt.plus({ days: 1 });
    dt = dt.startOf('day');
  }
  for (let left = days; left > 0; ) {
    dt = dt.plus({ days: 1 });
    if (!weekend(dt)) left--;
  }
  return dt.toJSDate();
}

const instant = fc.date({
  min: new Date('2024-01-01T00:00:00Z'),
  max: new Date('2028-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const zone = fc.constantFrom(SH, 'UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago');
const localDay = fc.integer({ min: 0, max: 5 * 366 }).map((n) => addCalendarDays('2024-01-01', n));
const randomCalendar = fc
  .uniqueArray(fc.tuple(localDay, fc.boolean()), { selector: ([d]) => d, maxLength: 120 })
  .map((days) =>
    buildCalendar(
      days.map(([date, off]) => ({ date, kind: off ? 'holiday' : 'workday', name: 'x' }) as CalendarEntry),
    ),
  );

describe('working-day arithmetic (properties)', () => {
  it('on the empty calendar, gives exactly what routing gave before (Monday to Friday)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 40 }), zone, (from, days, tz) => {
        expect(addWorkingDaysOn(from, days, tz, EMPTY_CALENDAR)).toEqual(mondayToFriday(from, days, tz));
      }),
      { numRuns: 300 },
    );
  });

  it('is monotonic in the start and in the count, never goes back, and lands on a working day', () => {
    fc.assert(
      fc.property(
        randomCalendar,
        instant,
        instant,
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        zone,
        (cal, a, b, m, n, tz) => {
          const [early, late] = a <= b ? [a, b] : [b, a];
          const [few, many] = m <= n ? [m, n] : [n, m];
          expect(addWorkingDaysOn(early, few, tz, cal).getTime()).toBeLessThanOrEqual(
            addWorkingDaysOn(late, few, tz, cal).getTime(),
          );
          const r = addWorkingDaysOn(early, many, tz, cal);
          expect(addWorkingDaysOn(early, few, tz, cal).getTime()).toBeLessThanOrEqual(r.getTime());
          expect(r.getTime()).toBeGreaterThanOrEqual(early.getTime());
          expect(isWorkingDay(r, tz, cal)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counting working days undoes adding them', () => {
    fc.assert(
      fc.property(randomCalendar, localDay, fc.integer({ min: 1, max: 40 }), (cal, day, n) => {
        const due = addWorkingDates(day, n, cal);
        expect(workingDatesBetween(day, due, cal)).toBe(n);
        expect(isWorkingDate(due, cal)).toBe(true);
      }),
    );
  });

  it('refuses negative and fractional counts and bad zones', () => {
    expect(() => addWorkingDaysOn(new Date(), -1, SH)).toThrow(RangeError);
    expect(() => addWorkingDaysOn(new Date(), 1.5, SH)).toThrow(RangeError);
    expect(() => addWorkingDaysOn(new Date(), 1, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => addWorkingDates('2026-13-01', 1)).toThrow(RangeError);
  });
});

describe('extendForWaiting (deadlines paused while the item waits)', () => {
  const due = sh('2026-11-27T10:00:00'); // Friday
  const now = sh('2026-12-10T12:00:00');

  it('a question asked on Monday and answered on Wednesday gives two working days back', () => {
    const waits = [{ from: sh('2026-11-23T09:00:00'), to: sh('2026-11-25T16:00:00') }];
    expect(extendForWaiting(due, waits, now, SH)).toEqual(sh('2026-12-01T10:00:00')); // Tuesday
  });

  it('a wait begun and ended the same day, or no wait, gives nothing back', () => {
    expect(extendForWaiting(due, [], now, SH)).toEqual(due);
    const sameDay = [{ from: sh('2026-11-23T09:00:00'), to: sh('2026-11-23T17:00:00') }];
    expect(extendForWaiting(due, sameDay, now, SH)).toEqual(due);
  });

  it('overlapping waits (reporter and agency at once) count once', () => {
    const waits = [
      { from: sh('2026-11-23T09:00:00'), to: sh('2026-11-25T16:00:00') },
      { from: sh('2026-11-24T09:00:00'), to: sh('2026-11-25T10:00:00') },
    ];
    expect(extendForWaiting(due, waits, now, SH)).toEqual(sh('2026-12-01T10:00:00'));
  });

  it('a wait still open counts up to now', () => {
    const waits = [{ from: sh('2026-11-26T09:00:00'), to: null }];
    // Thursday → Monday 30 Nov: Friday and Monday are working days → due Tuesday 10:00.
    expect(extendForWaiting(due, waits, sh('2026-11-30T08:00:00'), SH)).toEqual(sh('2026-12-01T10:00:00'));
  });

  it('holidays in the wait are not given back; make-up days are', () => {
    const waits = [{ from: sh('2026-09-30T09:00:00'), to: sh('2026-10-10T09:00:00') }];
    // Working days after 30 Sep up to 10 Oct: 8, 9 and the make-up Saturday 10 Oct.
    // Friday 9 Oct + 3: the make-up Saturday, Monday 12, Tuesday 13.
    expect(extendForWaiting(sh('2026-10-09T10:00:00'), waits, now, SH, CN2026)).toEqual(
      sh('2026-10-13T10:00:00'),
    );
  });

  it('a wait begun after the due date gives nothing back (the item was already late)', () => {
    const waits = [{ from: sh('2026-11-30T09:00:00'), to: sh('2026-12-03T09:00:00') }];
    expect(extendForWaiting(due, waits, now, SH)).toEqual(due);
  });

  it('a wait begun before the due date but reaching past it still counts whole', () => {
    const waits = [{ from: sh('2026-11-26T09:00:00'), to: sh('2026-12-01T09:00:00') }];
    // Working days after Thu 26 Nov up to Tue 1 Dec: Fri, Mon, Tue = 3 → Wed 2 Dec 10:00.
    expect(extendForWaiting(due, waits, now, SH)).toEqual(sh('2026-12-02T10:00:00'));
  });

  it('an open wait begun after now gives nothing back', () => {
    expect(
      extendForWaiting(due, [{ from: sh('2026-11-26T09:00:01'), to: null }], sh('2026-11-26T09:00:00'), SH),
    ).toEqual(due);
  });

  it('refuses a wait that ends before it begins', () => {
    expect(() =>
      extendForWaiting(due, [{ from: sh('2026-11-25T09:00:00'), to: sh('2026-11-24T09:00:00') }], now, SH),
    ).toThrow(RangeError);
  });

  it('never moves a due date earlier (property)', () => {
    fc.assert(
      fc.property(
        randomCalendar,
        instant,
        fc.array(fc.tuple(instant, fc.integer({ min: 0, max: 20 * 24 * 3600 * 1000 })), { maxLength: 4 }),
        (cal, dueAt, raw) => {
          const waits = raw.map(([from, ms]) => ({ from, to: new Date(from.getTime() + ms) }));
          expect(extendForWaiting(dueAt, waits, now, SH, cal).getTime()).toBeGreaterThanOrEqual(
            dueAt.getTime(),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
