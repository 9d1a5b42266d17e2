import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { listMigrations, migrateDatabase } from '../../src/db/migrate.js';
import { useTestKeyring } from './test-key.js';

/** The Postgres server for integration tests, when set; otherwise tests use PGlite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

/** Which database integration tests run on. */
export const testDatabaseKind: 'pglite' | 'postgres' = TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** A migrated, empty database for one test file: an in-memory PGlite, or a fresh Postgres database dropped on close. */
export async function createTestDatabase(): Promise<Database & { url?: string }> {
  useTestKeyring();
  if (!TEST_DATABASE_URL) {
    const dumpFile = provided('pgliteTemplateDump');
    const database = await openDatabase(
      dumpFile ? { memory: true, loadDataDir: new Blob([await readFile(dumpFile)]) } : { memory: true },
    );
    // A no-op when started from the template; it also proves the template is current.
    await migrateDatabase(database);
    return database;
  }
  const { url, drop } = await createScratchPostgres({ template: provided('postgresTemplate') });
  const database = await openDatabase({ url, poolSize: 5 });
  await migrateDatabase(database);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await drop();
    },
  };
}

/**
 * What the global setup prepared for this run (see global-setup.ts), or undefined where it did not run
 * (a file run by a config without it, or a tool outside vitest).
 */
export function provided<K extends 'pgliteTemplateDump' | 'pgliteTemplateFolder' | 'postgresTemplate'>(
  key: K,
): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A new Postgres database on the test server, and how to drop it: empty, or a copy of `template` (a
 * migrated database the global setup made; nobody stays connected to it, as CREATE DATABASE requires).
 */
export async function createScratchPostgres(
  options: { template?: string | undefined } = {},
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `liaison_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(
    options.template ? `create database ${name} template ${options.template}` : `create database ${name}`,
  );
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const cleanup = postgres(TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * An empty database (in-memory PGlite, or a fresh Postgres database) migrated up to, not including,
 * migration `tag`: a migration test writes rows there as the release before it did, then migrates the
 * rest. `close` also drops the Postgres database.
 */
export async function databaseBeforeMigration(tag: string): Promise<Database> {
  useTestKeyring();
  let database: Database;
  let drop: () => Promise<void> = async () => {};
  if (TEST_DATABASE_URL) {
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    database = await openDatabase({ url: scratch.url, poolSize: 2 });
  } else {
    database = await openDatabase({ memory: true });
  }
  const before = (await listMigrations()).findIndex((migration) => migration.tag === tag);
  if (before <= 0) throw new Error(`no migration ${tag} after the first`);
  await migrateDatabase(database, { upTo: before });
  return {
    ...database,
    async close() {
      await database.close();
      await drop();
    },
  };
}
