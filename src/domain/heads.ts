import { addCalendarDays, isLocalDate, type LocalDate, localDateOf } from './local-date.js';

/**
 * Heads (一把手) as people with tenure. A tip is about whoever headed the unit when it arrived, and the
 * integrity card follows the person, not the unit: when 鹤浦镇 gets a new head the points stay with the
 * old one, and go with them to their next post. Tenures are inclusive days in the county's time zone.
 */

/** A stable key for one person, made by the caller (e.g. a UUID); names are not unique, keys are. */
export type PersonKey = string;

/** A person who heads, or headed, a unit. */
export interface Person {
  key: PersonKey;
  name: string;
}

/**
 * One person heading one unit from `from` to `to` (inclusive; `to` null = in office). The title belongs
 * to the tenure, not the person: the same person is 党委书记 of a town, then 局长 of a bureau.
 */
export interface Tenure {
  personKey: PersonKey;
  unitCode: string;
  title: string | null;
  from: LocalDate;
  to: LocalDate | null;
}

/** Longest head name kept, in code points (Chinese names are 2–4, with a minority name up to ~20). */
export const MAX_HEAD_NAME_LENGTH = 40;
/** Longest title kept, in code points. */
export const MAX_HEAD_TITLE_LENGTH = 40;
/** Longest person key a caller may make. */
export const MAX_PERSON_KEY_LENGTH = 64;

const UNKNOWN_PREFIX = 'unknown:';
const UNIT_CODE = /^[A-Z][A-Z0-9]{1,9}$/;
const PERSON_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/**
 * The key of "the unknown head of <unit>": deductions and items recorded before heads existed, or on
 * days no head is recorded for, belong to this pseudo-person, so they stay visible and never land on a
 * real person's card by guesswork. It holds no tenure.
 */
export function unknownHeadKey(unitCode: string): PersonKey {
  return `${UNKNOWN_PREFIX}${unitCode.toUpperCase()}`;
}

/** Whether a key is an unknown-head key. */
export function isUnknownHeadKey(key: PersonKey): boolean {
  return key.startsWith(UNKNOWN_PREFIX);
}

/** The unit of an unknown-head key, or null for a real person's key. */
export function unitOfUnknownHead(key: PersonKey): string | null {
  return isUnknownHeadKey(key) ? key.slice(UNKNOWN_PREFIX.length) : null;
}

/** Whether a caller-made key is usable for a real person (letters, digits, `_.:-`; not an unknown-head key). */
export function isValidPersonKey(key: string): boolean {
  return key.length <= MAX_PERSON_KEY_LENGTH && PERSON_KEY.test(key) && !isUnknownHeadKey(key);
}

/**
 * A name as compared for "same name?": Unicode-normalised (full-width letters fold), without spaces or
 * middle dots (张 伟, 张伟 and 阿依·古丽 vs 阿依古丽 are written both ways), case-insensitive.
 */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s·・.]/gu, '')
    .toLowerCase();
}

function byFrom(a: Tenure, b: Tenure): number {
  return a.from < b.from ? -1 : a.from > b.from ? 1 : 0;
}

function covers(t: Tenure, date: LocalDate): boolean {
  return t.from <= date && (t.to === null || date <= t.to);
}

/** A unit's tenures, earliest first (its heads over time). */
export function unitTenures(tenures: readonly Tenure[], unitCode: string): Tenure[] {
  const unit = unitCode.toUpperCase();
  return tenures.filter((t) => t.unitCode === unit).sort(byFrom);
}

/** A person's tenures across units, earliest first. */
export function personTenures(tenures: readonly Tenure[], personKey: PersonKey): Tenure[] {
  return tenures.filter((t) => t.personKey === personKey).sort(byFrom);
}

/** The tenure covering `date` at a unit (its head that day), or null when none is recorded. */
export function headAt(tenures: readonly Tenure[], unitCode: string, date: LocalDate): Tenure | null {
  const unit = unitCode.toUpperCase();
  return tenures.find((t) => t.unitCode === unit && covers(t, date)) ?? null;
}

