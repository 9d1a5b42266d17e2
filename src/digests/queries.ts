/**
 * The aggregates the digests show, computed in SQL (GROUP BY, COUNT … FILTER, window counts) over indexed
 * columns, so a digest costs the same at a thousand items or a million: no item rows are loaded into memory
 * beyond the few listed by number. Nothing here selects an item's text or its reporter.
 */
import { type SQL, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { unseal } from '../crypto/sealing.js';
import { type Queryable, queryRows } from '../db/client.js';
import type { Window } from '../domain/periods.js';
import { type Deduction, pointsFlags } from '../domain/points-card.js';
import { RELATED_WINDOW_DAYS, REPEAT_SUBJECT_THRESHOLD } from '../domain/routing.js';
import type {
  DigestItem,
  DomainCounts,
  ForwardedCount,
  ItemList,
  MeanDuration,
  MustTalkReminder,
  OfficerLoad,
  PointsCrossing,
  RepeatSubject,
  SilentGroup,
  SourceCount,
  SourceDomainCounts,
} from './content.js';
import { MAX_LISTED } from './content.js';
import type { WeeklySeries } from './chart.js';

/** Statuses in which the section still has work to do on an item. */
export const OPEN_STATUSES = ['new', 'accepted', 'verifying'] as const;
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
}

const ts = (date: Date): SQL => sql`${date.toISOString()}::timestamptz`;
const openStatuses = sql.raw(OPEN_STATUSES.map((s) => `'${s}'`).join(', '));
// The date an open item is next due: triage while new, conclusion once taken up.
const dueExpr = sql.raw(`(case when status = 'new' then triage_due_at else conclude_due_at end)`);

