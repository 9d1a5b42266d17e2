import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unknownHeadKey } from '../../src/domain/heads.js';
import {
  cardsByPerson,
  deductionYear,
  needsMustTalk,
  newlyCrossedByPerson,
  newlyCrossedFlags,
  newlyCrossedFlagsForPerson,
  type PersonDeduction,
  personCard,
  pointsFlags,
} from '../../src/domain/points-card.js';

const halves = (n: number, year = 2026) => Array.from({ length: n }, () => ({ year, points: 0.5 }));

describe('pointsFlags', () => {
  it.each([
    [3.5, []],
    [4, ['no_commendation']],
    [5.5, ['no_commendation']],
    [6, ['no_commendation', 'half_bonus_withheld']],
    [9.5, ['no_commendation', 'half_bonus_withheld']],
    [10, ['no_commendation', 'half_bonus_withheld', 'demotion_one_year']],
  ])('one year with %s points built from 0.5s', (total, flags) => {
    const r = pointsFlags(halves(total * 2), 2026);
    expect(r.yearTotal).toBe(total);
    expect(r.flags).toEqual(flags);
  });

  it('two consecutive years: 11.5 vs 12', () => {
    const below = pointsFlags(
      [
        { year: 2025, points: 8 },
        { year: 2026, points: 3.5 },
      ],
      2026,
    );
    expect(below.twoYearTotal).toBe(11.5);
    expect(below.flags).not.toContain('demotion_two_years');
    const at = pointsFlags(
      [
        { year: 2025, points: 8 },
        { year: 2026, points: 4 },
      ],
      2026,
    );
    expect(at.twoYearTotal).toBe(12);
    expect(at.flags).toEqual(['no_commendation', 'demotion_two_years']);
  });

  it('three consecutive years: 13.5 vs 14', () => {
    const d = [
      { year: 2024, points: 5 },
      { year: 2025, points: 5 },
    ];
    const below = pointsFlags([...d, { year: 2026, points: 3.5 }], 2026);
    expect(below.threeYearTotal).toBe(13.5);
    expect(below.flags).toEqual([]);
    const at = pointsFlags([...d, { year: 2026, points: 4 }], 2026);
    expect(at.flags).toEqual(['no_commendation', 'demotion_three_years']);
  });

  it('ignores other years and later years', () => {
    const r = pointsFlags(
      [
        { year: 2023, points: 20 },
        { year: 2027, points: 20 },
      ],
      2026,
    );
    expect(r).toEqual({ yearTotal: 0, twoYearTotal: 0, threeYearTotal: 0, flags: [] });
  });

  it('refuses points that are not multiples of 0.5', () => {
    expect(() => pointsFlags([{ year: 2026, points: 0.3 }], 2026)).toThrow(RangeError);
  });

  it('sums exactly (property): totals equal count × 0.5', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 60 }), (hs) => {
        const r = pointsFlags(
          hs.map((h) => ({ year: 2026, points: h / 2 })),
          2026,
        );
        expect(r.yearTotal * 2).toBe(hs.reduce((a, b) => a + b, 0));
      }),
    );
  });
});

describe('newlyCrossedFlags', () => {
  it('reports each threshold once, when crossed', () => {
    expect(newlyCrossedFlags(halves(7), { year: 2026, points: 0.5 }, 2026)).toEqual(['no_commendation']);
    expect(newlyCrossedFlags(halves(8), { year: 2026, points: 0.5 }, 2026)).toEqual([]);
    expect(newlyCrossedFlags([{ year: 2026, points: 3 }], { year: 2026, points: 0.5 }, 2026)).toEqual([]);
    expect(newlyCrossedFlags([{ year: 2026, points: 3.5 }], { year: 2026, points: 2.5 }, 2026)).toEqual([
      'no_commendation',
      'half_bonus_withheld',
    ]);
  });
});

describe('needsMustTalk', () => {
  it('only for integrity items found at least partly true', () => {
    expect(needsMustTalk('I', 'substantiated')).toBe(true);
    expect(needsMustTalk('I', 'partly')).toBe(true);
    expect(needsMustTalk('I', 'unsubstantiated')).toBe(false);
    for (const d of ['D', 'F', 'P', 'S', 'O'] as const) expect(needsMustTalk(d, 'substantiated')).toBe(false);
  });
});

