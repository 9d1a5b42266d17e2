/**
 * Checking and restoring a backup (src/backup/format.ts, dump.ts). A restore goes only into an empty
 * target — a fresh DATA_DIR or an empty PostgreSQL database — and in this order: the whole file is
 * verified first (nothing is touched if it is damaged); the target is migrated to exactly the schema
 * the backup was taken at; every row and sequence is loaded in one transaction (all or nothing); then
 * the migrations this version adds are applied, as at any start.
 */
import { sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRows } from '../db/client.js';
import { appliedMigrations, listMigrations, migrateDatabase } from '../db/migrate.js';
import { type DumpSummary, publicTables, qualified, writableColumns } from './dump.js';
import { BackupInvalidError, decryptBackup, readBackupHeader } from './format.js';

/** The dump's first line. */
interface DumpMeta {
  format: number;
  database: 'pglite' | 'postgres';
  migrations: { hash: string; when: number }[];
  tables: string[];
}

/** What a verified backup holds. */
export interface BackupContents extends DumpSummary {
  createdAt: string;
  keyId: string;
  database: string;
  migrations: number;
  /** Rows per table. */
  perTable: Record<string, number>;
}

/** Thrown when the restore target is not empty, or not a place this backup can go. */
export class RestoreRefusedError extends Error {}

function parseLine(line: string): { tag: string; body: string } {
  if (line.length < 2 || line[1] !== ' ') throw new BackupInvalidError('the dump has a malformed line');
  return { tag: line[0] as string, body: line.slice(2) };
}

function parseJson<T>(body: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new BackupInvalidError('the dump has a malformed line');
  }
}

/**
 * Reads a whole backup, checking its integrity (the GCM tag over header and body) and its structure
 * (every table's rows counted, the closing line present). Throws BackupInvalidError otherwise.
 */
export async function verifyBackup(path: string, keyring: readonly Buffer[]): Promise<BackupContents> {
  const { header } = await readBackupHeader(path);
  let meta: DumpMeta | null = null;
  let table: string | null = null;
  let rows = 0;
  const perTable: Record<string, number> = {};
  let sequences = 0;
  let closing: DumpSummary | null = null;
  for await (const line of decryptBackup(path, keyring)) {
    const { tag, body } = parseLine(line);
    if (closing) throw new BackupInvalidError('the dump goes on after its closing line');
    if (!meta) {
      if (tag !== 'M') throw new BackupInvalidError('the dump does not start with its description');
      meta = parseJson<DumpMeta>(body);
      if (meta.format !== 1)
        throw new BackupInvalidError(`dump format ${meta.format} is not one this version reads`);
      continue;
    }
    if (tag === 'T') {
      if (table) throw new BackupInvalidError(`table ${table} is not closed`);
      table = parseJson<{ table: string }>(body).table;
      rows = 0;
    } else if (tag === 'R') {
      if (!table) throw new BackupInvalidError('a row outside any table');
      parseJson<Record<string, unknown>>(body);
      rows += 1;
    } else if (tag === 'E') {
      const end = parseJson<{ table: string; rows: number }>(body);
      if (end.table !== table || end.rows !== rows) {
        throw new BackupInvalidError(`table ${end.table}: ${rows} rows found, ${end.rows} expected`);
      }
      perTable[end.table] = rows;
      table = null;
    } else if (tag === 'S') {
      sequences += 1;
    } else if (tag === 'Z') {
      closing = parseJson<DumpSummary>(body);
    } else {
      throw new BackupInvalidError(`unknown dump line "${tag}"`);
    }
  }
  if (!meta || !closing) throw new BackupInvalidError(`${path} is cut short: the dump has no closing line`);
  const total = Object.values(perTable).reduce((sum, n) => sum + n, 0);
  if (
    closing.rows !== total ||
    closing.tables !== Object.keys(perTable).length ||
    closing.sequences !== sequences
  ) {
    throw new BackupInvalidError('the dump does not add up to what its closing line says');
  }
  return {
    ...closing,
    createdAt: header.createdAt,
    keyId: header.keyId,
    database: meta.database,
    migrations: meta.migrations.length,
    perTable,
  };
}

