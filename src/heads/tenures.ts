/**
 * Heads with tenure: recording who heads a unit from a day (/head), the heads with their integrity
 * cards (/heads), whom an item is about, and the CSV import and export of tenures. Decisions are the
 * domain's (domain/heads.ts); this module writes them, with the obligations a change causes.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import {
  type HeadChangeRefusal,
  type HeadIdentity,
  headAt,
  isUnknownHeadKey,
  isValidPersonKey,
  type Person,
  type PersonKey,
  recordHead,
  subjectKeyAt,
  type Tenure,
  type TenureProblem,
  unitOfUnknownHead,
  unitTenures,
  validateTenures,
} from '../domain/heads.js';
import { isLocalDate, type LocalDate, localDateOf } from '../domain/local-date.js';
import { obligationsForHeadChange, supersedeObligation } from '../domain/obligations.js';
import { cardYear, type PersonCard, personCard } from '../domain/points-card.js';
import { workingCalendar } from '../holidays.js';
import { loadUnits, unitByCode } from '../units/directory.js';
import {
  deductionsSince,
  endStoredTenure,
  insertObligations,
  insertPerson,
  insertTenure,
  loadMarks,
  loadObligations,
  loadPersons,
  loadTenures,
  personNames,
  replaceTenures,
  type StoredMark,
  settleStoredObligation,
  tenuresOfUnit,
} from './store.js';

/** When, by whom, and in which zone an action on heads is taken. */
export interface HeadsActing {
  actorId: number | null;
  now: Date;
  timeZone: string;
}

/** A tenure with its person's name. */
export type NamedTenure = Tenure & { name: string };

/** What /head asks for. */
export interface HeadChangeRequest {
  unitCode: string;
  name: string;
  title: string | null;
  /** The first day; today in the county's zone when null. */
  from: LocalDate | null;
  /** The admin's answer to "same person?", when asked. */
  identity?: HeadIdentity;
}

/** What recording a head did. */
export type HeadChangeResult =
  | { kind: 'recorded'; started: NamedTenure; ended: NamedTenure[]; obligations: number }
  | { kind: 'ask_same_person'; candidates: { person: Person; tenures: Tenure[] }[] }
  | { kind: 'unknown_unit' }
  | { kind: 'refused'; reason: HeadChangeRefusal; conflict?: NamedTenure };

async function named(db: Queryable, tenures: readonly Tenure[]): Promise<NamedTenure[]> {
  const names = await personNames(
    db,
    tenures.map((t) => t.personKey),
  );
  return tenures.map((t) => ({ ...t, name: names.get(t.personKey) ?? t.personKey }));
}

/**
 * Records that a person heads a unit from a day (default today), ending the previous head's tenure
 * the day before; creates the post-adjustment talks and departure audits the change calls for, and
 * audits the change. A name someone already has is returned as a question (same person?).
 */