function scopeFilter(scope: Scope, column = 'admins_only'): SQL {
  return scope.includeAdminsOnly ? sql`true` : sql.raw(`not ${column}`);
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
  /** Must-investigate items still waiting for triage, earliest due first. */
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

type ListEntry = [number | string, string, string, string, string | null, number];
type LoadEntry = [number | string | null, string | null, string | null, number, number];

function jsonValue<T>(value: unknown): T {
  // postgres.js and PGlite both parse json columns, but a driver option could leave them as text.
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function listFromJson(value: unknown): ItemList {
  const entries = jsonValue<ListEntry[]>(value);
  return {
    total: Number(entries[0]?.[5] ?? 0),
    items: entries.map(([id, domain, unitCode, status, dueAt]) => ({
      id: Number(id),
      domain,
      unitCode,
      status,
      dueAt: toDate(dueAt),
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
  const entry = sql.raw('json_build_array(id, domain, unit_code, status, due_at, total)');
  const [row] = await queryRows<{ must: unknown; overdue: unknown; soon: unknown; load: unknown }>(
    db,
    sql`with open as materialized (
          select id, domain, unit_code, status, assignee_id, must_investigate, triage_due_at,
                 ${dueExpr} as due_at
          from items where status in (${openStatuses}) and ${scopeFilter(scope)}),
        must as (
          select *, count(*) over () as total from open where status = 'new' and must_investigate
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
          (select coalesce(json_agg(json_build_array(l.assignee_id, p.display_name, p.username, l.open, l.overdue)
                                    order by l.open desc, l.assignee_id), '[]')
           from load l left join people p on p.telegram_id = l.assignee_id) as load`,
  );
  let unassigned = 0;
  const officers: OfficerLoad[] = [];
  for (const [assigneeId, displayName, username, open, overdue] of jsonValue<LoadEntry[]>(row?.load ?? [])) {
    if (assigneeId === null) {
      unassigned = Number(open);
      continue;
    }
    officers.push({
      officerId: Number(assigneeId),
      // Raw SQL bypasses the columns' mappers: names are stored sealed.
      name: openName(displayName) ?? (username ? `@${unseal(username)}` : null),
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
 * but did not with those recorded before `window.start`: the thresholds crossed in the window.
 */
export async function pointsCrossed(db: Queryable, window: Window, year: number): Promise<PointsCrossing[]> {
  const rows = await queryRows<{
    unit_code: string;
    head_name: string | null;
    year: number;
    before: number | null;
    after: number | null;
    name_zh: string | null;
    name_en: string | null;
  }>(
    db,
    sql`select d.unit_code, d.head_name, d.year, d.before, d.after, u.name_zh, u.name_en
        from (select unit_code, head_name, year,
                     (sum(points) filter (where created_at < ${ts(window.start)}))::float8 as before,
                     (sum(points) filter (where created_at < ${ts(window.end)}))::float8 as after
              from points_deductions where year between ${year - 2} and ${year}
              group by unit_code, head_name, year) d
        left join units u on u.code = d.unit_code`,
  );
  const heads = new Map<string, { unit: PointsCrossing['unit']; before: Deduction[]; after: Deduction[] }>();
  for (const row of rows) {
    // The head's name only tells one head of a unit from the next; it is never shown.
    const key = `${row.unit_code}\u0000${row.head_name ?? ''}`;
    const entry = heads.get(key) ?? {
      unit: { code: row.unit_code, nameZh: row.name_zh, nameEn: row.name_en },
      before: [],
      after: [],
    };
    if (row.before !== null) entry.before.push({ year: Number(row.year), points: Number(row.before) });
    if (row.after !== null) entry.after.push({ year: Number(row.year), points: Number(row.after) });
    heads.set(key, entry);
  }
  const crossed: PointsCrossing[] = [];
  for (const head of heads.values()) {
    const was = new Set(pointsFlags(head.before, year).flags);
    const now = pointsFlags(head.after, year);
    if (now.flags.some((f) => !was.has(f))) {
      crossed.push({
        unit: head.unit,
        yearTotal: now.yearTotal,
        twoYearTotal: now.twoYearTotal,
        threeYearTotal: now.threeYearTotal,
        flags: now.flags,
      });
    }
  }
  return crossed.sort((a, b) => b.yearTotal - a.yearTotal || a.unit.code.localeCompare(b.unit.code));
}

/** Must-talk reminders (八必谈) not yet done, oldest first. */
export async function openMustTalks(
  db: Queryable,
  scope: Scope,
): Promise<{ total: number; reminders: MustTalkReminder[] }> {
  const rows = await queryRows<{
    unit_code: string;
    name_zh: string | null;
    name_en: string | null;
    item_id: number | null;
    created_at: Date | string;
    total: number;
  }>(
    db,
    sql`select r.unit_code, u.name_zh, u.name_en, r.item_id, r.created_at, (count(*) over ())::int as total
        from reminders r
        left join units u on u.code = r.unit_code
        left join items i on i.id = r.item_id
        where r.kind = 'must_talk' and r.done_at is null
          and (i.id is null or ${scopeFilter(scope, 'i.admins_only')})
        order by r.created_at, r.id
        limit ${MAX_LISTED}`,
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    reminders: rows.map((row) => ({
      unit: { code: row.unit_code, nameZh: row.name_zh, nameEn: row.name_en },
      itemId: row.item_id === null ? null : Number(row.item_id),
      createdAt: toDate(row.created_at) ?? new Date(0),
    })),
  };
}

/** Active monitors and liaisons with no report (or, if never, no enrolment) in SILENT_DAYS days, by community/agency. */
export async function silentReporters(db: Queryable, now: Date): Promise<SilentGroup[]> {
  const cutoff = new Date(now.getTime() - SILENT_DAYS * 24 * 60 * 60 * 1000);
  const rows = await queryRows<{ role: 'monitor' | 'liaison'; place: string | null; n: number }>(
    db,
    sql`select role, case when role = 'monitor' then community else agency end as place, count(*)::int as n
        from people
        where role in ('monitor', 'liaison') and revoked_at is null
          and coalesce(last_reported_at, enrolled_at) < ${ts(cutoff)}
        group by 1, 2
        order by 1 desc, 2`,
  );
  return rows.map((row) => ({ role: row.role, place: row.place, count: Number(row.n) }));
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

/** Items forwarded to each agency, created in the FORWARDED_LOOKBACK_DAYS before `end`, by status. */
export async function forwardedCounts(db: Queryable, end: Date, scope: Scope): Promise<ForwardedCount[]> {
  const start = new Date(end.getTime() - FORWARDED_LOOKBACK_DAYS * 24 * 60 * 60 * 1000);
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
  const start = new Date(end.getTime() - FORWARDED_LOOKBACK_DAYS * 24 * 60 * 60 * 1000);
  return itemList(
    db,
    sql`forwarded_agency = ${agency} and created_at >= ${ts(start)} and created_at < ${ts(end)}
        and ${scopeFilter(scope)}`,
    sql`id desc`,
    MAX_AGENCY_ITEMS,
  );
}

/** Active liaisons of the given agencies, with the language to write to them in. */
export async function liaisonsOf(
  db: Queryable,
  agencies: readonly string[],
): Promise<Array<{ telegramId: number; agency: string; language: string | null }>> {
  if (agencies.length === 0) return [];
  const rows = await queryRows<{ telegram_id: number | string; agency: string; language: string | null }>(
    db,
    sql`select telegram_id, agency, language from people
        where role = 'liaison' and revoked_at is null
          and agency in (${sql.join(
            agencies.map((a) => sql`${a}`),
            sql`, `,
          )})
        order by telegram_id`,
  );
  return rows.map((row) => ({
    telegramId: Number(row.telegram_id),
    agency: row.agency,
    language: row.language,
  }));
}

function openName(value: string | null): string | null {
  return value === null ? null : unseal(value);
}

/** How many reporter reveals (/reveal, audited as 'item.revealed') happened in the window. */
export async function revealCount(db: Queryable, window: Window): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from audit_log
        where action = 'item.revealed' and at >= ${ts(window.start)} and at < ${ts(window.end)}`,
  );
  return Number(row?.n ?? 0);
}
