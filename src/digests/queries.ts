/**
 * The aggregates the digests show, computed in SQL (GROUP BY, COUNT … FILTER, window counts) over indexed
 * columns, so a digest costs the same at a thousand items or a million: no item rows are loaded into memory
 * beyond the few listed by number. Nothing here selects an item's text or its reporter.
 */

import { type SQL, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { telegramIdOfPersonNumber } from '../crypto/person-numbers.js';
import { type Queryable, queryRows } from '../db/client.js';
import type { Window } from '../domain/periods.js';
import { type Deduction, pointsFlags } from '../domain/points-card.js';
import { RELATED_WINDOW_DAYS, REPEAT_SUBJECT_THRESHOLD } from '../domain/routing.js';
import { OPEN_STATUSES } from '../domain/triage.js';
import { displayNames, silentReporterCounts } from '../people/store.js';
import type { WeeklySeries } from './chart.js';
import {
  type DigestItem,
  type DigestMustRemove,
  type DigestObligation,
  type DomainCounts,
  type ForwardedCount,
  type ItemList,
  MAX_LISTED,
  type MeanDuration,
  type OfficerLoad,
  type PointsCrossing,
  type RepeatSubject,
  type SilentGroup,
  type SourceCount,
  type SourceDomainCounts,
} from './model.js';
/** Days without a report after which a monitor or liaison is "silent" (the section visits them). */
export const SILENT_DAYS = 30;
/** "Due soon" horizon of the daily digest. */
export const DUE_SOON_DAYS = 3;
/** How far back the monthly circulation looks for items forwarded to an agency. */
export const FORWARDED_LOOKBACK_DAYS = 365;
/** Items listed in one agency's circulation. */
export const MAX_AGENCY_ITEMS = 50;

/** Which items a digest may count: the section chat never sees items reserved for admins. */
export interface Scope {
  includeAdminsOnly: boolean;
  /** ADMIN_ONLY_UNITS: talks and audits at these units are left out unless `includeAdminsOnly`. */
  adminOnlyUnits?: readonly string[];
}

const ts = (date: Date): SQL => sql`${date.toISOString()}::timestamptz`;
const openStatuses = sql.raw(OPEN_STATUSES.map((s) => `'${s}'`).join(', '));
// The date an open item is next due: triage while new, conclusion once taken up.
const dueExpr = sql.raw(`(case when status = 'new' then triage_due_at else conclude_due_at end)`);

/**
 * The one scope rule of the digests: outside the admins' own view, an item reserved for admins
 * (ADMIN_ONLY_UNITS) contributes nothing — no count, no list entry, no points, no reveal. For a row
 * of `items`, its admins_only column; for a row that points at an item (`itemColumn`), that item's.
 */
function scopeFilter(scope: Scope, column = 'admins_only'): SQL {
  return scope.includeAdminsOnly ? sql`true` : sql.raw(`not ${column}`);
}

function scopeByItem(scope: Scope, itemColumn: string): SQL {
  if (scope.includeAdminsOnly) return sql`true`;
  return sql`not exists (select 1 from items scoped where scoped.id = ${sql.raw(itemColumn)} and scoped.admins_only)`;
}

interface ItemRow extends Record<string, unknown> {
  id: number;
  domain: string;
  unit_code: string;
  status: string;
  due_at: Date | string | null;
  total: number;
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}

function toItemList(rows: ItemRow[]): ItemList {
  const items: DigestItem[] = rows.map((row) => ({
    id: Number(row.id),
    domain: row.domain,
    unitCode: row.unit_code,
    status: row.status,
    dueAt: toDate(row.due_at),
  }));
  return { total: Number(rows[0]?.total ?? 0), items };
}

async function itemList(db: Queryable, where: SQL, orderBy: SQL, limit = MAX_LISTED): Promise<ItemList> {
  const rows = await queryRows<ItemRow>(
    db,
    sql`select id, domain, unit_code, status, ${dueExpr} as due_at, (count(*) over ())::int as total
        from items where ${where} order by ${orderBy} limit ${limit}`,
  );
  return toItemList(rows);
}

/** New items in `window` by domain, source kind and agency (one row per combination). */
export async function newItemCounts(
  db: Queryable,
  window: Window,
  scope: Scope,
): Promise<{ byDomain: DomainCounts; bySource: SourceCount[]; bySourceDomain: SourceDomainCounts[] }> {
  const rows = await queryRows<{
    domain: string;
    source_kind: string;
    source_agency: string | null;
    n: number;
  }>(
    db,
    sql`select domain, source_kind, source_agency, count(*)::int as n from items
        where created_at >= ${ts(window.start)} and created_at < ${ts(window.end)} and ${scopeFilter(scope)}
        group by domain, source_kind, source_agency`,
  );
  const byDomain: DomainCounts = {};
  const sources = new Map<string, SourceDomainCounts>();
  for (const row of rows) {
    const n = Number(row.n);
    byDomain[row.domain] = (byDomain[row.domain] ?? 0) + n;
    const agency = row.source_kind === 'liaison' ? row.source_agency : null;
    const key = `${row.source_kind}:${agency ?? ''}`;
    const entry = sources.get(key) ?? { sourceKind: row.source_kind, agency, byDomain: {} };
    entry.byDomain[row.domain] = (entry.byDomain[row.domain] ?? 0) + n;
    sources.set(key, entry);
  }
  const bySourceDomain = [...sources.values()];
  const bySource = bySourceDomain.map((s) => ({
    sourceKind: s.sourceKind,
    agency: s.agency,
    count: Object.values(s.byDomain).reduce((a, b) => a + b, 0),
  }));
  return { byDomain, bySource, bySourceDomain };
}

/** What the daily digest shows about open items: three short lists with their totals, and the load per officer. */
export interface OpenOverview {
  /**
   * Must-investigate items still waiting for triage that are neither overdue nor due soon (those are
   * listed there, marked), earliest due first: each item is listed once, under its most urgent heading.
   */
  mustUntriaged: ItemList;
  /** Open items past their due date (triage while new, conclusion after), most overdue first. */
  overdue: ItemList;
  /** Open items due within the next DUE_SOON_DAYS days, soonest first. */
  dueSoon: ItemList;
  /** Open items per assignee, with how many are overdue. */
  officers: OfficerLoad[];
  /** Open items nobody is assigned to. */
  unassigned: number;
}

type ListEntry = [number | string, string, string, string, string | null, number, boolean];
type LoadEntry = [number | string | null, number, number];

function jsonValue<T>(value: unknown): T {
  // postgres.js and PGlite both parse json columns, but a driver option could leave them as text.
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function listFromJson(value: unknown): ItemList {
  const entries = jsonValue<ListEntry[]>(value);
  return {
    total: Number(entries[0]?.[5] ?? 0),
    items: entries.map(([id, domain, unitCode, status, dueAt, , mustInvestigate]) => ({
      id: Number(id),
      domain,
      unitCode,
      status,
      dueAt: toDate(dueAt),
      mustInvestigate: mustInvestigate === true,
    })),
  };
}

/**
 * The open-item lists and the officers' load, read in ONE pass over the open items. With a
 * million items stored the ~40,000 open ones lie on most of the table's pages; four queries read
 * those pages four times (the daily digest took 754 ms on Postgres, each query ~65 ms cold), one
 * materialised pass reads them once and sorts and counts the rest in memory.
 */
export async function openItemsOverview(db: Queryable, now: Date, scope: Scope): Promise<OpenOverview> {
  const horizon = new Date(now.getTime() + DUE_SOON_DAYS * 24 * 60 * 60 * 1000);
  const entry = sql.raw('json_build_array(id, domain, unit_code, status, due_at, total, must_investigate)');
  const [row] = await queryRows<{ must: unknown; overdue: unknown; soon: unknown; load: unknown }>(
    db,
    sql`with open as materialized (
          select id, domain, unit_code, status, assignee_id, must_investigate, triage_due_at,
                 ${dueExpr} as due_at
          from items where status in (${openStatuses}) and ${scopeFilter(scope)}),
        must as (
          select *, count(*) over () as total from open
          where status = 'new' and must_investigate and (due_at is null or due_at >= ${ts(horizon)})
          order by triage_due_at asc nulls last, id limit ${MAX_LISTED}),
        overdue as (
          select *, count(*) over () as total from open where due_at < ${ts(now)}
          order by due_at asc, id limit ${MAX_LISTED}),
        soon as (
          select *, count(*) over () as total from open
          where due_at >= ${ts(now)} and due_at < ${ts(horizon)}
          order by due_at asc, id limit ${MAX_LISTED}),
        load as (
          select assignee_id, count(*)::int as open, (count(*) filter (where due_at < ${ts(now)}))::int as overdue
          from open group by assignee_id)
        select
          (select coalesce(json_agg(${entry} order by triage_due_at asc nulls last, id), '[]') from must) as must,
          (select coalesce(json_agg(${entry} order by due_at asc, id), '[]') from overdue) as overdue,
          (select coalesce(json_agg(${entry} order by due_at asc, id), '[]') from soon) as soon,
          (select coalesce(json_agg(json_build_array(l.assignee_id, l.open, l.overdue)
                                    order by l.open desc, l.assignee_id), '[]')
           from load l) as load`,
  );
  let unassigned = 0;
  const load = jsonValue<LoadEntry[]>(row?.load ?? []);
  // Names are sealed and belong to the people module: it names the officers, this query only counts.
  // Raw SQL reads the assignee's person number, not their id (src/crypto/person-numbers.ts).
  const officerOf = (assigneeId: number | string) =>
    telegramIdOfPersonNumber(Number(assigneeId), 'items.assignee_id');
  const names = await displayNames(
    db,
    load.flatMap(([assigneeId]) => (assigneeId === null ? [] : [officerOf(assigneeId)])),
  );
  const officers: OfficerLoad[] = [];
  for (const [assigneeId, open, overdue] of load) {
    if (assigneeId === null) {
      unassigned = Number(open);
      continue;
    }
    officers.push({
      officerId: officerOf(assigneeId),
      name: names.get(officerOf(assigneeId)) ?? null,
      open: Number(open),
      overdue: Number(overdue),
    });
  }
  return {
    mustUntriaged: listFromJson(row?.must ?? []),
    overdue: listFromJson(row?.overdue ?? []),
    dueSoon: listFromJson(row?.soon ?? []),
    officers,
    unassigned,
  };
}

/** New items per domain in the current and the previous window, in one pass. */
export async function domainCountsCompared(
  db: Queryable,
  current: Window,
  previous: Window,
  scope: Scope,
): Promise<{ current: DomainCounts; previous: DomainCounts }> {
  const rows = await queryRows<{ domain: string; cur: number; prev: number }>(
    db,
    sql`select domain,
               (count(*) filter (where created_at >= ${ts(current.start)} and created_at < ${ts(current.end)}))::int as cur,
               (count(*) filter (where created_at >= ${ts(previous.start)} and created_at < ${ts(previous.end)}))::int as prev
        from items
        where created_at >= ${ts(new Date(Math.min(previous.start.getTime(), current.start.getTime())))}
          and created_at < ${ts(new Date(Math.max(previous.end.getTime(), current.end.getTime())))}
          and ${scopeFilter(scope)}
        group by domain`,
  );
  const result = { current: {} as DomainCounts, previous: {} as DomainCounts };
  for (const row of rows) {
    if (Number(row.cur) > 0) result.current[row.domain] = Number(row.cur);
    if (Number(row.prev) > 0) result.previous[row.domain] = Number(row.prev);
  }
  return result;
}

/** Units with REPEAT_SUBJECT_THRESHOLD or more items in the RELATED_WINDOW_DAYS days before `end`. */
export async function repeatSubjects(db: Queryable, end: Date, scope: Scope): Promise<RepeatSubject[]> {
  const start = new Date(end.getTime() - RELATED_WINDOW_DAYS * 24 * 60 * 60 * 1000);
  const rows = await queryRows<{
    unit_code: string;
    name_zh: string | null;
    name_en: string | null;
    n: number;
  }>(
    db,
    sql`select c.unit_code, u.name_zh, u.name_en, c.n
        from (select unit_code, count(*)::int as n from items
              where created_at >= ${ts(start)} and created_at < ${ts(end)} and ${scopeFilter(scope)}
              group by unit_code having count(*) >= ${REPEAT_SUBJECT_THRESHOLD}) c
        left join units u on u.code = c.unit_code
        order by c.n desc, c.unit_code`,
  );
  return rows.map((row) => ({
    unit: { code: row.unit_code, nameZh: row.name_zh, nameEn: row.name_en },
    count: Number(row.n),
  }));
}

/**
 * Heads whose integrity-card flags for `year` hold with the deductions recorded before `window.end`
 * but did not with those recorded before `window.start`: the thresholds crossed in the window, per
 * person (the card follows the person across units), named with the unit of their latest deduction.
 */
export async function pointsCrossed(
  db: Queryable,
  window: Window,
  year: number,
  scope: Scope,
): Promise<PointsCrossing[]> {
  const rows = await queryRows<{
    person_key: string;
    head: string | null;
    unit_code: string;
    year: number;
    before: number | null;
    after: number | null;
    name_zh: string | null;
    name_en: string | null;
  }>(
    db,
    sql`select d.person_key, h.name as head, d.unit_code, d.year, d.before, d.after, u.name_zh, u.name_en
        from (select person_key, year,
                     (array_agg(unit_code order by created_at desc, id desc))[1] as unit_code,
                     (sum(points) filter (where created_at < ${ts(window.start)}))::float8 as before,
                     (sum(points) filter (where created_at < ${ts(window.end)}))::float8 as after
              from points_deductions where year between ${year - 2} and ${year}
                and ${scopeByItem(scope, 'points_deductions.item_id')}
              group by person_key, year) d
        left join heads h on h.person_key = d.person_key
        left join units u on u.code = d.unit_code
        order by d.person_key, d.year`,
  );
  const heads = new Map<
    string,
    { unit: PointsCrossing['unit'] | null; head: string | null; before: Deduction[]; after: Deduction[] }
  >();
  for (const row of rows) {
    const entry = heads.get(row.person_key) ?? { unit: null, head: row.head, before: [], after: [] };
    // The unit of the person's latest year: where they were when the points that count were deducted.
    entry.unit = { code: row.unit_code, nameZh: row.name_zh, nameEn: row.name_en };
    if (row.before !== null) entry.before.push({ year: Number(row.year), points: Number(row.before) });
    if (row.after !== null) entry.after.push({ year: Number(row.year), points: Number(row.after) });
    heads.set(row.person_key, entry);
  }
  const crossed: PointsCrossing[] = [];
  for (const person of heads.values()) {
    const was = new Set(pointsFlags(person.before, year).flags);
    const now = pointsFlags(person.after, year);
    if (person.unit && now.flags.some((f) => !was.has(f))) {
      crossed.push({
        unit: person.unit,
        head: person.head,
        yearTotal: now.yearTotal,
        twoYearTotal: now.twoYearTotal,
        threeYearTotal: now.threeYearTotal,
        flags: now.flags,
      });
    }
  }
  return crossed.sort((a, b) => b.yearTotal - a.yearTotal || a.unit.code.localeCompare(b.unit.code));
}

/**
 * Which talks and audits a digest may list: outside the admins' own view, none at an admins-only unit
 * (ADMIN_ONLY_UNITS) and none raised by an admins-only item.
 */
function obligationScope(scope: Scope): SQL {
  if (scope.includeAdminsOnly) return sql`true`;
  const hidden = scope.adminOnlyUnits ?? [];
  const units =
    hidden.length === 0
      ? sql`true`
      : sql`o.unit_code not in (${sql.join(
          hidden.map((u) => sql`${u}`),
          sql`, `,
        )})`;
  return sql`${units} and ${scopeByItem(scope, 'o.item_id')}`;
}

/**
 * Open talks and audits (八必谈, 经济责任审计) already showing on `today`, the earliest due first; with
 * `overdueOnly`, those past their due day (the daily digest's list). Done ones leave both.
 */
export async function openObligations(
  db: Queryable,
  today: string,
  scope: Scope,
  overdueOnly: boolean,
): Promise<{ total: number; entries: DigestObligation[] }> {
  const rows = await queryRows<{
    id: number;
    kind: 'talk' | 'audit';
    occasion: string;
    unit_code: string;
    name_zh: string | null;
    name_en: string | null;
    head: string | null;
    item_id: number | null;
    due_on: string;
    total: number;
  }>(
    db,
    sql`select o.id, o.kind, o.occasion, o.unit_code, u.name_zh, u.name_en, h.name as head, o.item_id,
               o.due_on::text as due_on, (count(*) over ())::int as total
        from obligations o
        left join units u on u.code = o.unit_code
        left join heads h on h.person_key = o.person_key
        where o.state = 'open' and o.starts_on <= ${today}::date
          and (${!overdueOnly} or o.due_on < ${today}::date)
          and ${obligationScope(scope)}
        order by o.due_on, o.id
        limit ${MAX_LISTED}`,
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    entries: rows.map((row) => ({
      id: Number(row.id),
      kind: row.kind,
      occasion: row.occasion,
      unit: { code: row.unit_code, nameZh: row.name_zh, nameEn: row.name_en },
      head: row.head,
      itemId: row.item_id === null ? null : Number(row.item_id),
      dueOn: row.due_on,
      overdue: row.due_on < today,
    })),
  };
}

/** Heads marked 必下 (四个必下) and not yet resolved: only for the admins' own view, else none. */
export async function pendingMustRemoves(db: Queryable, scope: Scope): Promise<DigestMustRemove[]> {
  if (!scope.includeAdminsOnly) return [];
  const rows = await queryRows<{
    unit_code: string;
    name_zh: string | null;
    name_en: string | null;
    head: string | null;
    raised_on: string;
  }>(
    db,
    sql`select m.unit_code, u.name_zh, u.name_en, h.name as head, min(m.raised_on)::text as raised_on
        from must_remove_marks m
        left join units u on u.code = m.unit_code
        left join heads h on h.person_key = m.person_key
        where m.state = 'pending'
        group by m.person_key, m.unit_code, u.name_zh, u.name_en, h.name
        order by 5, 1`,
  );
  return rows.map((row) => ({
    unit: { code: row.unit_code, nameZh: row.name_zh, nameEn: row.name_en },
    head: row.head,
    raisedOn: row.raised_on,
  }));
}

/** Active monitors and liaisons with no report (or, if never, no enrolment) in SILENT_DAYS days, by community/agency. */
export async function silentReporters(db: Queryable, now: Date): Promise<SilentGroup[]> {
  const cutoff = new Date(now.getTime() - SILENT_DAYS * 24 * 60 * 60 * 1000);
  return silentReporterCounts(db, cutoff);
}

async function meanDays(db: Queryable, column: 'triaged_at' | 'concluded_at', window: Window, scope: Scope) {
  const col = sql.raw(column);
  const [row] = await queryRows<{ days: number | null; n: number }>(
    db,
    sql`select (avg(extract(epoch from (${col} - created_at))) / 86400)::float8 as days, count(*)::int as n
        from items where ${col} >= ${ts(window.start)} and ${col} < ${ts(window.end)} and ${scopeFilter(scope)}`,
  );
  const result: MeanDuration = {
    days: row?.days === null || row?.days === undefined ? null : Number(row.days),
    count: Number(row?.n ?? 0),
  };
  return result;
}

/** Mean days from arrival to first triage, and to conclusion, of the items triaged/concluded in `window`. */
export async function meanTimes(
  db: Queryable,
  window: Window,
  scope: Scope,
): Promise<{ triage: MeanDuration; conclude: MeanDuration }> {
  return {
    triage: await meanDays(db, 'triaged_at', window, scope),
    conclude: await meanDays(db, 'concluded_at', window, scope),
  };
}

/** Weeks shown in the weekly chart. */
export const CHART_WEEKS = 12;

/** The CHART_WEEKS local (Monday-started) weeks the weekly chart covers, ending with the week before `end`'s. */
export function chartWindow(end: Date, timeZone: string): Window {
  const endLocal = DateTime.fromJSDate(end, { zone: timeZone }).startOf('week');
  return { start: endLocal.minus({ weeks: CHART_WEEKS }).toJSDate(), end: endLocal.toJSDate() };
}

/** New items per local (Monday-started) week and domain over the CHART_WEEKS weeks ending at `end`. */
export async function weeklySeries(
  db: Queryable,
  end: Date,
  timeZone: string,
  scope: Scope,
): Promise<WeeklySeries> {
  const endLocal = DateTime.fromJSDate(end, { zone: timeZone }).startOf('week');
  const startLocal = endLocal.minus({ weeks: CHART_WEEKS });
  const rows = await queryRows<{ week: string; domain: string; n: number }>(
    db,
    sql`select to_char(date_trunc('week', created_at at time zone ${timeZone}), 'YYYY-MM-DD') as week,
               domain, count(*)::int as n
        from items
        where created_at >= ${ts(startLocal.toJSDate())} and created_at < ${ts(endLocal.toJSDate())}
          and ${scopeFilter(scope)}
        group by 1, 2`,
  );
  const weekKeys = Array.from({ length: CHART_WEEKS }, (_, i) =>
    startLocal.plus({ weeks: i }).toFormat('yyyy-MM-dd'),
  );
  const byDomain: Record<string, number[]> = {};
  for (const row of rows) {
    const index = weekKeys.indexOf(row.week);
    if (index < 0) continue;
    const counts = byDomain[row.domain] ?? new Array<number>(CHART_WEEKS).fill(0);
    counts[index] = Number(row.n);
    byDomain[row.domain] = counts;
  }
  return { weeks: weekKeys.map((w) => w.slice(5)), byDomain };
}

/** The FORWARDED_LOOKBACK_DAYS before `end`: the forwarded items the monthly circulation counts were received then. */
export function forwardedWindow(end: Date): Window {
  return { start: new Date(end.getTime() - FORWARDED_LOOKBACK_DAYS * 24 * 60 * 60 * 1000), end };
}

/** Items forwarded to each agency, created in the FORWARDED_LOOKBACK_DAYS before `end`, by status. */
export async function forwardedCounts(db: Queryable, end: Date, scope: Scope): Promise<ForwardedCount[]> {
  const { start } = forwardedWindow(end);
  const rows = await queryRows<{ agency: string; status: string; n: number }>(
    db,
    sql`select forwarded_agency as agency, status, count(*)::int as n from items
        where forwarded_agency is not null and created_at >= ${ts(start)} and created_at < ${ts(end)}
          and ${scopeFilter(scope)}
        group by 1, 2`,
  );
  const byAgency = new Map<string, ForwardedCount>();
  for (const row of rows) {
    const entry = byAgency.get(row.agency) ?? { agency: row.agency, byStatus: {} };
    entry.byStatus[row.status] = Number(row.n);
    byAgency.set(row.agency, entry);
  }
  return [...byAgency.values()];
}

/** The numbers, codes and statuses of items forwarded to one agency in the lookback before `end`, newest first. */
export function forwardedItems(db: Queryable, agency: string, end: Date, scope: Scope): Promise<ItemList> {
  const { start } = forwardedWindow(end);
  return itemList(
    db,
    sql`forwarded_agency = ${agency} and created_at >= ${ts(start)} and created_at < ${ts(end)}
        and ${scopeFilter(scope)}`,
    sql`id desc`,
    MAX_AGENCY_ITEMS,
  );
}

/** How many reporter reveals (/reveal, audited as 'item.revealed') happened in the window. */
export async function revealCount(db: Queryable, window: Window, scope: Scope): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from audit_log
        where action = 'item.revealed' and at >= ${ts(window.start)} and at < ${ts(window.end)}
          and ${scopeByItem(scope, 'audit_log.item_id')}`,
  );
  return Number(row?.n ?? 0);
}