// The card follows the person: 张伟 heads 鹤浦镇 (HPZ), then moves to 大徐镇 (DXZ); 李强 succeeds him at HPZ.
const ZHANG = 'p-zhang';
const LI = 'p-li';
const d = (personKey: string, unitCode: string, year: number, points: number): PersonDeduction => ({
  personKey,
  unitCode,
  year,
  points,
});
// n half points for one person in one year at one unit.
const halvesAt = (personKey: string, unitCode: string, year: number, n: number) =>
  Array.from({ length: n }, () => d(personKey, unitCode, year, 0.5));

describe('personCard: the card per person, across units and years', () => {
  it.each([
    [3.5, []],
    [4, ['no_commendation']],
    [5.5, ['no_commendation']],
    [6, ['no_commendation', 'half_bonus_withheld']],
    [9.5, ['no_commendation', 'half_bonus_withheld']],
    [10, ['no_commendation', 'half_bonus_withheld', 'demotion_one_year']],
  ])('one year, %s points split across a unit change', (total, flags) => {
    const halves = total * 2;
    const atHpz = Math.floor(halves / 2);
    const all = [...halvesAt(ZHANG, 'HPZ', 2026, atHpz), ...halvesAt(ZHANG, 'DXZ', 2026, halves - atHpz)];
    const card = personCard([...all, ...halvesAt(LI, 'HPZ', 2026, 20)], ZHANG, 2026);
    expect(card.yearTotal).toBe(total);
    expect(card.flags).toEqual(flags);
    expect(card.units).toEqual(['DXZ', 'HPZ']);
  });

  it('two consecutive years across a unit change: 11.5 vs 12', () => {
    const hpz2025 = d(ZHANG, 'HPZ', 2025, 2);
    const base = [hpz2025, hpz2025, hpz2025, hpz2025]; // 8 at HPZ in 2025
    const below = personCard([...base, ...halvesAt(ZHANG, 'DXZ', 2026, 7)], ZHANG, 2026);
    expect(below.twoYearTotal).toBe(11.5);
    expect(below.flags).toEqual([]);
    const at = personCard([...base, ...halvesAt(ZHANG, 'DXZ', 2026, 8)], ZHANG, 2026);
    expect(at.twoYearTotal).toBe(12);
    expect(at.flags).toEqual(['no_commendation', 'demotion_two_years']);
  });

  it('three consecutive years across two units: 13.5 vs 14', () => {
    const base = [d(ZHANG, 'HPZ', 2024, 2), d(ZHANG, 'HPZ', 2024, 2), d(ZHANG, 'HPZ', 2024, 1)];
    const mid = [d(ZHANG, 'DXZ', 2025, 2), d(ZHANG, 'DXZ', 2025, 2), d(ZHANG, 'DXZ', 2025, 1)]; // 5 + 5
    const below = personCard([...base, ...mid, ...halvesAt(ZHANG, 'DXZ', 2026, 7)], ZHANG, 2026);
    expect(below.threeYearTotal).toBe(13.5);
    expect(below.twoYearTotal).toBe(8.5);
    expect(below.flags).toEqual([]);
    const at = personCard([...base, ...mid, ...halvesAt(ZHANG, 'DXZ', 2026, 8)], ZHANG, 2026);
    expect(at.threeYearTotal).toBe(14);
    expect(at.flags).toEqual(['no_commendation', 'demotion_three_years']);
    // A fourth year back no longer counts.
    expect(personCard([...base, ...mid], ZHANG, 2027)).toMatchObject({ threeYearTotal: 5, units: ['DXZ'] });
  });

  it('a head change never moves points: the successor starts at 0, the predecessor keeps his', () => {
    const all = [d(ZHANG, 'HPZ', 2026, 2), d(LI, 'HPZ', 2026, 0.5)];
    expect(personCard(all, ZHANG, 2026).yearTotal).toBe(2);
    expect(personCard(all, LI, 2026).yearTotal).toBe(0.5);
    expect(personCard(all, 'p-nobody', 2026)).toMatchObject({ yearTotal: 0, flags: [], units: [] });
  });

  it('points from before heads existed sit on the unknown head of the unit', () => {
    const unknown = unknownHeadKey('HPZ');
    const card = personCard([d(unknown, 'HPZ', 2025, 4)], unknown, 2025);
    expect(card).toMatchObject({ unknownHead: true, yearTotal: 4, flags: ['no_commendation'] });
    expect(personCard([d(ZHANG, 'HPZ', 2025, 4)], ZHANG, 2025).unknownHead).toBe(false);
  });
});

