import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addYears,
  assertLocalDate,
  isLocalDate,
  isoWeekday,
  isWeekendDate,
  localDateOf,
  startOfLocalDate,
  yearOf,
} from '../../src/domain/local-date.js';

describe('local dates', () => {
  it('accepts only real days written YYYY-MM-DD', () => {
    for (const day of ['2026-02-28', '2024-02-29', '2025-12-31', '1999-01-01'])
      expect(isLocalDate(day), day).toBe(true);
    for (const value of [
      '2026-02-29',
      '2026-02-30',
      '2025-13-01',
      '2025-00-10',
      '2025-1-01',
      '2025-01-01T00:00',
      ' 2025-01-01',
      20250101,
      null,
    ]) {
      expect(isLocalDate(value), String(value)).toBe(false);
    }
    expect(assertLocalDate('2025-03-01')).toBe('2025-03-01');
    expect(() => assertLocalDate('2025-02-30', 'tenure start')).toThrow(
      new RangeError('tenure start must be a real day written YYYY-MM-DD: 2025-02-30'),
    );
  });

  it('adds calendar days across months, years and leap days, backwards too', () => {
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addCalendarDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addCalendarDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(addCalendarDays('2025-03-30', 0)).toBe('2025-03-30');
    expect(() => addCalendarDays('2025-03-30', 1.5)).toThrow(RangeError);
    expect(() => addCalendarDays('2025-02-30', 1)).toThrow(RangeError);
  });

  it('tells weekdays and weekends, and the year', () => {
    // 2026-03-02 is a Monday.
    expect(['2026-03-02', '2026-03-06', '2026-03-07', '2026-03-08'].map(isoWeekday)).toEqual([1, 5, 6, 7]);
    expect(['2026-03-06', '2026-03-07', '2026-03-08'].map(isWeekendDate)).toEqual([false, true, true]);
    expect(yearOf('2026-03-02')).toBe(2026);
    expect(() => isoWeekday('2026-02-29')).toThrow(RangeError);
  });

  it('adds years keeping month and day, 29 February becoming 28 in a common year', () => {
    expect(addYears('2025-03-01', 3)).toBe('2028-03-01');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2025-03-01', -1)).toBe('2024-03-01');
  });

  it('finds the day of an instant in a zone, and the first instant of a day', () => {
    const instant = new Date('2025-06-01T17:30:00Z');
    expect(localDateOf(instant, 'UTC')).toBe('2025-06-01');
    expect(localDateOf(instant, 'Asia/Shanghai')).toBe('2025-06-02');
    expect(() => localDateOf(instant, 'Mars/Base')).toThrow(RangeError);
    expect(() => localDateOf(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
    expect(startOfLocalDate('2025-06-02', 'Asia/Shanghai').toISOString()).toBe('2025-06-01T16:00:00.000Z');
    // Where DST skips midnight (Santiago, 2024-09-08), the day starts at 01:00 local.
    expect(startOfLocalDate('2024-09-08', 'America/Santiago').toISOString()).toBe('2024-09-08T04:00:00.000Z');
    expect(() => startOfLocalDate('2025-06-02', 'Mars/Base')).toThrow(RangeError);
    expect(() => startOfLocalDate('2025-02-30', 'UTC')).toThrow(RangeError);
  });
});
