import type { Finding } from './item-state.js';
import type { Domain } from './tip-code.js';

/** Points deducted from a head in one year (廉政监督扣分制); a multiple of 0.5. */
export interface Deduction {
  year: number;
  points: number;
}

/** Consequences of the integrity supervision card, in ascending severity. */
export type PointsFlag =
  | 'no_commendation'
  | 'half_bonus_withheld'
  | 'demotion_one_year'
  | 'demotion_two_years'
  | 'demotion_three_years';

/** Thresholds ("or more") of the card, in points; the window is how many consecutive years end at `year`. */
export const POINTS_THRESHOLDS: readonly { flag: PointsFlag; years: 1 | 2 | 3; points: number }[] = [
  { flag: 'no_commendation', years: 1, points: 4 },
  { flag: 'half_bonus_withheld', years: 1, points: 6 },
  { flag: 'demotion_one_year', years: 1, points: 10 },
  { flag: 'demotion_two_years', years: 2, points: 12 },
  { flag: 'demotion_three_years', years: 3, points: 14 },
];

// Sums run in half points as integers, so 0.5 + 0.5 + … never drifts below a threshold.
function toHalves(points: number): number {
  const halves = points * 2;
  if (!Number.isFinite(points) || !Number.isInteger(halves)) {
    throw new RangeError(`points must be a multiple of 0.5: ${points}`);
  }
  return halves;
}

/**
 * Totals for `year`, `year`−1..`year` and `year`−2..`year`, and the flags they reach (≥ thresholds).
 * Throws RangeError if a deduction is not a multiple of 0.5 (validateConclusion keeps them so).
 */
export function pointsFlags(
  deductions: readonly Deduction[],
  year: number,
): { yearTotal: number; twoYearTotal: number; threeYearTotal: number; flags: PointsFlag[] } {
  const halves = [0, 0, 0];
  for (const d of deductions) {
    const h = toHalves(d.points);
    const age = year - d.year;
    for (let window = 0; window < 3; window++) {
      if (age >= 0 && age <= window) halves[window] = (halves[window] ?? 0) + h;
    }
  }
  const [one = 0, two = 0, three = 0] = halves;
  const byYears = { 1: one, 2: two, 3: three } as const;
  const flags = POINTS_THRESHOLDS.filter((t) => byYears[t.years] >= t.points * 2).map((t) => t.flag);
  return { yearTotal: one / 2, twoYearTotal: two / 2, threeYearTotal: three / 2, flags };
}

/** Flags that hold for `year` once `added` is counted and did not hold before: each warrants one alert. */
export function newlyCrossedFlags(
  before: readonly Deduction[],
  added: Deduction,
  year: number,
): PointsFlag[] {
  const was = new Set(pointsFlags(before, year).flags);
  return pointsFlags([...before, added], year).flags.filter((f) => !was.has(f));
}

/** Whether concluding an item calls for a must-talk (八必谈: 廉洁情况有反映): integrity item, finding at least partly true. */
export function needsMustTalk(domain: Domain, finding: Finding): boolean {
  return domain === 'I' && (finding === 'substantiated' || finding === 'partly');
}