export async function recordHeadChange(
  db: Queryable,
  request: HeadChangeRequest,
  acting: HeadsActing,
): Promise<HeadChangeResult> {
  const unitCode = request.unitCode.toUpperCase();
  if (!(await unitByCode(db, unitCode))) return { kind: 'unknown_unit' };
  const today = localDateOf(acting.now, acting.timeZone);
  const persons = await loadPersons(db);
  const tenures = await loadTenures(db);
  const outcome = recordHead(
    { persons, tenures },
    {
      unitCode,
      name: request.name,
      title: request.title,
      from: request.from ?? today,
      newPersonKey: randomUUID(),
      ...(request.identity ? { identity: request.identity } : {}),
    },
  );
  if (outcome.kind === 'ask_same_person') return outcome;
  if (outcome.kind === 'refused') {
    const conflict = outcome.conflict ? (await named(db, [outcome.conflict]))[0] : undefined;
    return { kind: 'refused', reason: outcome.reason, ...(conflict ? { conflict } : {}) };
  }
  if (outcome.personIsNew) await insertPerson(db, outcome.person);
  for (const ended of outcome.ended) await endStoredTenure(db, ended);
  await insertTenure(db, outcome.started);
  const involved = [outcome.started, ...outcome.ended].map((t) => t.personKey);
  const existing = (await Promise.all(involved.map((key) => loadObligations(db, { personKey: key })))).flat();
  const plan = obligationsForHeadChange({
    started: outcome.started,
    ended: outcome.ended,
    recordedOn: today,
    existing,
    // Due on the official calendar, as the items' own due dates are (holidays off, make-up days worked).
    calendar: await workingCalendar(db),
  });
  await insertObligations(db, plan.create);
  for (const { key, byKey } of plan.supersede) {
    const open = existing.find((o) => o.key === key);
    const settled = open ? supersedeObligation(open, { on: today, byKey }) : null;
    if (settled?.ok) await settleStoredObligation(db, settled.obligation, acting.actorId);
  }
  await appendAudit(db, {
    actorId: acting.actorId,
    action: 'head.recorded',
    details: {
      unit: unitCode,
      person: outcome.person.key,
      from: outcome.started.from,
      ended: outcome.ended.map((t) => ({ unit: t.unitCode, person: t.personKey, to: t.to })),
    },
  });
  const [started, ...ended] = await named(db, [outcome.started, ...outcome.ended]);
  return { kind: 'recorded', started: started!, ended, obligations: plan.create.length };
}

/**
 * Whom an item about `unitCode` arriving at `at` is about: the unit's head that day, or the unit's
 * unknown head when none is recorded.
 */
export async function headKeyForItem(
  db: Queryable,
  unitCode: string,
  at: Date,
  timeZone: string,
): Promise<PersonKey> {
  return subjectKeyAt(await tenuresOfUnit(db, unitCode), unitCode, localDateOf(at, timeZone));
}

/** The names of the heads some items are about (for /queue lines); unknown keys are left out. */
export async function headNames(db: Queryable, keys: readonly PersonKey[]): Promise<Map<PersonKey, string>> {
  return personNames(db, keys);
}

/**
 * The people who headed `unitCode`, in the order of their first tenure there: the choices when an
 * officer corrects whom an item is about.
 */
export async function headsOfUnit(
  db: Queryable,
  unitCode: string,
): Promise<Array<{ personKey: PersonKey; name: string | null }>> {
  const keys = [...new Set((await tenuresOfUnit(db, unitCode)).map((t) => t.personKey))];
  const names = await personNames(db, keys);
  return keys.map((personKey) => ({ personKey, name: names.get(personKey) ?? null }));
}

/** The head an item is about as the card shows it: name, title and this year's card. */
export interface ItemHead {
  personKey: PersonKey;
  name: string | null;
  title: string | null;
  card: PersonCard;
}

/**
 * The head an item is about (its recorded head, or the unit's head on the day it arrived), with the
 * person's card for the year of `now`. `includeAdminsOnly` false leaves out points of admins-only items.
 */
export async function itemHead(
  db: Queryable,
  item: { unitCode: string; headPersonKey: string | null; createdAt: Date },
  context: { now: Date; timeZone: string; includeAdminsOnly: boolean },
): Promise<ItemHead> {
  const tenures = await loadTenures(db);
  const key =
    item.headPersonKey ?? subjectKeyAt(tenures, item.unitCode, localDateOf(item.createdAt, context.timeZone));
  const year = cardYear(context.now, context.timeZone);
  const deductions = await deductionsSince(db, year - 2, context.includeAdminsOnly);
  const names = await personNames(db, [key]);
  const tenure = headAt(tenures, item.unitCode, localDateOf(item.createdAt, context.timeZone));
  return {
    personKey: key,
    name: names.get(key) ?? null,
    title: tenure?.personKey === key ? tenure.title : null,
    card: personCard(deductions, key, year),
  };
}

/** One line of /heads: a tenure (or a person with points and no tenure there), the card, 必下 marks. */
export interface HeadsLine {
  personKey: PersonKey;
  name: string | null;
  unitCode: string;
  title: string | null;
  from: LocalDate | null;
  to: LocalDate | null;
  card: PersonCard;
  /** Pending 四个必下 marks; only filled for admins. */
  mustRemove: StoredMark[];
}