/**
 * Whom an item arriving at `at` is about: the unit's head on that day in `timeZone`. Throws RangeError on
 * an invalid zone.
 */
export function headAtInstant(
  tenures: readonly Tenure[],
  unitCode: string,
  at: Date,
  timeZone: string,
): Tenure | null {
  return headAt(tenures, unitCode, localDateOf(at, timeZone));
}

/** The person key an item or deduction on `date` belongs to: the head then, or the unit's unknown head. */
export function subjectKeyAt(tenures: readonly Tenure[], unitCode: string, date: LocalDate): PersonKey {
  return headAt(tenures, unitCode, date)?.personKey ?? unknownHeadKey(unitCode);
}

/** Who the caller says the person being recorded is, once asked. */
export type HeadIdentity = { kind: 'same'; personKey: PersonKey } | { kind: 'new' };

/** A request to record that a person heads a unit from a day on (/head <UNIT> <name> [title] [date]). */
export interface HeadChange {
  unitCode: string;
  name: string;
  title: string | null;
  from: LocalDate;
  /** Absent on the first try; after a same-person question, the admin's answer. */
  identity?: HeadIdentity;
  /** The key to give the person if they turn out to be new (the caller makes it, e.g. a UUID). */
  newPersonKey: PersonKey;
}

/** Why a head change is refused. */
export type HeadChangeRefusal =
  | 'invalid_unit'
  | 'invalid_date'
  | 'invalid_name'
  | 'invalid_title'
  | 'invalid_person_key'
  | 'unknown_person'
  | 'name_mismatch'
  | 'already_head'
  | 'starts_before_current'
  | 'overlaps_unit'
  | 'overlaps_person';

/** A person with the same name, offered in the "same person?" question with where they served. */
export interface SamePersonCandidate {
  person: Person;
  tenures: Tenure[];
}

/** What recording a head change decides. */
export type HeadChangeOutcome =
  | {
      kind: 'recorded';
      person: Person;
      personIsNew: boolean;
      started: Tenure;
      /**
       * Tenures this change ended the day before `from`, as they now read: the unit's previous head
       * (if in office) and the person's own previous post elsewhere (if they move). Each is a
       * departure: a post-adjustment talk and a departure audit (逢离必审) follow.
       */
      ended: Tenure[];
      /** Every tenure after the change. */
      tenures: Tenure[];
      persons: Person[];
    }
  | {
      /** Someone with this name exists: ask the admin (buttons), then call again with `identity`. */
      kind: 'ask_same_person';
      candidates: SamePersonCandidate[];
    }
  | { kind: 'refused'; reason: HeadChangeRefusal; conflict?: Tenure };

function refused(reason: HeadChangeRefusal, conflict?: Tenure): HeadChangeOutcome {
  return conflict ? { kind: 'refused', reason, conflict } : { kind: 'refused', reason };
}

/**
 * Records that a person heads `unitCode` from `change.from`, ending the previous head's tenure the day
 * before. Refuses a start on or before the current head's start, an overlap with a closed tenure, and a
 * head recorded twice. A name someone already has (at any unit) is a question for the caller — two
 * people called 张伟 must stay apart, and a person who moves must keep their record — unless
 * `identity` answers it. A person still in office elsewhere moves: that post ends the day before.
 */
