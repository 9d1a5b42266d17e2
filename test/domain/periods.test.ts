import { describe, expect, it } from 'vitest';
import {
  comparisonWindows,
  isValidCron,
  latestOccurrence,
  nextOccurrence,
  periodKey,
} from '../../src/domain/periods.js';

const SH = 'Asia/Shanghai';
const BER = 'Europe/Berlin';
const sh = (local: string) => new Date(`${local}+08:00`);
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('isValidCron', () => {
  it.each([
    '30 8 * * *',
    '0 9 * * 1',
    '0 9 1 * *',
    '0 30 8 * * *',
    '*/15 * * * *',
    '0 9 * * mon-fri',
    '0 9 1 jan,jul *',
  ])('accepts %s', (e) => expect(isValidCron(e)).toBe(true));
  it.each([
    '',
    '0 9 * *',
    '0 0 9 * * * *',
    '61 8 * * *',
    '0 9 L * *',
    '0 9 * * 1#2',
    '0 9 ? * 1',
    '@daily',
    'H 9 * * *',
    '0 0 31 2 *',
    '0 9 * * foo',
    'a b c d e',
  ])('refuses %j', (e) => expect(isValidCron(e)).toBe(false));
});

describe('latestOccurrence / nextOccurrence', () => {
  it('daily 08:30 Shanghai: now exactly on it, just before, just after', () => {
    expect(iso(latestOccurrence('30 8 * * *', sh('2026-11-28T08:30:00'), SH))).toBe(
      '2026-11-28T00:30:00.000Z',
    );
    expect(iso(latestOccurrence('30 8 * * *', sh('2026-11-28T08:29:59.999'), SH))).toBe(
      '2026-11-27T00:30:00.000Z',
    );
    expect(iso(latestOccurrence('30 8 * * *', sh('2026-11-28T08:30:00.500'), SH))).toBe(
      '2026-11-28T00:30:00.000Z',
    );
    expect(iso(nextOccurrence('30 8 * * *', sh('2026-11-28T08:30:00'), SH))).toBe('2026-11-29T00:30:00.000Z');
  });

  it('six fields with seconds', () => {
    expect(iso(latestOccurrence('15 30 8 * * *', sh('2026-11-28T09:00:00'), SH))).toBe(
      '2026-11-28T00:30:15.000Z',
    );
  });

  it('weekly Monday 09:00 across a year end', () => {
    expect(iso(latestOccurrence('0 9 * * 1', sh('2027-01-01T12:00:00'), SH))).toBe(
      iso(sh('2026-12-28T09:00:00')),
    );
    expect(iso(nextOccurrence('0 9 * * 1', sh('2027-01-01T12:00:00'), SH))).toBe(
      iso(sh('2027-01-04T09:00:00')),
    );
  });

  it('monthly on the 1st; the zone matters', () => {
    const now = new Date('2026-12-01T02:00:00Z'); // 10:00 in Shanghai, 03:00 in Berlin
    expect(iso(latestOccurrence('0 9 1 * *', now, SH))).toBe(iso(sh('2026-12-01T09:00:00')));
    expect(iso(latestOccurrence('0 9 1 * *', now, BER))).toBe('2026-11-01T08:00:00.000Z');
  });

  it('Berlin DST: 09:00 local is 08:00Z in winter, 07:00Z in summer', () => {
    expect(iso(latestOccurrence('0 9 * * *', new Date('2026-03-30T12:00:00Z'), BER))).toBe(
      '2026-03-30T07:00:00.000Z',
    );
    expect(iso(latestOccurrence('0 9 * * *', new Date('2026-03-28T12:00:00Z'), BER))).toBe(
      '2026-03-28T08:00:00.000Z',
    );
  });

  it('day of month AND day of week, as node-cron fires', () => {
    // First Monday of the month: 2026-12-07 is the first Monday of December.
    expect(iso(latestOccurrence('0 9 1-7 * 1', sh('2026-12-20T00:00:00'), SH))).toBe(
      iso(sh('2026-12-07T09:00:00')),
    );
    expect(iso(nextOccurrence('0 9 1-7 * 1', sh('2026-12-08T00:00:00'), SH))).toBe(
      iso(sh('2027-01-04T09:00:00')),
    );
  });

  it('null when invalid or none within a year', () => {
    expect(latestOccurrence('nonsense', new Date(), SH)).toBeNull();
    expect(latestOccurrence('0 9 * * *', new Date(), 'Mars/Olympus')).toBeNull();
    expect(latestOccurrence('0 0 29 2 *', sh('2027-06-01T00:00:00'), SH)).toBeNull();
    expect(nextOccurrence('0 0 29 2 *', sh('2026-06-01T00:00:00'), SH)).toBeNull();
    expect(iso(nextOccurrence('0 0 29 2 *', sh('2027-06-01T00:00:00'), SH))).toBe(
      iso(sh('2028-02-29T00:00:00')),
    );
  });
});