/**
 * /heads: with no unit, every head in office today with this year's card; with a unit, its heads over
 * time, then anyone whose points at that unit have no tenure there (e.g. its unknown head).
 * Officers see no points of admins-only items and no 必下 marks.
 */
export async function listHeads(
  db: Queryable,
  input: { unitCode: string | null },
  context: { now: Date; timeZone: string; admin: boolean },
): Promise<{ kind: 'listed'; lines: HeadsLine[] } | { kind: 'unknown_unit' }> {
  const today = localDateOf(context.now, context.timeZone);
  const year = cardYear(context.now, context.timeZone);
  const tenures = await loadTenures(db);
  const deductions = await deductionsSince(db, year - 2, context.admin);
  const marks = context.admin ? await loadMarks(db, { pendingOnly: true }) : [];
  let shown: Tenure[];
  const extra: { personKey: PersonKey; unitCode: string }[] = [];
  if (input.unitCode === null) {
    shown = tenures
      .filter((t) => t.from <= today && (t.to === null || today <= t.to))
      .sort((a, b) => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0));
  } else {
    const unitCode = input.unitCode.toUpperCase();
    if (!(await unitByCode(db, unitCode))) return { kind: 'unknown_unit' };
    shown = unitTenures(tenures, unitCode);
    const withTenure = new Set(shown.map((t) => t.personKey));
    for (const d of deductions) {
      if (d.unitCode !== unitCode || withTenure.has(d.personKey)) continue;
      withTenure.add(d.personKey);
      extra.push({ personKey: d.personKey, unitCode });
    }
  }
  const names = await personNames(db, [...shown.map((t) => t.personKey), ...extra.map((e) => e.personKey)]);
  const line = (personKey: PersonKey, unitCode: string, tenure: Tenure | null): HeadsLine => ({
    personKey,
    name: names.get(personKey) ?? null,
    unitCode,
    title: tenure?.title ?? null,
    from: tenure?.from ?? null,
    to: tenure?.to ?? null,
    card: personCard(deductions, personKey, year),
    mustRemove: marks.filter((m) => m.personKey === personKey),
  });
  return {
    kind: 'listed',
    lines: [
      ...shown.map((t) => line(t.personKey, t.unitCode, t)),
      ...extra.map((e) => line(e.personKey, e.unitCode, null)),
    ],
  };
}

/** The columns of a heads CSV, in order. */
export const HEADS_CSV_COLUMNS = ['unit_code', 'name', 'title', 'from', 'to', 'person_key'] as const;

/** One row of a heads file: a tenure and its person. */
export interface HeadsRow {
  unitCode: string;
  name: string;
  title: string | null;
  from: LocalDate;
  to: LocalDate | null;
  personKey: PersonKey;
}

/** A row of a heads CSV that cannot be imported, with its line number. */
export interface HeadsCsvProblem {
  line: number;
  problem: string;
}

const TENURE_PROBLEM_TEXT: Record<TenureProblem['problem'], string> = {
  invalid_date: 'from and to must be dates YYYY-MM-DD',
  ends_before_start: 'to is before from',
  invalid_unit: 'unit_code must be 2-10 letters/digits',
  invalid_person_key: 'person_key must be letters, digits or _.:- (at most 64)',
  overlaps_unit: 'overlaps another head of this unit',
  overlaps_person: 'overlaps another tenure of this person',
};

/**
 * Parses a heads CSV (`unit_code,name,title,from,to,person_key`; `to` empty = in office; rows of one
 * person share a person_key) and checks it whole: units in the directory, one name per person key,
 * and the tenure rules. Returns the rows, or every problem with its line number.
 */
