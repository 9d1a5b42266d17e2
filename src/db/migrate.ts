import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';
import { resourcePath } from '../paths.js';
import type { Database } from './client.js';

// Any fixed number: replicas starting together take turns applying migrations.
const MIGRATION_LOCK = 7_310_424;

/** Applies the committed migrations; safe to call from several processes at once. */
export async function migrateDatabase(database: Database): Promise<void> {
  const migrationsFolder = resourcePath('migrations');
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
