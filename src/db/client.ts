import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, type QueryOptions, type Transaction, types } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations, SQL, SQLWrapper } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { assertPostgresDriverPatched } from './driver-patch.js';
import * as schema from './schema.js';

type Schema = typeof schema;

/** The drizzle database, the same type on PGlite and on postgres.js. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction; features receive one per update and write everything through it. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either a database or a transaction: anything queries can run on. */
export type Queryable = Db | Tx;

/** An open database and how to close it. */
export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The Postgres URL, when on Postgres (migrations take a connection of their own). */
  url?: string;
  /** How many updates may be handled at once: PGlite has a single connection. */
  concurrency: number;
  close(): Promise<void>;
}

/**
 * Where to connect: a Postgres URL, an embedded PGlite folder, or PGlite in memory (tests). A folder is
 * locked while open (src/db/data-dir-lock.ts); `holder` says who is opening it, for the refusal others get.
 */
export type DatabaseTarget =
  | { url: string; poolSize?: number }
  | { dataDir: string; holder?: { role: 'bot' | 'cli'; command?: string } }
  | {
      memory: true;
      /**
       * A data directory dumped by PGlite's `dumpDataDir` to start from instead of an empty cluster: the
       * tests start each file from one migrated copy rather than running initdb and the migrations again.
       */
      loadDataDir?: Blob;
    };

/** What the caller of openDatabase may watch; the benchmark counts statements per tip with it. */
export interface DatabaseObserver {
  /**
   * Called once per statement sent to the server: every query, BEGIN and COMMIT (on PGlite, each
   * simple-query or parse message). Never given the statement's text or parameters.
   */
  onStatement?: () => void;
}

/**
 * How PGlite's server starts: its defaults, with 16 MB of shared buffers instead of 128 MB. The
 * embedded database is small and the operating system caches its files anyway; PGlite touches the
 * whole pool at start, so the smaller pool cut the bot's resident memory by about 90-120 MB (peak
 * during the intake bench 436-474 MB -> 337-389 MB, idle after start 386 -> 261 MB) at no measured cost
 * in throughput. A start parameter, not postgresql.conf: PGlite would replace that file whole.
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c',
  'shared_buffers=16MB',
];

/** PGlite's front-end message types that each start one statement: a simple query ('Q') or a parse ('P'). */
const STATEMENT_MESSAGES = new Set(['Q'.charCodeAt(0), 'P'.charCodeAt(0)]);

/** Counts the statements a PGlite instance runs, at the wire-protocol call every query goes through. */
function observePglite(client: PGlite, onStatement: () => void): void {
  const send = client.execProtocolStream.bind(client);
  client.execProtocolStream = (message, options) => {
    if (STATEMENT_MESSAGES.has(message[0] ?? -1)) onStatement();
    return send(message, options);
  };
}

/**
 * The postgres.js client with drizzle's queries sent as named prepared statements, in every transaction
 * and savepoint too. drizzle asks for unnamed ones, and postgres.js sends an unnamed statement with
 * parameters in two round trips (parse and describe, wait for the parameter types, then bind and
 * execute) and holds the connection's pipeline meanwhile, so statements sent together were not
 * pipelined either. A named statement is described once per connection and then runs in one round trip.
 * The connection plans each run for its parameters (`plan_cache_mode`), so no query changes its plan;
 * postgres.js retries a statement that a schema change invalidated, and recycles its connections
 * (max_lifetime), which bounds the statements a connection keeps.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: postgres.ParameterOrJSON<never>[], options?: object) =>
          target.unsafe(query, parameters, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const work = args.pop() as (inner: postgres.Sql) => unknown;
          const method = Reflect.get(target, property, target) as (...inner: unknown[]) => unknown;
          return method(...args, (inner: postgres.Sql) => work(preparing(inner)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** The result types drizzle asks PGlite to leave as text, on every query (drizzle-orm/pglite/session.js). */
const DRIZZLE_TEXT_TYPES = new Set<number>([
  types.TIMESTAMP,
  types.TIMESTAMPTZ,
  types.INTERVAL,
  types.DATE,
  1231, // numeric[]
  1115, // timestamp[]
  1185, // timestamptz[]
  1187, // interval[]
  1182, // date[]
]);

