import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { useTestKeyring } from './test-key.js';

/** The Postgres server for integration tests, when set; otherwise tests use PGlite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

/** Which database integration tests run on. */
export const testDatabaseKind: 'pglite' | 'postgres' = TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** A migrated, empty database for one test file: an in-memory PGlite, or a fresh Postgres database dropped on close. */
export async function createTestDatabase(): Promise<Database & { url?: string }> {
  useTestKeyring();
  if (!TEST_DATABASE_URL) {
    const database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    return database;
  }
  const { url, drop } = await createScratchPostgres();
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

/** A new empty Postgres database on the test server, and how to drop it. */
export async function createScratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `liaison_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = postgres(TEST_DATABASE_URL as string, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
