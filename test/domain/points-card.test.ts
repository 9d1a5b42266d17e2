import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { needsMustTalk, newlyCrossedFlags, pointsFlags } from '../../src/domain/points-card.js';

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