/** Whether `options` asks only that DRIZZLE_TEXT_TYPES be left as text, which the client now does anyway. */
function asksOnlyForText(options: QueryOptions | undefined): options is QueryOptions {
  const parsers = options?.parsers;
  return parsers !== undefined && Object.keys(parsers).every((type) => DRIZZLE_TEXT_TYPES.has(Number(type)));
}

/**
 * The PGlite client with drizzle's per-query parsers made the client's own. drizzle passes the same
 * "leave as text" parsers with every query, and PGlite then copies its whole parser table (hundreds of
 * types, array types included) into a new object per query: its result parser, which does it, held
 * 8% of the bot's CPU samples under the intake bench, the most of any one function.
 * The client keeps those types as text itself, so a query that asks for nothing more is sent without
 * them, and every row reads exactly as before. Transactions get the same client behaviour.
 */
export function withTextTypesKept(client: PGlite): PGlite {
  const keepText = (value: string) => value;
  for (const type of DRIZZLE_TEXT_TYPES) client.parsers[type] = keepText;
  const withoutParsers = (options: QueryOptions | undefined) => {
    if (!asksOnlyForText(options)) return options;
    const { parsers: _sameAsTheClients, ...rest } = options;
    return rest;
  };
  const lighterQuery =
    (run: Transaction['query']): Transaction['query'] =>
    (query, parameters, options) =>
      run(query, parameters, withoutParsers(options));
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return lighterQuery(target.query.bind(target));
      if (property === 'transaction') {
        return <T>(work: (tx: Transaction) => Promise<T>) =>
          target.transaction((tx) =>
            work(
              new Proxy(tx, {
                get(inner, name) {
                  if (name === 'query') return lighterQuery(inner.query.bind(inner));
                  return Reflect.get(inner, name, inner);
                },
              }),
            ),
          );
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Opens Postgres through postgres.js when a URL is given, otherwise the embedded PGlite database.
 * Postgres is refused (PostgresDriverUnpatchedError) while the installed driver lacks its patch.
 */
export async function openDatabase(
  target: DatabaseTarget,
  observer: DatabaseObserver = {},
): Promise<Database> {
  const { onStatement } = observer;
  if ('url' in target) {
    assertPostgresDriverPatched();
    const client = postgres(target.url, {
      max: target.poolSize ?? 10,
      onnotice: () => {},
      // Every statement is planned for its own parameters, as an unnamed one was (see preparing).
      connection: { application_name: 'liaison-bot', plan_cache_mode: 'force_custom_plan' },
      ...(onStatement ? { debug: () => onStatement() } : {}),
    });
    const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
    return { db, kind: 'postgres', url: target.url, concurrency: 4, close: () => client.end({ timeout: 5 }) };
  }
  let client: PGlite;
  let lock: DataDirLock | undefined;
  if ('dataDir' in target) {
    // Before anything touches the files: a second engine on the same folder would corrupt it.
    lock = await lockDataDir(target.dataDir, target.holder ?? { role: 'cli' });
    try {
      const folder = resolve(target.dataDir, 'pgdata');
      await mkdir(folder, { recursive: true });
      client = await PGlite.create(folder, { startParams: [...PGLITE_START_PARAMS] });
    } catch (error) {
      await lock.release();
      throw error;
    }
  } else {
    client = await PGlite.create({
      startParams: [...PGLITE_START_PARAMS],
      ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
    });
  }
  if (onStatement) observePglite(client, onStatement);
  const db = drizzlePglite(withTextTypesKept(client), { schema }) as unknown as Db;
  const close = async () => {
    try {
      await client.close();
    } finally {
      await lock?.release();
    }
  };
  return { db, kind: 'pglite', concurrency: 1, close };
}

/**
 * A write built but not sent (a drizzle insert, update or delete): awaiting it runs it on its own, and
 * insertItem can send it in the item's insert statement instead (a data-modifying WITH clause), so the
 * writes that go with a new item cost no statement of their own. The owning module builds it.
 */
export type Statement = SQLWrapper & PromiseLike<unknown>;

/** Runs raw SQL and returns its rows, hiding the drivers' different result shapes. */
export async function queryRows<T extends Record<string, unknown>>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
