import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { loadObligations } from '../../src/heads/store.js';
import { listHeads } from '../../src/heads/tenures.js';
import { seedUnitsIfEmpty } from '../../src/units/directory.js';
import { databaseBeforeMigration, testDatabaseKind } from '../support/database.js';

/**
 * Migration 0008 (heads as records) on a database written by the code before it: every deduction
 * keeps its unit, year, points and item and gains the person it belongs to; every must-talk reminder
 * becomes an integrity talk on the worklist with its item, its state and its day.
 */
describe(`migration 0008_heads keeps every deduction and reminder (${testDatabaseKind})`, () => {
  let database: Database;

  beforeAll(async () => {
    database = await databaseBeforeMigration('0008_heads');
    // Rows in the shape the previous schema wrote them (no person_key, a reminders table).
    await database.db.execute(sql`
      insert into items (id, kind, source_kind, signed, domain, unit_code, text, created_at)
      values (1, 'tip', 'monitor', true, 'I', 'HPZ', 'x', '2025-03-02T02:00:00Z'),
             (2, 'tip', 'monitor', true, 'F', 'DXZ', 'x', '2025-04-02T02:00:00Z'),
             (3, 'tip', 'monitor', true, 'I', 'HPZ', 'x', '2025-05-02T02:00:00Z')`);
    await database.db.execute(sql`
      insert into points_deductions (unit_code, head_name, year, points, item_id, created_at)
      values ('HPZ', '张伟', 2025, 2, 1, '2025-03-10T02:00:00Z'),
             ('HPZ', '张伟', 2024, 1.5, null, '2024-06-10T02:00:00Z'),
             ('DXZ', null, 2025, 0.5, 2, '2025-04-10T02:00:00Z'),
             ('DXZ', '  ', 2025, 1, null, '2025-04-11T02:00:00Z'),
             ('JXJD', '张伟', 2025, 1, null, '2025-04-12T02:00:00Z')`);
    await database.db.execute(sql`
      insert into reminders (kind, unit_code, item_id, created_at, done_at)
      values ('must_talk', 'HPZ', 1, '2025-03-10T02:00:00Z', null),
             ('must_talk', 'HPZ', 3, '2025-05-09T17:00:00Z', '2025-05-20T02:00:00Z'),
             ('must_talk', 'DXZ', null, '2025-04-10T02:00:00Z', null)`);
    await migrateDatabase(database);
    await seedUnitsIfEmpty(database.db);
  });
  afterAll(() => database.close());

  it('every deduction is still there, attributed to the head named on it or to the unit’s unknown head', async () => {
    const rows = await queryRows<{
      unit_code: string;
      head_name: string | null;
      person_key: string;
      year: number;
      points: string;
      item_id: number | null;
    }>(
      database.db,
      sql`select unit_code, head_name, person_key, year, points::text as points, item_id
          from points_deductions order by id`,
    );
    expect(rows).toHaveLength(5);
    const [hpz2025, hpz2024, dxzNoName, dxzBlank, jxjd] = rows;
    expect(hpz2025).toMatchObject({
      unit_code: 'HPZ',
      head_name: '张伟',
      year: 2025,
      points: '2.0',
      item_id: 1,
    });
    expect(hpz2024).toMatchObject({ unit_code: 'HPZ', year: 2024, points: '1.5', item_id: null });
    // The same name at the same unit is one person; at another unit, a person of their own (the old
    // rows cannot tell namesakes apart; /head's same-person question joins them when they are one).
    expect(hpz2025?.person_key).toMatch(/^legacy:[0-9a-f]{32}$/);
    expect(hpz2024?.person_key).toBe(hpz2025?.person_key);
    expect(jxjd?.person_key).toMatch(/^legacy:/);
    expect(jxjd?.person_key).not.toBe(hpz2025?.person_key);
    expect(dxzNoName).toMatchObject({ person_key: 'unknown:DXZ', points: '0.5', item_id: 2 });
    expect(dxzBlank).toMatchObject({ person_key: 'unknown:DXZ', points: '1.0' });
    const names = await queryRows<{ person_key: string; name: string }>(
      database.db,
      sql`select person_key, name from heads order by name, person_key`,
    );
    expect(names.map((n) => n.name)).toEqual(['张伟', '张伟']);
    expect(names.map((n) => n.person_key).sort()).toEqual(
      [hpz2025?.person_key, jxjd?.person_key].map(String).sort(),
    );
  });

  it('the points read back as the person’s card, not the unit’s', async () => {
    const listed = await listHeads(
      database.db,
      { unitCode: 'HPZ' },
      { now: new Date('2025-06-01T02:00:00Z'), timeZone: 'Asia/Shanghai', admin: true },
    );
    expect(listed.kind).toBe('listed');
    if (listed.kind !== 'listed') return;
    expect(listed.lines.map((l) => [l.name, l.card.yearTotal, l.card.twoYearTotal])).toEqual([
      ['张伟', 2, 3.5],
    ]);
  });

  it('every must-talk reminder is an integrity talk with its item, state and day', async () => {
    const talks = await loadObligations(database.db);
    expect(
      talks.map((o) => [
        o.kind,
        o.kind === 'talk' ? o.occasion : o.reason,
        o.unitCode,
        o.itemId,
        o.createdOn,
        o.dueOn,
        o.status.state,
      ]),
    ).toEqual([
      ['talk', 'integrity_reports', 'HPZ', 1, '2025-03-10', '2025-03-24', 'open'],
      ['talk', 'integrity_reports', 'DXZ', null, '2025-04-10', '2025-04-24', 'open'],
      // 17:00 UTC is the next day in the county.
      ['talk', 'integrity_reports', 'HPZ', 3, '2025-05-10', '2025-05-24', 'done'],
    ]);
    // The talk of item 1 is with the head its points went to; the others' with the unit's unknown head.
    const byItem = new Map(talks.map((o) => [o.itemId, o.personKey]));
    expect(byItem.get(1)).toMatch(/^legacy:/);
    expect(byItem.get(3)).toBe('unknown:HPZ');
    expect(byItem.get(null)).toBe('unknown:DXZ');
    const done = talks.find((o) => o.itemId === 3);
    expect(done?.status).toEqual({ state: 'done', on: '2025-05-20', note: null });
  });

  it('items are about the head their points went to, else the unit’s unknown head', async () => {
    const rows = await queryRows<{ id: number; head_person_key: string }>(
      database.db,
      sql`select id, head_person_key from items order by id`,
    );
    expect(rows[0]?.head_person_key).toMatch(/^legacy:/);
    expect(rows.slice(1).map((r) => r.head_person_key)).toEqual(['unknown:DXZ', 'unknown:HPZ']);
  });

  it('the reminders table is gone (its rows live on the worklist)', async () => {
    const [row] = await queryRows<{ present: boolean }>(
      database.db,
      sql`select to_regclass('public.reminders') is not null as present`,
    );
    expect(row?.present).toBe(false);
  });
});
