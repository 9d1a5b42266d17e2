import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db/client.js';
import { settings } from '../../src/db/schema.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';

/**
 * On PostgreSQL the bot's queries are named prepared statements (issue #20): an unnamed statement with
 * parameters cost postgres.js two round trips and stopped its pipeline. They are still planned for
 * their own parameters, as unnamed ones were. PGlite has no wire round trips; this is PostgreSQL's.
 */
describe.skipIf(testDatabaseKind !== 'postgres')('queries on PostgreSQL', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  /** The named statements the transaction's connection holds whose text contains `marker`. */
  const preparedOnThisConnection = (db: Database['db'], marker: string) =>
    queryRows<{ statement: string }>(
      db,
      sql`select statement from pg_prepared_statements where statement like ${`%${marker}%`}
            and statement not like '%pg_prepared_statements%'`,
    );

  it('prepares a query with parameters once per connection, in a transaction and in a savepoint', async () => {
    await database.db.transaction(async (tx) => {
      for (const round of [1, 2]) {
        await tx.select().from(settings).where(eq(settings.key, `prepared-${round}`));
      }
      const found = await preparedOnThisConnection(tx as never, 'from "settings"');
      expect(found).toHaveLength(1);
      await tx.transaction(async (savepoint) => {
        await savepoint.execute(sql`select ${1}::int as one, 'in a savepoint' as marker`);
        expect(await preparedOnThisConnection(savepoint as never, 'in a savepoint')).toHaveLength(1);
      });
    });
  });

  it('outside a transaction too', async () => {
    // The pool may hand out another connection each time: run the same query on every one of them.
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        database.db.execute(sql`select ${index}::int as n, 'pooled marker' as marker, pg_sleep(0.05)`),
      ),
    );
    const found = await queryRows<{ statement: string }>(
      database.db,
      sql`select statement from pg_prepared_statements where statement like '%pooled marker%'
            and statement not like '%pg_prepared_statements%'`,
    );
    expect(found.length).toBeGreaterThanOrEqual(1);
  });

  it('plans every run for its own parameters', async () => {
    const [row] = await queryRows<{ plan_cache_mode: string }>(database.db, sql`show plan_cache_mode`);
    expect(row?.plan_cache_mode).toBe('force_custom_plan');
  });
});
