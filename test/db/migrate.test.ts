import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase, queryRows } from '../../src/db/client.js';
import {
  appliedMigrations,
  listMigrations,
  migrateDatabase,
  pendingMigrations,
} from '../../src/db/migrate.js';
import { createScratchPostgres, TEST_DATABASE_URL, testDatabaseKind } from '../support/database.js';
import { useTestKeyring } from '../support/test-key.js';

const MIGRATIONS = join(import.meta.dirname, '..', '..', 'migrations');

/** An empty database, not migrated: PGlite in memory, or a scratch Postgres database. */
async function emptyDatabase(): Promise<Database> {
  useTestKeyring();
  if (!TEST_DATABASE_URL) return openDatabase({ memory: true });
  const scratch = await createScratchPostgres();
  const database = await openDatabase({ url: scratch.url, poolSize: 3 });
  return {
    ...database,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}

async function tableExists(database: Database, name: string): Promise<boolean> {
  const [row] = await queryRows<{ present: boolean }>(
    database.db,
    sql`select to_regclass(${name}) is not null as present`,
  );
  return row?.present === true;
}

describe('listMigrations', () => {
  it('lists every committed migration file in order, with the hash drizzle records for it', async () => {
    const migrations = await listMigrations();
    const files = (await readdir(MIGRATIONS)).filter((name) => name.endsWith('.sql')).sort();
    expect(migrations.map((migration) => `${migration.tag}.sql`)).toEqual(files);
    for (const migration of migrations) {
      const text = await readFile(join(MIGRATIONS, `${migration.tag}.sql`), 'utf8');
      expect(migration.hash).toBe(createHash('sha256').update(text).digest('hex'));
    }
    const whens = migrations.map((migration) => migration.when);
    expect(whens).toEqual([...whens].sort((a, b) => a - b));
    expect(new Set(whens).size).toBe(whens.length);
  });
});

describe(`migrateDatabase on ${testDatabaseKind}`, () => {
  const opened: Database[] = [];
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
  });
  const open = async () => {
    const database = await emptyDatabase();
    opened.push(database);
    return database;
  };

  it('brings an empty database up step by step: none applied, the first ones, then all, and again changes nothing', async () => {
    const database = await open();
    const all = await listMigrations();
    expect(await appliedMigrations(database.db)).toEqual([]);
    expect(await pendingMigrations(database.db)).toEqual(all);
    expect(await tableExists(database, 'public.items')).toBe(false);

    await migrateDatabase(database, { upTo: 2 });
    expect(await appliedMigrations(database.db)).toEqual(
      all.slice(0, 2).map(({ hash, when }) => ({ hash, when })),
    );
    expect(await pendingMigrations(database.db)).toEqual(all.slice(2));
    expect(await tableExists(database, 'public.items')).toBe(true);
    // Migration 0006 adds edit_notices: not there yet.
    expect(await tableExists(database, 'public.edit_notices')).toBe(false);

    await migrateDatabase(database);
    const applied = all.map(({ hash, when }) => ({ hash, when }));
    expect(await appliedMigrations(database.db)).toEqual(applied);
    expect(await pendingMigrations(database.db)).toEqual([]);
    expect(await tableExists(database, 'public.edit_notices')).toBe(true);

    await migrateDatabase(database);
    expect(await appliedMigrations(database.db)).toEqual(applied);
  });

  it.runIf(testDatabaseKind === 'postgres')(
    'lets several processes migrate one database at once: each migration is applied once',
    async () => {
      const database = await open();
      await Promise.all([migrateDatabase(database), migrateDatabase(database), migrateDatabase(database)]);
      const all = await listMigrations();
      expect(await appliedMigrations(database.db)).toEqual(all.map(({ hash, when }) => ({ hash, when })));
    },
  );
});
