import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { databaseBeforeMigration, testDatabaseKind } from '../support/database.js';

/** Migration 0011: a liaison's personal tip written before it loses its agency; a notice keeps its own. */
describe(`migration 0011_tips_without_agency (${testDatabaseKind})`, () => {
  let database: Database;

  beforeAll(async () => {
    database = await databaseBeforeMigration('0011_tips_without_agency');
    await database.db.execute(sql`
      insert into items (id, kind, source_kind, source_agency, signed, domain, unit_code, text, created_at)
      values (1, 'tip', 'liaison', 'AUD', true, 'F', 'HPZ', 'x', '2026-03-02T02:00:00Z'),
             (2, 'notice', 'liaison', 'AUD', true, 'F', 'CZJ', 'x', '2026-03-02T03:00:00Z'),
             (3, 'tip', 'monitor', null, true, 'S', 'DXZ', 'x', '2026-03-02T04:00:00Z')`);
    await migrateDatabase(database);
  });
  afterAll(() => database.close());

  it('keeps every item; only the notice names its agency', async () => {
    const rows = await queryRows<{ id: number; kind: string; agency: string | null }>(
      database.db,
      sql`select id, kind, source_agency as agency from items order by id`,
    );
    expect(rows.map((row) => [Number(row.id), row.kind, row.agency])).toEqual([
      [1, 'tip', null],
      [2, 'notice', 'AUD'],
      [3, 'tip', null],
    ]);
  });
});
