import { DateTime } from 'luxon';
import { isUnknownHeadKey, type PersonKey } from './heads.js';
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

/**
 * A deduction on a person's card (the card follows the person, not the unit): whose points, and the
 * unit they headed when the points were deducted, so a card can say where they came from.
 */
export interface PersonDeduction extends Deduction {
  personKey: PersonKey;
  unitCode: string;
}

/** One person's integrity card for a year: totals over one, two and three years ending then, and flags. */
export interface PersonCard {
  personKey: PersonKey;
  year: number;
  yearTotal: number;
  twoYearTotal: number;
  threeYearTotal: number;
  flags: PointsFlag[];
  /** Units where the points of the three-year window were deducted, sorted. */
  units: string[];
  /** True for "the unknown head of <unit>": points recorded before heads were. */
  unknownHead: boolean;
}

/** The year a deduction counts in: the year, in the county's zone, of the day it was recorded. */
export function deductionYear(at: Date, timeZone: string): number {
  const dt = DateTime.fromJSDate(at, { zone: timeZone });
  if (!dt.isValid) throw new RangeError(`invalid instant or time zone: ${dt.invalidExplanation ?? timeZone}`);
  return dt.year;
}

/**
 * A person's card for `year`, from any list of deductions (only theirs count, across every unit they
 * headed). Throws RangeError like pointsFlags.
 */
export function personCard(
  deductions: readonly PersonDeduction[],
  personKey: PersonKey,
  year: number,
): PersonCard {
  const own = deductions.filter((d) => d.personKey === personKey);
  const totals = pointsFlags(own, year);
  const units = [
    ...new Set(own.filter((d) => d.year <= year && d.year > year - 3).map((d) => d.unitCode)),
  ].sort();
  return { personKey, year, ...totals, units, unknownHead: isUnknownHeadKey(personKey) };
}

/**
 * Every person with points in the three years ending `year`, most points this year first (then over
 * three years, then by key): the digest's and /heads' list.
 */
export function cardsByPerson(deductions: readonly PersonDeduction[], year: number): PersonCard[] {
  const keys = new Set(deductions.filter((d) => d.year <= year && d.year > year - 3).map((d) => d.personKey));
  return [...keys]
    .map((key) => personCard(deductions, key, year))
    .sort(
      (a, b) =>
        b.yearTotal - a.yearTotal ||
        b.threeYearTotal - a.threeYearTotal ||
        (a.personKey < b.personKey ? -1 : a.personKey > b.personKey ? 1 : 0),
    );
}

/**
 * Flags the person of `added` newly reaches in `added.year` once it is counted: only their own
 * deductions count, wherever they were head, so a successor never inherits a predecessor's alert.
 */
export function newlyCrossedFlagsForPerson(
  before: readonly PersonDeduction[],
  added: PersonDeduction,
): PointsFlag[] {
  return newlyCrossedFlags(
    before.filter((d) => d.personKey === added.personKey),
    added,
    added.year,
  );
}

/**
 * Flags newly reached per person when a batch of deductions is added (an import, or a week for the
 * digest), each for the year of that person's latest added deduction; people with none are left out.
 */
export function newlyCrossedByPerson(
  before: readonly PersonDeduction[],
  added: readonly PersonDeduction[],
): { personKey: PersonKey; year: number; flags: PointsFlag[] }[] {
  const byPerson = new Map<PersonKey, PersonDeduction[]>();
  for (const d of added) byPerson.set(d.personKey, [...(byPerson.get(d.personKey) ?? []), d]);
  const result: { personKey: PersonKey; year: number; flags: PointsFlag[] }[] = [];
  for (const [personKey, mine] of [...byPerson].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const year = Math.max(...mine.map((d) => d.year));
    const prior = before.filter((d) => d.personKey === personKey);
    const was = new Set(pointsFlags(prior, year).flags);
    const flags = pointsFlags([...prior, ...mine], year).flags.filter((f) => !was.has(f));
    if (flags.length > 0) result.push({ personKey, year, flags });
  }
  return result;
}

/** The year of `now` in the county's time zone, as the integrity card counts years. */
export function cardYear(now: Date, timeZone: string): number {
  return DateTime.fromJSDate(now, { zone: timeZone }).year;
}
