import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { resourcePath } from '../paths.js';
import { type Database, type Queryable, queryRows } from './client.js';

// Any fixed number: replicas starting together take turns applying migrations.
const MIGRATION_LOCK = 7_310_424;

/** A committed migration: its name, drizzle's timestamp for it, and the hash drizzle records once applied. */
export interface MigrationInfo {
  tag: string;
  when: number;
  hash: string;
}

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

async function readJournal(folder: string): Promise<Journal> {
  return JSON.parse(await readFile(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
}

/** Every migration this code carries, in order. */
export async function listMigrations(): Promise<MigrationInfo[]> {
  const folder = resourcePath('migrations');
  const journal = await readJournal(folder);
  const files = readMigrationFiles({ migrationsFolder: folder });
  return journal.entries.map((entry, index) => ({
    tag: entry.tag,
    when: entry.when,
    hash: files[index]?.hash ?? '',
  }));
}

/** The migrations recorded as applied in a database (drizzle's table), oldest first; none on a new one. */
export async function appliedMigrations(db: Queryable): Promise<{ hash: string; when: number }[]> {
  const [table] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!table?.present) return [];
  const rows = await queryRows<{ hash: string; created_at: string | number }>(
    db,
    sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at, id`,
  );
  return rows.map((row) => ({ hash: row.hash, when: Number(row.created_at) }));
}

/** The migrations the next start would apply (drizzle applies those newer than the last one recorded). */
export async function pendingMigrations(db: Queryable): Promise<MigrationInfo[]> {
  const applied = await appliedMigrations(db);
  const last = applied.at(-1)?.when ?? Number.NEGATIVE_INFINITY;
  return (await listMigrations()).filter((migration) => migration.when > last);
}

/**
 * A migrations folder holding only the first `count` migrations, for bringing an empty database to the
 * schema a backup was taken at; removed by the returned function.
 */
async function migrationsPrefix(count: number): Promise<{ folder: string; remove(): Promise<void> }> {
  const source = resourcePath('migrations');
  const journal = await readJournal(source);
  const folder = await mkdtemp(join(tmpdir(), 'liaison-migrations-'));
  const entries = journal.entries.slice(0, count);
  await mkdir(join(folder, 'meta'));
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  for (const entry of entries)
    await copyFile(join(source, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) };
}

/** Applies the committed migrations (or only the first `upTo`); safe to call from several processes at once. */
export async function migrateDatabase(database: Database, options: { upTo?: number } = {}): Promise<void> {
  if (options.upTo !== undefined) {
    const prefix = await migrationsPrefix(options.upTo);
    try {
      await migrateFrom(database, prefix.folder);
    } finally {
      await prefix.remove();
    }
    return;
  }
  await migrateFrom(database, resourcePath('migrations'));
}

async function migrateFrom(database: Database, migrationsFolder: string): Promise<void> {
  if (database.kind === 'pglite' || database.url === undefined) {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  // An advisory lock belongs to one session, so lock, migrate and unlock on one dedicated connection.
  const connection = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzlePostgres(connection), { migrationsFolder });
    await connection`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await connection.end({ timeout: 5 });
  }
}