export function recordHead(
  state: { persons: readonly Person[]; tenures: readonly Tenure[] },
  change: HeadChange,
): HeadChangeOutcome {
  const unitCode = change.unitCode.toUpperCase();
  const name = change.name.trim();
  const title = change.title?.trim() || null;
  if (!UNIT_CODE.test(unitCode)) return refused('invalid_unit');
  if (!isLocalDate(change.from)) return refused('invalid_date');
  if (name === '' || Array.from(name).length > MAX_HEAD_NAME_LENGTH) return refused('invalid_name');
  if (title !== null && Array.from(title).length > MAX_HEAD_TITLE_LENGTH) return refused('invalid_title');

  let person: Person;
  let personIsNew = false;
  const identity = change.identity;
  if (identity?.kind === 'same') {
    const found = state.persons.find((p) => p.key === identity.personKey);
    if (!found) return refused('unknown_person');
    if (normalizeName(found.name) !== normalizeName(name)) return refused('name_mismatch');
    person = found;
  } else {
    if (identity === undefined) {
      const wanted = normalizeName(name);
      const namesakes = state.persons.filter((p) => normalizeName(p.name) === wanted);
      if (namesakes.length > 0) {
        return {
          kind: 'ask_same_person',
          candidates: namesakes.map((p) => ({ person: p, tenures: personTenures(state.tenures, p.key) })),
        };
      }
    }
    if (!isValidPersonKey(change.newPersonKey) || state.persons.some((p) => p.key === change.newPersonKey)) {
      return refused('invalid_person_key');
    }
    person = { key: change.newPersonKey, name };
    personIsNew = true;
  }

  const dayBefore = addCalendarDays(change.from, -1);
  const ended: { from: Tenure; to: Tenure }[] = [];

  const last = unitTenures(state.tenures, unitCode).at(-1);
  if (last) {
    if (last.personKey === person.key && (last.to === null || last.to >= change.from)) {
      return refused('already_head', last);
    }
    if (change.from <= last.from) return refused('starts_before_current', last);
    if (last.to !== null && change.from <= last.to) return refused('overlaps_unit', last);
    if (last.to === null) ended.push({ from: last, to: { ...last, to: dayBefore } });
  }

  for (const own of personTenures(state.tenures, person.key)) {
    if (own.unitCode === unitCode) continue;
    if (own.from >= change.from) return refused('overlaps_person', own);
    if (own.to === null) ended.push({ from: own, to: { ...own, to: dayBefore } });
    else if (own.to >= change.from) return refused('overlaps_person', own);
  }

  const started: Tenure = { personKey: person.key, unitCode, title, from: change.from, to: null };
  const replaced = new Map(ended.map((e) => [e.from, e.to]));
  const tenures = [...state.tenures.map((t) => replaced.get(t) ?? t), started];
  return {
    kind: 'recorded',
    person,
    personIsNew,
    started,
    ended: ended.map((e) => e.to),
    tenures,
    persons: personIsNew ? [...state.persons, person] : [...state.persons],
  };
}

/** What ending a head's tenure without a successor decides. */
export type EndTenureOutcome =
  | { kind: 'ended'; ended: Tenure; tenures: Tenure[] }
  | { kind: 'refused'; reason: 'invalid_date' | 'no_head_in_office' | 'ends_before_start' };

/**
 * Ends the tenure of the unit's head in office on `lastDay` (inclusive), leaving the post vacant: a head
 * removed under 四个必下, retired, or moved somewhere outside the directory.
 */
export function endTenure(
  tenures: readonly Tenure[],
  unitCode: string,
  lastDay: LocalDate,
): EndTenureOutcome {
  if (!isLocalDate(lastDay)) return { kind: 'refused', reason: 'invalid_date' };
  const open = unitTenures(tenures, unitCode).find((t) => t.to === null);
  if (!open) return { kind: 'refused', reason: 'no_head_in_office' };
  // A tenure of one day (from = to) is real: a head appointed and recalled at once.
  if (lastDay < open.from) return { kind: 'refused', reason: 'ends_before_start' };
  const ended = { ...open, to: lastDay };
  return { kind: 'ended', ended, tenures: tenures.map((t) => (t === open ? ended : t)) };
}

