/**
 * A per-process cache of what rarely changes and every update reads: the unit directory, the
 * settings (the section chat, the holiday calendar, the bot's username) and the heads' tenures.
 * Issue 20: those reads were four of a tip's statements.
 *
 * Only the inbox's transactions use it, and only while it is known to be current: the claim query
 * reads a version of the three tables (DIRECTORY_VERSION: their row counts and newest row versions,
 * which any insert, update or delete anywhere — another replica, the CLI — changes), and a cache
 * built under another version is dropped. A read made later in the same transaction can only see
 * the same or newer rows than the version it is filed under, so a change committed meanwhile makes
 * the next claim drop it; it is never kept under a version it does not reflect. A transaction that
 * writes one of the three tables through this code (markDirectoryWritten) reads them directly from
 * then on and fills nothing, so it sees its own writes and never caches what might roll back.
 */
import { sql } from 'drizzle-orm';
import { headTenures, settings, units } from './schema.js';

/**
 * A version of the settings, units and head_tenures tables, read in the claim query: changes with every insert,
 * update or delete (a row count, and the newest transaction id that wrote a row, per table).
 */
export const DIRECTORY_VERSION = sql`(
  (select count(*) || '.' || coalesce(max(xmin::text::bigint), 0) from ${settings}) || '/' ||
  (select count(*) || '.' || coalesce(max(xmin::text::bigint), 0) from ${units}) || '/' ||
  (select count(*) || '.' || coalesce(max(xmin::text::bigint), 0) from ${headTenures}))`;

interface Cache {
  version: string;
  values: Map<string, unknown>;
}

/** Each database's cache, by the database object that owns the connection. */
const caches = new WeakMap<object, Cache>();
/** The cache a transaction may use (registered by the inbox processor after its claim). */
const scopes = new WeakMap<object, Map<string, unknown>>();
/** Transactions that wrote settings, units or tenures: they read directly from then on. */
const written = new WeakSet<object>();

/**
 * Lets transaction `tx` on `database` read through the cache, as of `version` (DIRECTORY_VERSION read
 * in `tx`); a cache filed under another version is dropped first.
 */
export function useReadCache(database: object, tx: object, version: string): void {
  let cache = caches.get(database);
  if (!cache || cache.version !== version) {
    cache = { version, values: new Map() };
    caches.set(database, cache);
  }
  scopes.set(tx, cache.values);
}

/** Records that `db` (a transaction) wrote settings, units or tenures, so its later reads bypass the cache. */
export function markDirectoryWritten(db: object): void {
  written.add(db);
}

/**
 * `load()`, or what it gave earlier under the same version when `db` is a transaction the inbox
 * registered. Cached values are shared: callers get them as `load` made them and must not change them
 * (return strings, or copy on the way out).
 */
export async function readThroughCache<T>(db: object, key: string, load: () => Promise<T>): Promise<T> {
  const values = scopes.get(db);
  if (!values || written.has(db)) return load();
  if (values.has(key)) return values.get(key) as T;
  const value = await load();
  if (!written.has(db)) values.set(key, value);
  return value;
}
