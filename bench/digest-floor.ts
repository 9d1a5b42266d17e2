/**
 * The digest floor: the aggregate SQL the daily and weekly digests need, written by hand and run
 * bare — no composition, no translation, no chart. What a digest costs beyond this is the product's.
 */
import { type SQL, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { type Queryable, queryRows } from '../src/db/client.js';
import { comparisonWindows } from '../src/domain/periods.js';

const ts = (date: Date): SQL => sql`${date.toISOString()}::timestamptz`;
const DAY = 86_400_000;
const due = sql.raw(`(case when status = 'new' then triage_due_at else conclude_due_at end)`);
const open = sql.raw(`status in ('new', 'accepted', 'verifying')`);

/** Runs the daily digest's aggregates at `at` for the local day before it. */
export async function dailyFloor(db: Queryable, at: Date, timeZone: string): Promise<void> {
  const since = comparisonWindows('daily', at, timeZone).current.start;
  const soon = new Date(at.getTime() + 3 * DAY);
  await queryRows(
    db,
    sql`select domain, source_kind, source_agency, count(*) from items
        where created_at >= ${ts(since)} and created_at < ${ts(at)} and not admins_only group by 1, 2, 3`,
  );
  // The open items are read once (as the product does since it stopped reading them four times):
  // three top-15 lists with their totals and the load per assignee, over one materialised set.
  await queryRows(
    db,
    sql`with open as materialized (
          select id, domain, unit_code, status, assignee_id, must_investigate, triage_due_at, ${due} as d
          from items where ${open} and not admins_only)
        (select 1 as part, id, domain, unit_code, status, d, count(*) over () from open
         where status = 'new' and must_investigate order by triage_due_at nulls last, id limit 15)
        union all
        (select 2, id, domain, unit_code, status, d, count(*) over () from open
         where d < ${ts(at)} order by d, id limit 15)
        union all
        (select 3, id, domain, unit_code, status, d, count(*) over () from open
         where d >= ${ts(at)} and d < ${ts(soon)} order by d, id limit 15)
        union all
        (select 4, assignee_id, null, null, null, null, count(*) filter (where d < ${ts(at)}) from open
         group by assignee_id)`,
  );
}

/** Runs the weekly digest's aggregates for the week before `at`, including the 12-week series. */
export async function weeklyFloor(db: Queryable, at: Date, timeZone: string): Promise<void> {
  const { current, previous } = comparisonWindows('weekly', at, timeZone);
  await queryRows(
    db,
    sql`select domain, count(*) filter (where created_at >= ${ts(current.start)}),
               count(*) filter (where created_at < ${ts(current.start)}) from items
        where created_at >= ${ts(previous.start)} and created_at < ${ts(current.end)} and not admins_only
        group by domain`,
  );
  for (const column of ['triaged_at', 'concluded_at']) {
    const col = sql.raw(column);
    await queryRows(
      db,
      sql`select avg(extract(epoch from (${col} - created_at))), count(*) from items
          where ${col} >= ${ts(current.start)} and ${col} < ${ts(current.end)} and not admins_only`,
    );
  }
  await queryRows(
    db,
    sql`select unit_code, count(*) from items
        where created_at >= ${ts(new Date(current.end.getTime() - 90 * DAY))} and created_at < ${ts(current.end)}
          and not admins_only group by unit_code having count(*) >= 3`,
  );
  await queryRows(
    db,
    sql`select person_key, year, sum(points) filter (where created_at < ${ts(current.start)}),
               sum(points) filter (where created_at < ${ts(current.end)})
        from points_deductions group by 1, 2`,
  );
  await queryRows(
    db,
    sql`select unit_code, item_id, due_on from obligations
        where state = 'open' order by due_on, id limit 15`,
  );
  await queryRows(
    db,
    sql`select role, count(*) from people
        where role in ('monitor', 'liaison') and revoked_at is null
          and coalesce(last_reported_at, enrolled_at) < ${ts(new Date(at.getTime() - 30 * DAY))} group by 1`,
  );
  const end = DateTime.fromJSDate(current.end, { zone: timeZone }).startOf('week');
  await queryRows(
    db,
    sql`select date_trunc('week', created_at at time zone ${timeZone}), domain, count(*) from items
        where created_at >= ${ts(end.minus({ weeks: 12 }).toJSDate())} and created_at < ${ts(end.toJSDate())}
          and not admins_only group by 1, 2`,
  );
}