/** Tables of the public schema that hold at least one row. */
async function tablesWithRows(db: Queryable): Promise<string[]> {
  const found: string[] = [];
  for (const table of await publicTables(db)) {
    const [row] = await queryRows<{ any: boolean }>(
      db,
      sql.raw(`select exists (select 1 from ${qualified(table)}) as any`),
    );
    if (row?.any) found.push(table);
  }
  return found;
}

/** Throws RestoreRefusedError unless the target has no rows in any table. */
export async function assertEmptyTarget(db: Queryable, where: string): Promise<void> {
  const filled = await tablesWithRows(db);
  if (filled.length > 0) {
    throw new RestoreRefusedError(
      `${where} is not empty (${filled.join(', ')} hold rows): restore only into a fresh DATA_DIR or an empty database`,
    );
  }
}

const BATCH_ROWS = 500;
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Restores a backup into an empty, open database (see the module comment for the order). The file is
 * verified first; throws BackupInvalidError or RestoreRefusedError before touching anything.
 */
export async function restoreBackup(
  database: Database,
  path: string,
  keyring: readonly Buffer[],
  where: string,
): Promise<BackupContents> {
  const contents = await verifyBackup(path, keyring);
  await assertEmptyTarget(database.db, where);
  const known = await listMigrations();
  let meta: DumpMeta | null = null;
  for await (const line of decryptBackup(path, keyring)) {
    meta = parseJson<DumpMeta>(parseLine(line).body);
    break;
  }
  if (!meta) throw new BackupInvalidError(`${path} holds no dump`);
  const taken = meta.migrations;
  const matches = taken.every((migration, index) => known[index]?.hash === migration.hash);
  if (!matches || taken.length > known.length) {
    throw new RestoreRefusedError(
      'the backup was taken by a newer or different version of liaison-bot (its migrations are not this version’s): restore it with that version, then upgrade',
    );
  }
  const applied = await appliedMigrations(database.db);
  if (
    applied.length > taken.length ||
    applied.some((migration, index) => taken[index]?.hash !== migration.hash)
  ) {
    throw new RestoreRefusedError(
      `${where} has been migrated beyond the backup's schema: restore into a fresh DATA_DIR or a new empty database`,
    );
  }
  await migrateDatabase(database, { upTo: taken.length });
  await database.db.transaction(async (tx) => {
    // The schema migrations build may hold rows of its own (none today): the backup replaces them.
    await assertEmptyTarget(tx, where);
    let table: string | null = null;
    let columns: string[] = [];
    let batch: string[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (!table || batch.length === 0) return;
      const list = columns.map((column) => `"${column.replaceAll('"', '""')}"`).join(', ');
      await tx.execute(
        sql`${sql.raw(`insert into ${qualified(table)} (${list}) overriding system value select ${list} from jsonb_populate_recordset(null::${qualified(table)}, `)}${`[${batch.join(',')}]`}${sql.raw('::jsonb)')}`,
      );
      batch = [];
      batchBytes = 0;
    };
    let first = true;
    for await (const line of decryptBackup(path, keyring)) {
      if (first) {
        first = false;
        continue;
      }
      const { tag, body } = parseLine(line);
      if (tag === 'T') {
        table = parseJson<{ table: string }>(body).table;
        const here = await writableColumns(tx, table);
        const wanted = parseJson<{ columns: string[] }>(body).columns;
        if (here.join(',') !== wanted.join(',')) {
          throw new RestoreRefusedError(`table ${table} does not have the backup's columns after migrating`);
        }
        columns = here;
      } else if (tag === 'R') {
        batch.push(body);
        batchBytes += body.length;
        if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
      } else if (tag === 'E') {
        await flush();
        table = null;
      } else if (tag === 'S') {
        const state = parseJson<{ sequence: string; lastValue: string; isCalled: boolean }>(body);
        await tx.execute(
          sql`select setval(${qualified(state.sequence)}::regclass, ${state.lastValue}::bigint, ${state.isCalled})`,
        );
      }
    }
    for (const [name, expected] of Object.entries(contents.perTable)) {
      const [row] = await queryRows<{ count: string | number }>(
        tx,
        sql.raw(`select count(*) as count from ${qualified(name)}`),
      );
      if (Number(row?.count) !== expected) {
        throw new BackupInvalidError(`table ${name}: ${row?.count} rows restored, ${expected} expected`);
      }
    }
  });
  // The migrations this version adds since the backup, exactly as a start would apply them.
  await migrateDatabase(database);
  return contents;
}