/** A problem with a set of tenures (e.g. an import), by position in the list. */
export interface TenureProblem {
  index: number;
  problem:
    | 'invalid_date'
    | 'ends_before_start'
    | 'invalid_unit'
    | 'invalid_person_key'
    | 'overlaps_unit'
    | 'overlaps_person';
  /** The other tenure involved in an overlap. */
  otherIndex?: number;
}

function overlap(a: Tenure, b: Tenure): boolean {
  return a.from <= (b.to ?? '9999-12-31') && b.from <= (a.to ?? '9999-12-31');
}

/**
 * Checks a whole set of tenures, e.g. a `heads import` file, against the rules recordHead keeps: real
 * dates, `to` not before `from`, real person keys, no two heads of a unit on one day, no person heading
 * two units on one day. Each overlap is reported once, on the later of the two rows.
 */
export function validateTenures(tenures: readonly Tenure[]): TenureProblem[] {
  const problems: TenureProblem[] = [];
  const sound: number[] = [];
  tenures.forEach((t, index) => {
    if (!isLocalDate(t.from) || (t.to !== null && !isLocalDate(t.to)))
      problems.push({ index, problem: 'invalid_date' });
    else if (t.to !== null && t.to < t.from) problems.push({ index, problem: 'ends_before_start' });
    else if (!UNIT_CODE.test(t.unitCode)) problems.push({ index, problem: 'invalid_unit' });
    else if (!isValidPersonKey(t.personKey)) problems.push({ index, problem: 'invalid_person_key' });
    else sound.push(index);
  });
  for (let i = 0; i < sound.length; i++) {
    const index = sound[i]!;
    const t = tenures[index]!;
    for (let j = 0; j < i; j++) {
      const otherIndex = sound[j]!;
      const o = tenures[otherIndex]!;
      if (!overlap(t, o)) continue;
      if (o.unitCode === t.unitCode) {
        problems.push({ index, problem: 'overlaps_unit', otherIndex });
        break;
      }
      if (o.personKey === t.personKey) {
        problems.push({ index, problem: 'overlaps_person', otherIndex });
        break;
      }
    }
  }
  return problems.sort((a, b) => a.index - b.index);
}

/** Who a deduction recorded before heads existed belongs to. */
export type LegacyAttribution =
  | { kind: 'person'; personKey: PersonKey }
  | { kind: 'unknown_head'; personKey: PersonKey }
  /** The recorded name matches nobody who headed the unit: the caller creates that person. */
  | { kind: 'name_only'; name: string }
  /** Several people of that name headed the unit and the date does not tell them apart: ask. */
  | { kind: 'ambiguous'; candidates: PersonKey[] };

/**
 * Attributes a deduction (or item) recorded before heads existed: to the person whose name was recorded
 * on it, preferring one who headed the unit that day; with no name recorded, to the unit's unknown head
 * — never to whoever happens to hold the post, because points decide demotions.
 */
export function attributeLegacyRecord(
  record: { unitCode: string; headName: string | null; on: LocalDate },
  persons: readonly Person[],
  tenures: readonly Tenure[],
): LegacyAttribution {
  const unitCode = record.unitCode.toUpperCase();
  const name = record.headName?.trim() ?? '';
  if (name === '') return { kind: 'unknown_head', personKey: unknownHeadKey(unitCode) };
  const wanted = normalizeName(name);
  const namesakes = new Set(persons.filter((p) => normalizeName(p.name) === wanted).map((p) => p.key));
  const atUnit = unitTenures(tenures, unitCode).filter((t) => namesakes.has(t.personKey));
  const thatDay = [...new Set(atUnit.filter((t) => covers(t, record.on)).map((t) => t.personKey))];
  if (thatDay.length === 1) return { kind: 'person', personKey: thatDay[0]! };
  const ever = [...new Set(atUnit.map((t) => t.personKey))];
  if (ever.length === 1) return { kind: 'person', personKey: ever[0]! };
  if (ever.length > 1) return { kind: 'ambiguous', candidates: ever.sort() };
  return { kind: 'name_only', name };
}
