/**
 * Bulk test data for the digest figures: items generated inside the database by set-based
 * INSERT … SELECT over generate_series (one statement per 100,000 rows), never through the bot.
 * Three years of items, most old ones closed, recent ones spread over the triage statuses.
 */

import { sql } from 'drizzle-orm';
import { columnPlace, sealAt } from '../src/crypto/sealing.js';
import type { Db } from '../src/db/client.js';
import { people } from '../src/db/schema.js';
import { AGENCY_CODES } from '../src/domain/agencies.js';

const CHUNK = 100_000;
/** Officers the generated items are assigned to. */
const OFFICERS = [900, 901, 902, 903, 904];
const MONITORS = Array.from({ length: 60 }, (_, index) => 1 + index);
const LIAISONS = Array.from({ length: 36 }, (_, index) => 100 + index);

function textArray(values: readonly string[]): string {
  return `array[${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(',')}]`;
}

/** Enrols the generated reporters and officers, and adds integrity-card deductions and open and done talks. */
export async function seedDigestPeople(db: Db, unitCodes: readonly string[]): Promise<void> {
  const now = Date.now();
  await db
    .insert(people)
    .values([
      ...OFFICERS.map((id) => ({ telegramId: id, role: 'officer' as const, displayName: `科员${id}` })),
      ...MONITORS.map((id) => ({
        telegramId: id,
        role: 'monitor' as const,
        community: `社区${(id % 6) + 1}`,
        enrolledAt: new Date(now - 400 * 86_400_000),
        lastReportedAt: new Date(now - (id % 45) * 86_400_000),
      })),
      ...LIAISONS.map((id) => ({
        telegramId: id,
        role: 'liaison' as const,
        agency: AGENCY_CODES[id % AGENCY_CODES.length],
        enrolledAt: new Date(now - 400 * 86_400_000),
        lastReportedAt: new Date(now - (id % 50) * 86_400_000),
      })),
    ])
    .onConflictDoNothing();
  const units = sql.raw(textArray(unitCodes));
  await db.execute(sql`select setseed(0.17)`);
  await db.execute(sql`
    insert into points_deductions (unit_code, person_key, head_name, year, points, item_id, created_at)
    select u, 'unknown:' || u, '负责人', y, p, null, c
    from (select (${units})[1 + floor(random() * ${unitCodes.length})::int] as u,
                 extract(year from now())::int - floor(random() * 3)::int as y,
                 (1 + floor(random() * 4)::int) * 0.5 as p, now() - random() * interval '300 days' as c
          from generate_series(1, 300)) d`);
  await db.execute(sql`
    insert into obligations (key, kind, occasion, person_key, unit_code, created_on, starts_on, due_on, state)
    select 'bench:' || n, 'talk', 'integrity_reports', 'unknown:' || u, u, d, d, d + 14,
           case when random() < 0.7 then 'done' else 'open' end
    from (select n, (${units})[1 + floor(random() * ${unitCodes.length})::int] as u,
                 (now() - random() * interval '200 days')::date as d
          from generate_series(1, 200) n) o`);
}

/**
 * The generated items' text, sealed for items.text as the bot seals it (one value for all: the digests
 * never read it, but a start refuses values in clear).
 */
const BENCH_TEXT = '批量生成的基准测试条目';

/** Adds items numbered `from`..`to` (inclusive) in chunks; returns the seconds it took. */
export async function generateItems(
  db: Db,
  from: number,
  to: number,
  unitCodes: readonly string[],
): Promise<number> {
  const started = performance.now();
  const BENCH_TEXT_SEALED = sealAt(columnPlace('items', 'text'), BENCH_TEXT);
  const units = sql.raw(textArray(unitCodes));
  const agencies = sql.raw(textArray(AGENCY_CODES));
  const monitors = sql.raw(`array[${MONITORS.join(',')}]::bigint[]`);
  const liaisons = sql.raw(`array[${LIAISONS.join(',')}]::bigint[]`);
  const officers = sql.raw(`array[${OFFICERS.join(',')}]::bigint[]`);
  await db.execute(sql`select setseed(${(from % 1000) / 1000})`);
  for (let start = from; start <= to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK - 1);
    await db.execute(sql`
      insert into items (kind, source_kind, source_agency, reporter_id, signed, domain, unit_code, text, status,
                         must_investigate, reasons, priority, triage_due_at, conclude_due_at, admins_only,
                         assignee_id, forwarded_agency, content_hash, created_at, updated_at, triaged_at, concluded_at)
      select case when src < 0.4 then 'tip' when src < 0.75 then 'notice' else 'report' end,
             case when src < 0.4 then 'monitor' when src < 0.75 then 'liaison'
                  when src < 0.9 then 'hotline' else 'mailbox' end,
             case when src >= 0.4 and src < 0.75 then (${agencies})[1 + floor(r1 * 9)::int] end,
             case when src < 0.4 then (${monitors})[1 + floor(r1 * 60)::int]
                  when src < 0.75 then (${liaisons})[1 + floor(r1 * 36)::int] end,
             r3 < 0.2,
             (array['D','F','P','S','I','O'])[1 + floor(r2 * 6)::int],
             (${units})[1 + (g % ${unitCodes.length})],
             ${BENCH_TEXT_SEALED},
             status,
             r3 < 0.3,
             case when r3 < 0.3 then '["specific_content"]'::jsonb else '[]'::jsonb end,
             case when r3 < 0.3 then 'high' else 'normal' end,
             created + interval '3 days',
             created + interval '30 days',
             r3 > 0.99,
             case when status <> 'new' then (${officers})[1 + floor(r1 * 5)::int] end,
             case when status = 'forwarded' then (${agencies})[1 + floor(r2 * 9)::int] end,
             md5(g::text),
             created, created,
             case when status <> 'new' then created + r1 * interval '3 days' end,
             case when status in ('concluded', 'closed')
                  then least(now(), created + (5 + r2 * 50) * interval '1 day') end
      from (
        select g, src, r1, r2, r3, created,
               case when created > now() - interval '60 days' then
                      case when rs < 0.3 then 'new' when rs < 0.5 then 'accepted' when rs < 0.7 then 'verifying'
                           when rs < 0.85 then 'concluded' when rs < 0.95 then 'filed' else 'forwarded' end
                    else
                      case when rs < 0.002 then 'verifying' when rs < 0.5 then 'closed' when rs < 0.75 then 'concluded'
                           when rs < 0.9 then 'filed' when rs < 0.97 then 'forwarded' else 'merged' end
               end as status
        from (select g, random() as src, random() as r1, random() as r2, random() as r3, random() as rs,
                     now() - random() * interval '1095 days' as created
              from generate_series(${start}::int, ${end}::int) g) raw
      ) shaped`);
  }
  // Postgres's autovacuum would analyse the table soon after such a load; PGlite has none, so do it here.
  await db.execute(sql`analyze`);
  return (performance.now() - started) / 1000;
}
