/**
 * Bringing every stored secret under the current key: values in clear from before sealing, and
 * values sealed under an older key after a rotation. Works in small batches, each in its own
 * transaction, choosing only rows not yet under the current key — so it can be interrupted and run
 * again at any time, and the bot may keep writing meanwhile.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../db/client.js';
import {
  countLedgersNotUnderCurrentKey,
  type LedgerEntry,
  moveReporterRefsToLedgers,
  recordReported,
  rekeyLedgers,
} from '../items/ledger.js';
import { sealedReporterFor } from '../items/reporter-link.js';
import { countPersonNumberKeyNotUnderCurrentKey, resealPersonNumberKey } from '../people/numbering.js';
import { deleteSetting, getSetting } from '../settings.js';
import { countReplyLookupsNotUnderCurrentKey, rekeyReplyLookups } from '../telegram/outbox.js';
import { allowLegacyValues, columnPlace, currentKeyId, sealAt, unsealAt } from './sealing.js';

/** A sealed column, with the key that names its row. */
interface SealedColumn {
  table: string;
  key: string;
  column: string;
  /** Sealed with its row as well as its table and column (see src/items/reporter-link.ts). */
  rowBound?: boolean;
}

/** Every column holding a sealed value (see the encrypted column types in src/db/schema.ts). */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'items', key: 'id', column: 'text' },
  { table: 'items', key: 'id', column: 'reference' },
  { table: 'items', key: 'id', column: 'conclusion' },
  { table: 'items', key: 'id', column: 'reporter_sealed', rowBound: true },
  { table: 'item_additions', key: 'id', column: 'text' },
  { table: 'item_attachments', key: 'id', column: 'file_id' },
  { table: 'item_attachments', key: 'id', column: 'file_unique_id' },
  { table: 'people', key: 'telegram_id', column: 'display_name' },
  { table: 'people', key: 'telegram_id', column: 'username' },
  { table: 'people', key: 'telegram_id', column: 'community' },
  { table: 'people', key: 'telegram_id', column: 'agency' },
  { table: 'invites', key: 'id', column: 'community' },
  { table: 'invites', key: 'id', column: 'agency' },
  { table: 'outbox', key: 'id', column: 'payload' },
  { table: 'outbox', key: 'id', column: 'ref' },
  { table: 'reply_refs', key: 'key', column: 'value' },
  { table: 'reporter_ledgers', key: 'key', column: 'entries', rowBound: true },
  { table: 'inbox_updates', key: 'update_id', column: 'payload' },
  { table: 'dialogues', key: 'user_id', column: 'data' },
  { table: 'heads', key: 'person_key', column: 'notes' },
  { table: 'obligations', key: 'key', column: 'note' },
  { table: 'must_remove_marks', key: 'key', column: 'note' },
];

/** How many values one run changed, by `table.column`. */
export type ResealCounts = Record<string, number>;

/** Set by migration 0004 when a database already held rows in clear; removed once they are sealed. */
const LEGACY_ROWS = 'sealing.legacy_rows';
/** Set by migration 0012 when a database held values in the v1 format (no place bound); removed once resealed. */
const V1_VALUES = 'sealing.v1_values';

function notUnderCurrent(column: string, keyId: string): SQL {
  const ref = sql.identifier(column);
  return sql`${ref} is not null and (${ref} not like 'v2.%' or split_part(${ref}, '.', 2) <> ${keyId})`;
}

async function resealColumn(db: Db, target: SealedColumn, batchSize: number): Promise<number> {
  const keyId = currentKeyId();
  const table = sql.identifier(target.table);
  const key = sql.identifier(target.key);
  const column = sql.identifier(target.column);
  let total = 0;
  for (;;) {
    const changed = await db.transaction(async (tx) => {
      const rows = await queryRows<{ k: string | number; v: string }>(
        tx,
        sql`select ${key} as k, ${column}::text as v from ${table}
            where ${notUnderCurrent(target.column, keyId)}
            order by ${key} limit ${batchSize} for update skip locked`,
      );
      for (const row of rows) {
        const place = target.rowBound
          ? { table: target.table, column: target.column, row: row.k }
          : columnPlace(target.table, target.column);
        await tx.execute(
          sql`update ${table} set ${column} = ${sealAt(place, unsealAt(place, row.v))} where ${key} = ${row.k}`,
        );
      }
      return rows.length;
    });
    total += changed;
    if (changed < batchSize) return total;
  }
}

/**
 * Drops the duplicate-check indexes made under an older key (it looks back one minute only: an old
 * index is simply dropped, not recomputed).
 */