describe('cardsByPerson', () => {
  it('lists everyone with points in the three-year window, most points this year first', () => {
    const cards = cardsByPerson(
      [
        d(ZHANG, 'HPZ', 2026, 2),
        d(LI, 'HPZ', 2026, 3),
        d('p-wang', 'SPZ', 2025, 6),
        d('p-old', 'SPZ', 2023, 9),
      ],
      2026,
    );
    expect(cards.map((c) => [c.personKey, c.yearTotal, c.threeYearTotal])).toEqual([
      [LI, 3, 3],
      [ZHANG, 2, 2],
      ['p-wang', 0, 6],
    ]);
  });
});

describe('newly crossed flags per person', () => {
  it('a deduction alerts only its own person, counting their points at every unit', () => {
    const before = [...halvesAt(ZHANG, 'HPZ', 2026, 7), ...halvesAt(LI, 'HPZ', 2026, 7)];
    // 张伟 moved to DXZ: the 4th point there crosses 4, counting the 3.5 from HPZ.
    expect(newlyCrossedFlagsForPerson(before, d(ZHANG, 'DXZ', 2026, 0.5))).toEqual(['no_commendation']);
    // 王芳's first half point crosses nothing, although HPZ as a unit has 7 points this year.
    expect(newlyCrossedFlagsForPerson(before, d('p-wang', 'HPZ', 2026, 0.5))).toEqual([]);
  });

  it('a deduction that closes a three-year window across units alerts once', () => {
    const before = [d(ZHANG, 'HPZ', 2024, 2), d(ZHANG, 'HPZ', 2024, 2), d(ZHANG, 'HPZ', 2024, 1)];
    before.push(d(ZHANG, 'DXZ', 2025, 2), d(ZHANG, 'DXZ', 2025, 2), d(ZHANG, 'DXZ', 2025, 1));
    before.push(...halvesAt(ZHANG, 'DXZ', 2026, 7)); // 13.5
    expect(newlyCrossedFlagsForPerson(before, d(ZHANG, 'DXZ', 2026, 0.5))).toEqual([
      'no_commendation',
      'demotion_three_years',
    ]);
    expect(
      newlyCrossedFlagsForPerson([...before, d(ZHANG, 'DXZ', 2026, 0.5)], d(ZHANG, 'DXZ', 2026, 0.5)),
    ).toEqual([]);
  });

  it('a batch reports each person once, with the flags they newly reach', () => {
    const before = [d(ZHANG, 'HPZ', 2026, 3.5)];
    expect(
      newlyCrossedByPerson(before, [
        d(ZHANG, 'DXZ', 2026, 0.5),
        d(ZHANG, 'DXZ', 2026, 2),
        d(LI, 'HPZ', 2026, 1),
      ]),
    ).toEqual([{ personKey: ZHANG, year: 2026, flags: ['no_commendation', 'half_bonus_withheld'] }]);
  });

  it('per person equals the per-list rule on that person’s deductions (property)', () => {
    const people = fc.constantFrom(ZHANG, LI, 'p-wang');
    const deduction = fc.record({
      personKey: people,
      unitCode: fc.constantFrom('HPZ', 'DXZ'),
      year: fc.integer({ min: 2024, max: 2026 }),
      points: fc.integer({ min: 1, max: 4 }).map((h) => h / 2),
    });
    fc.assert(
      fc.property(fc.array(deduction, { maxLength: 40 }), deduction, (before, added) => {
        const own = before.filter((x) => x.personKey === added.personKey);
        expect(newlyCrossedFlagsForPerson(before, added)).toEqual(newlyCrossedFlags(own, added, added.year));
        const card = personCard([...before, added], added.personKey, added.year);
        expect(card.flags).toEqual(pointsFlags([...own, added], added.year).flags);
      }),
    );
  });
});

describe('deductionYear', () => {
  it('is the year in the county’s zone', () => {
    expect(deductionYear(new Date('2026-12-31T16:30:00Z'), 'Asia/Shanghai')).toBe(2027);
    expect(deductionYear(new Date('2026-12-31T16:30:00Z'), 'UTC')).toBe(2026);
    expect(() => deductionYear(new Date('2026-12-31T16:30:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });
});