describe('periodKey', () => {
  it('is kind plus UTC instant', () => {
    expect(periodKey('daily', new Date('2026-11-28T00:30:00Z'))).toBe('daily:2026-11-28T00:30:00.000Z');
  });
});

describe('comparisonWindows', () => {
  const w = (kind: 'daily' | 'weekly' | 'monthly', occ: Date, tz: string) => {
    const r = comparisonWindows(kind, occ, tz);
    return [r.previous.start, r.previous.end, r.current.start, r.current.end].map((d) => d.toISOString());
  };

  it('daily: the 24 h before the occurrence, then the 24 h before that', () => {
    const occ = sh('2026-11-30T08:30:00'); // Monday, after a weekend
    expect(w('daily', occ, SH)).toEqual(
      [sh('2026-11-28T08:30:00'), sh('2026-11-29T08:30:00'), sh('2026-11-29T08:30:00'), occ].map((d) =>
        d.toISOString(),
      ),
    );
  });

  it('daily over a Berlin DST change is 23 h, so windows tile', () => {
    const occ = new Date('2026-03-29T07:30:00Z'); // 09:30 CEST, day of the change
    const r = comparisonWindows('daily', occ, BER);
    expect(r.current.start.toISOString()).toBe('2026-03-28T08:30:00.000Z');
    expect(r.current.end.getTime() - r.current.start.getTime()).toBe(23 * 3600 * 1000);
  });

  it('weekly: the Monday-to-Monday week before, Shanghai, across a month end', () => {
    const occ = sh('2026-12-02T09:00:00'); // Wednesday; its week starts Monday 2026-11-30
    expect(w('weekly', occ, SH)).toEqual(
      [
        sh('2026-11-16T00:00:00'),
        sh('2026-11-23T00:00:00'),
        sh('2026-11-23T00:00:00'),
        sh('2026-11-30T00:00:00'),
      ].map((d) => d.toISOString()),
    );
  });

  it('weekly across a year end', () => {
    expect(w('weekly', sh('2027-01-04T09:00:00'), SH)).toEqual(
      [
        sh('2026-12-21T00:00:00'),
        sh('2026-12-28T00:00:00'),
        sh('2026-12-28T00:00:00'),
        sh('2027-01-04T00:00:00'),
      ].map((d) => d.toISOString()),
    );
  });

  it('weekly in Berlin uses local midnight on both sides of DST', () => {
    expect(w('weekly', new Date('2026-03-30T07:00:00Z'), BER)).toEqual([
      '2026-03-15T23:00:00.000Z',
      '2026-03-22T23:00:00.000Z',
      '2026-03-22T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
  });

  it('monthly: previous calendar month, across a year end, in Shanghai', () => {
    expect(w('monthly', sh('2027-01-01T09:00:00'), SH)).toEqual(
      [
        sh('2026-11-01T00:00:00'),
        sh('2026-12-01T00:00:00'),
        sh('2026-12-01T00:00:00'),
        sh('2027-01-01T00:00:00'),
      ].map((d) => d.toISOString()),
    );
  });

  it('monthly in Berlin: the zone, not UTC, decides the month', () => {
    // 2026-04-01 00:30 CEST is still March 31 in UTC.
    expect(w('monthly', new Date('2026-03-31T22:30:00Z'), BER)).toEqual([
      '2026-01-31T23:00:00.000Z',
      '2026-02-28T23:00:00.000Z',
      '2026-02-28T23:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
    ]);
  });

  it('refuses an invalid zone', () => {
    expect(() => comparisonWindows('daily', new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});
