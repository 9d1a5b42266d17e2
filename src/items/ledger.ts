/**
 * The reporter ledgers (issue 14, "unlinkable at rest"): which items each reporter sent. An item holds
 * nothing in clear that its reporter's other items share; instead each reporter has one row in
 * `reporter_ledgers`, keyed by a blind index of their Telegram id, whose sealed `entries` list their
 * items as `{ id, at }` (at: when the item was created, epoch ms). The row has no time or serial of its
 * own, so it shares no time or order with the items. Every read and write of that table is here.
 *
 * A lookup tries the person's index under every key of the ring (a rotation may be half done); a
 * write merges whatever it found into one row under the current key and removes the others.
 */
import { and, eq, inArray, isNotNull, isNull, ne, type SQL, sql } from 'drizzle-orm';
import {
  blindIndexesFor,
  blindIndexFor,
  currentKeyId,
  type SealedPlace,
  sealAt,
  unsealAt,
} from '../crypto/sealing.js';
import { type Db, type Queryable, queryRows, type Statement } from '../db/client.js';
import { items, reporterLedgers } from '../db/schema.js';
import { deleteSetting, getSetting } from '../settings.js';
import { reporterIdOf } from './reporter-link.js';

/** One item in a reporter's ledger: its number and when it was created (epoch ms). */
export interface LedgerEntry {
  id: number;
  at: number;
}

/** Set by migration 0010 when a database held items linked the old way (items.reporter_ref). */
const LEGACY_REFS = 'ledger.legacy_refs';

/**
 * The shortest retention period (RETENTION_YEARS is at least 1): an item created since then cannot
 * have been purged, so a write looks up only older entries to drop those of purged items.
 */
const SHORTEST_RETENTION_MS = 366 * 24 * 60 * 60 * 1000;

function ledgerKeys(reporterId: number): string[] {
  return blindIndexesFor('ledger', String(reporterId));
}

/** Where a ledger's entries are sealed: bound to the row's key, so they open in no other person's row. */
function entriesPlace(key: string): SealedPlace {
  return { table: 'reporter_ledgers', column: 'entries', row: key };
}

/** A row's entries, opened for its own key: entries moved from another person's row are refused. */
function openEntries(row: { key: string; entries: string }): LedgerEntry[] {
  return JSON.parse(unsealAt(entriesPlace(row.key), row.entries)) as LedgerEntry[];
}