async function clearOldContentHashes(db: Db): Promise<number> {
  const keyId = currentKeyId();
  const cleared = await queryRows<{ id: number }>(
    db,
    sql`update items set content_hash = null
        where content_hash is not null and split_part(content_hash, '.', 1) <> ${keyId} returning id`,
  );
  return cleared.length;
}

/** Moves reporters stored in clear in items.reporter_id (before sealing) into the sealed column and their ledgers. */
async function sealLegacyReporters(db: Db, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const changed = await db.transaction(async (tx) => {
      const rows = await queryRows<{ id: number; reporter_id: string | number; at: string | number }>(
        tx,
        sql`select id, reporter_id, (extract(epoch from created_at) * 1000)::bigint as at
            from items where reporter_id is not null
            order by id limit ${batchSize} for update skip locked`,
      );
      const byReporter = new Map<number, LedgerEntry[]>();
      for (const row of rows) {
        const reporterId = Number(row.reporter_id);
        await tx.execute(
          sql`update items set reporter_sealed = ${sealedReporterFor(Number(row.id), reporterId)}, reporter_id = null
              where id = ${row.id}`,
        );
        byReporter.set(reporterId, [
          ...(byReporter.get(reporterId) ?? []),
          { id: Number(row.id), at: Number(row.at) },
        ]);
      }
      const now = new Date();
      for (const [reporterId, entries] of byReporter) await recordReported(tx, reporterId, entries, now);
      return rows.length;
    });
    total += changed;
    if (changed < batchSize) return total;
  }
}

/**
 * Re-encrypts every sealed value not under the current key, re-keys the reporter ledgers, in
 * batches of `batchSize` rows per transaction; resumable. Returns what it changed, by column.
 */
export async function resealAll(db: Db, options: { batchSize?: number } = {}): Promise<ResealCounts> {
  const batchSize = options.batchSize ?? 200;
  const counts: ResealCounts = {};
  counts['items.reporter_id'] = await sealLegacyReporters(db, batchSize);
  for (const target of SEALED_COLUMNS) {
    counts[`${target.table}.${target.column}`] = await resealColumn(db, target, batchSize);
  }
  // Items still linked the old way (a per-reporter index) join ledgers; ledgers move to the current key.
  counts['items.reporter_ref'] = await moveReporterRefsToLedgers(db, batchSize);
  counts['reporter_ledgers.key'] = await rekeyLedgers(db, batchSize);
  counts['reply_refs.key'] = await rekeyReplyLookups(db, batchSize);
  counts['items.content_hash'] = await clearOldContentHashes(db);
  counts['settings.people.number_key'] = await resealPersonNumberKey(db);
  return counts;
}

/** How many stored values are not yet under the current key (0 when a rotation is complete). */
export async function countNotUnderCurrentKey(db: Db): Promise<number> {
  const keyId = currentKeyId();
  let total = 0;
  for (const target of SEALED_COLUMNS) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${sql.identifier(target.table)} where ${notUnderCurrent(target.column, keyId)}`,
    );
    total += Number(row?.n ?? 0);
  }
  const [refs] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from items where reporter_ref is not null or reporter_id is not null`,
  );
  return (
    total +
    Number(refs?.n ?? 0) +
    (await countLedgersNotUnderCurrentKey(db)) +
    (await countReplyLookupsNotUnderCurrentKey(db)) +
    (await countPersonNumberKeyNotUnderCurrentKey(db))
  );
}

/**
 * At start: seals whatever an older version stored in clear (migration 0004's mark) and reseals values
 * in the v1 format, bound to no place (migration 0012's mark), under the current format; a new database
 * has neither, so a start costs two lookups. Resumable: a mark is removed only once everything is
 * resealed. Then values in clear or in v1 are refused wherever read (a database writer without the key
 * could otherwise plant them). Returns how many values it changed.
 */
export async function sealLegacyRows(db: Db): Promise<number> {
  const clear = Boolean(await getSetting<boolean>(db, LEGACY_ROWS));
  const v1 = Boolean(await getSetting<boolean>(db, V1_VALUES));
  let changed = 0;
  if (clear || v1) {
    allowLegacyValues({ v1: true, clear: true });
    const counts = await resealAll(db);
    await deleteSetting(db, LEGACY_ROWS);
    await deleteSetting(db, V1_VALUES);
    changed = Object.values(counts).reduce((sum, n) => sum + n, 0);
  }
  allowLegacyValues({ v1: false, clear: false });
  return changed;
}