export function parseHeadsCsv(
  content: string,
  knownUnits: ReadonlySet<string>,
): { rows: HeadsRow[]; problems: HeadsCsvProblem[] } {
  const records = parse(content, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
    string,
    string | undefined
  >[];
  const problems: HeadsCsvProblem[] = [];
  const rows: { row: HeadsRow; line: number }[] = [];
  const nameOf = new Map<string, string>();
  records.forEach((record, index) => {
    const line = index + 2;
    const unitCode = (record.unit_code ?? '').toUpperCase();
    const name = record.name ?? '';
    const personKey = record.person_key ?? '';
    const from = record.from ?? '';
    const to = record.to || null;
    if (!knownUnits.has(unitCode))
      problems.push({ line, problem: `unit_code ${unitCode || '(empty)'} is not in the directory` });
    else if (name === '') problems.push({ line, problem: 'name is empty' });
    else if (!isValidPersonKey(personKey))
      problems.push({ line, problem: TENURE_PROBLEM_TEXT.invalid_person_key });
    else if (!isLocalDate(from) || (to !== null && !isLocalDate(to)))
      problems.push({ line, problem: TENURE_PROBLEM_TEXT.invalid_date });
    else if (nameOf.has(personKey) && nameOf.get(personKey) !== name)
      problems.push({ line, problem: `person_key ${personKey} has another name on an earlier row` });
    else {
      nameOf.set(personKey, name);
      rows.push({ row: { unitCode, name, title: record.title || null, from, to, personKey }, line });
    }
  });
  for (const p of validateTenures(rows.map(({ row }) => ({ ...row })))) {
    const other = p.otherIndex === undefined ? '' : ` (line ${rows[p.otherIndex]!.line})`;
    problems.push({ line: rows[p.index]!.line, problem: `${TENURE_PROBLEM_TEXT[p.problem]}${other}` });
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows: problems.length > 0 ? [] : rows.map(({ row }) => row), problems };
}

/**
 * Replaces every tenure with a file's rows, in the caller's transaction (all or nothing): people are
 * added or renamed by person key, and no one is removed (their points and obligations stay theirs).
 * Audited with the count only.
 */
export async function importHeads(
  db: Queryable,
  content: string,
  actorId: number | null,
): Promise<
  { kind: 'imported'; tenures: number; persons: number } | { kind: 'refused'; problems: HeadsCsvProblem[] }
> {
  const knownUnits = new Set((await loadUnits(db)).map((u) => u.code));
  const { rows, problems } = parseHeadsCsv(content, knownUnits);
  if (problems.length > 0) return { kind: 'refused', problems };
  const persons = [...new Map(rows.map((r) => [r.personKey, { key: r.personKey, name: r.name }])).values()];
  await replaceTenures(
    db,
    persons,
    rows.map((r) => ({
      personKey: r.personKey,
      unitCode: r.unitCode,
      title: r.title,
      from: r.from,
      to: r.to,
    })),
  );
  await appendAudit(db, {
    actorId,
    action: 'heads.imported',
    details: { tenures: rows.length, persons: persons.length },
  });
  return { kind: 'imported', tenures: rows.length, persons: persons.length };
}

/** Every tenure as a heads-file row, by unit then first day (what `heads export` writes). */
export async function exportHeads(db: Queryable): Promise<HeadsRow[]> {
  const tenures = await loadTenures(db);
  const names = await personNames(
    db,
    tenures.map((t) => t.personKey),
  );
  return tenures
    .map((t) => ({ ...t, name: names.get(t.personKey) ?? '' }))
    .sort((a, b) =>
      a.unitCode === b.unitCode ? (a.from < b.from ? -1 : 1) : a.unitCode < b.unitCode ? -1 : 1,
    )
    .map((t) => ({
      unitCode: t.unitCode,
      name: t.name,
      title: t.title,
      from: t.from,
      to: t.to,
      personKey: t.personKey,
    }));
}

/** The unit an unknown head belongs to, for rendering "unknown head of <unit>". */
export function unknownHeadUnit(key: PersonKey): string | null {
  return isUnknownHeadKey(key) ? unitOfUnknownHead(key) : null;
}