/** The entries of several rows as one list: each item once, in item order. */
function merged(lists: readonly (readonly LedgerEntry[])[]): LedgerEntry[] {
  const byId = new Map<number, LedgerEntry>();
  for (const list of lists) for (const entry of list) byId.set(entry.id, { id: entry.id, at: entry.at });
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The items this person reported, in item order, as their ledger lists them (one query). */
export async function ledgerOf(db: Queryable, reporterId: number): Promise<LedgerEntry[]> {
  const rows = await db
    .select({ key: reporterLedgers.key, entries: reporterLedgers.entries })
    .from(reporterLedgers)
    .where(inArray(reporterLedgers.key, ledgerKeys(reporterId)));
  return merged(rows.map(openEntries));
}

/** The numbers of the items this person reported, in item order (purged items may be among them). */
export async function reportedItemIds(db: Queryable, reporterId: number): Promise<number[]> {
  return (await ledgerOf(db, reporterId)).map((entry) => entry.id);
}

/** The entries whose item still exists and is not purged, of those `suspect` picks; the rest are kept as they are. */
async function withoutPurged(
  db: Queryable,
  entries: readonly LedgerEntry[],
  suspect: (entry: LedgerEntry) => boolean,
): Promise<LedgerEntry[]> {
  const suspects = entries.filter(suspect).map((entry) => entry.id);
  if (suspects.length === 0) return [...entries];
  const live = await db
    .select({ id: items.id })
    .from(items)
    .where(and(inArray(items.id, suspects), isNull(items.purgedAt)));
  const liveIds = new Set(live.map((row) => row.id));
  return entries.filter((entry) => !suspect(entry) || liveIds.has(entry.id));
}

/**
 * A reporter's ledger as read and locked in the caller's transaction: their rows under any key, and
 * the entries of all of them merged. Storing a tip reads it once for the flood limit and writes it
 * back in the new item's insert (lockedLedgerWrites), so the ledger costs one read per tip.
 */
export interface LockedLedger {
  readonly reporterId: number;
  /** The keys of the rows read (the current key's, and older ones a rotation left). */
  readonly keys: readonly string[];
  readonly entries: readonly LedgerEntry[];
}

/** Reads this person's ledger rows under any key, locking them until the caller's transaction ends. */
async function lockLedger(db: Queryable, reporterId: number): Promise<LockedLedger> {
  const rows = await db
    .select({ key: reporterLedgers.key, entries: reporterLedgers.entries })
    .from(reporterLedgers)
    .where(inArray(reporterLedgers.key, ledgerKeys(reporterId)))
    .for('update');
  return lockedLedgerOf(reporterId, rows);
}

/**
 * lockLedger's read as a column of another query (readBeforeInsert's), so storing a tip reads the
 * ledger with the items it needs in one statement (issue 20): the rows as a JSON array of [key,
 * entries] pairs, or null for none, locked like lockLedger's. Give what it read to lockedLedgerFrom.
 */
export function lockedLedgerColumn(reporterId: number): SQL<unknown> {
  return sql`(select json_agg(json_build_array(held.key, held.entries)) from (
      select ${reporterLedgers.key}, ${reporterLedgers.entries} from ${reporterLedgers}
      where ${inArray(reporterLedgers.key, ledgerKeys(reporterId))}
      for update) held)`;
}

/** The locked ledger lockedLedgerColumn read. */
export function lockedLedgerFrom(reporterId: number, column: unknown): LockedLedger {
  const pairs = (typeof column === 'string' ? JSON.parse(column) : (column ?? [])) as [string, string][];
  return lockedLedgerOf(
    reporterId,
    pairs.map(([key, entries]) => ({ key, entries })),
  );
}

function lockedLedgerOf(reporterId: number, rows: readonly { key: string; entries: string }[]): LockedLedger {
  return { reporterId, keys: rows.map((row) => row.key), entries: merged(rows.map(openEntries)) };
}

/** How many of a locked ledger's items were created at or after `since`. */
export function countInLedgerSince(ledger: LockedLedger, since: Date): number {
  const from = since.getTime();
  return ledger.entries.filter((entry) => entry.at >= from).length;
}

/** Stores `entries` as the person's one ledger row under the current key (none if empty), replacing `ledger`'s rows. */
async function writeLedger(
  db: Queryable,
  ledger: LockedLedger,
  entries: readonly LedgerEntry[],
): Promise<void> {
  for (const write of ledgerWrites(db, ledger, entries)) await write;
}

/** The statements writeLedger sends, built but not sent: each touches rows the others do not. */
function ledgerWrites(db: Queryable, ledger: LockedLedger, entries: readonly LedgerEntry[]): Statement[] {
  const key = blindIndexFor('ledger', String(ledger.reporterId));
  const older = ledger.keys.filter((other) => other !== key);
  const writes: Statement[] = [];
  if (older.length > 0) writes.push(db.delete(reporterLedgers).where(inArray(reporterLedgers.key, older)));
  if (entries.length === 0) {
    writes.push(db.delete(reporterLedgers).where(eq(reporterLedgers.key, key)));
    return writes;
  }
  const sealed = sealAt(entriesPlace(key), JSON.stringify(entries));
  writes.push(
    db
      .insert(reporterLedgers)
      .values({ key, entries: sealed })
      .onConflictDoUpdate({ target: reporterLedgers.key, set: { entries: sealed } }),
  );
  return writes;
}

/**
 * Rewrites this person's ledger in the caller's transaction: their rows under any key are read (and
 * locked), `change` applied, and the result stored as one row under the current key (none if empty).
 */
async function rewriteLedger(
  db: Queryable,
  reporterId: number,
  change: (entries: LedgerEntry[]) => Promise<LedgerEntry[]>,
): Promise<void> {
  const ledger = await lockLedger(db, reporterId);
  await writeLedger(db, ledger, await change([...ledger.entries]));
}

/**
 * Adds items to this person's ledger, in the caller's transaction (the item's own). Entries older than
 * the shortest retention period whose item has since been purged are dropped on the way.
 */
export async function recordReported(
  db: Queryable,
  reporterId: number,
  added: readonly LedgerEntry[],
  now: Date,
): Promise<void> {
  for (const write of await lockedLedgerWrites(db, await lockLedger(db, reporterId), added, now)) await write;
}

/**
 * recordReported's writes on a ledger already read and locked in this transaction (lockLedger), built
 * but not sent: they touch distinct rows, so they may go in one statement (createItem sends them in
 * the item's insert). Reads first whether old entries' items were purged, when there are old entries.
 */
export async function lockedLedgerWrites(
  db: Queryable,
  ledger: LockedLedger,
  added: readonly LedgerEntry[],
  now: Date,
): Promise<Statement[]> {
  const old = now.getTime() - SHORTEST_RETENTION_MS;
  return ledgerWrites(
    db,
    ledger,
    merged([await withoutPurged(db, ledger.entries, (entry) => entry.at < old), added]),
  );
}

/** After retention purged some of this person's items: drops them from the ledger, and the ledger once empty. */
export async function forgetPurgedItems(db: Queryable, reporterId: number): Promise<void> {
  await rewriteLedger(db, reporterId, (entries) => withoutPurged(db, entries, () => true));
}

/**
 * Moves items linked the old way (a blind index per reporter in items.reporter_ref, shared by all of
 * one person's items) into ledgers, then nulls reporter_ref; in batches, each its own transaction,
 * choosing only rows still linked the old way, so it is resumable and idempotent. Returns how many.
 */
export async function moveReporterRefsToLedgers(db: Db, batchSize = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const changed = await db.transaction(async (tx) => {
      const rows = await tx
        .select({
          id: items.id,
          reporterSealed: items.reporterSealed,
          at: sql<string | number>`(extract(epoch from ${items.createdAt}) * 1000)::bigint`,
        })
        .from(items)
        .where(isNotNull(items.reporterRef))
        .orderBy(items.id)
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return 0;
      const byReporter = new Map<number, LedgerEntry[]>();
      for (const row of rows) {
        // Without the sealed id the old index cannot be followed back to anyone: the link is dropped.
        const reporterId = reporterIdOf(row);
        if (reporterId === null) continue;
        const list = byReporter.get(reporterId) ?? [];
        list.push({ id: row.id, at: Number(row.at) });
        byReporter.set(reporterId, list);
      }
      const now = new Date();
      for (const [reporterId, entries] of byReporter) await recordReported(tx, reporterId, entries, now);
      await tx
        .update(items)
        .set({ reporterRef: null })
        .where(
          inArray(
            items.id,
            rows.map((row) => row.id),
          ),
        );
      return rows.length;
    });
    total += changed;
    if (changed < batchSize) return total;
  }
}

/**
 * At start: moves items linked the old way into ledgers when migration 0010 found any (a new database
 * has none, so a start costs one lookup). The mark is removed only once none is left. Returns how many.
 */
export async function convertLegacyReporterRefs(
  db: Db,
  options: { batchSize?: number } = {},
): Promise<number> {
  if (!(await getSetting<boolean>(db, LEGACY_REFS))) return 0;
  const moved = await moveReporterRefsToLedgers(db, options.batchSize);
  const [left] = await db.select({ id: items.id }).from(items).where(isNotNull(items.reporterRef)).limit(1);
  if (!left) await deleteSetting(db, LEGACY_REFS);
  return moved;
}

/**
 * After a key rotation: re-keys every ledger still under an older key (its key the person's blind index
 * under the current key, its entries sealed under it), in batches; resumable. The person is found
 * through the sealed reporter of one of their items; a ledger whose every item was purged names no one
 * any more and is deleted. Returns how many ledgers it re-keyed or deleted.
 */
export async function rekeyLedgers(db: Db, batchSize = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const changed = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ key: reporterLedgers.key, entries: reporterLedgers.entries })
        .from(reporterLedgers)
        .where(ne(sql`split_part(${reporterLedgers.key}, '.', 1)`, currentKeyId()))
        .orderBy(reporterLedgers.key)
        .limit(batchSize)
        .for('update', { skipLocked: true });
      const now = new Date();
      for (const row of rows) {
        const entries = openEntries(row);
        const ids = entries.map((entry) => entry.id);
        const [owned] =
          ids.length === 0
            ? []
            : await tx
                .select({ id: items.id, reporterSealed: items.reporterSealed })
                .from(items)
                .where(and(inArray(items.id, ids), isNotNull(items.reporterSealed)))
                .limit(1);
        const reporterId = owned ? reporterIdOf(owned) : null;
        // Its entries are carried over explicitly: the old key may already have left the ring.
        if (reporterId !== null) await recordReported(tx, reporterId, entries, now);
        await tx.delete(reporterLedgers).where(eq(reporterLedgers.key, row.key));
      }
      return rows.length;
    });
    total += changed;
    if (changed < batchSize) return total;
  }
}

/** How many ledgers are not under the current key (0 once a rotation is complete). */
export async function countLedgersNotUnderCurrentKey(db: Queryable): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${reporterLedgers}
        where split_part(${reporterLedgers.key}, '.', 1) <> ${currentKeyId()}`,
  );
  return Number(row?.n ?? 0);
}

/** Deletes a person's ledger under every key of the ring (their row is being purged). */
export async function forgetLedger(db: Queryable, reporterId: number): Promise<void> {
  await db
    .delete(reporterLedgers)
    .where(inArray(reporterLedgers.key, blindIndexesFor('ledger', String(reporterId))));
}
