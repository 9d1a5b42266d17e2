import { and, asc, eq, sql } from 'drizzle-orm';
import type { Update } from 'telegraf/types';
import { blindIndexFor } from '../crypto/sealing.js';
import { type Queryable, queryRows } from '../db/client.js';
import { inboxUpdates } from '../db/schema.js';

/**
 * The key that orders one sender's updates: a person's updates are handled one after another,
 * in the order Telegram numbered them, even when several are waiting. A keyed index of the sender
 * (purpose `order`), so a waiting or parked update does not name its sender in a dump (issue 14).
 */
export function orderKeyOf(update: Update): string {
  return blindIndexFor('order', senderOf(update));
}

function senderOf(update: Update): string {
  const record = update as unknown as Record<
    string,
    { from?: { id: number }; chat?: { id: number } } | undefined
  >;
  for (const field of Object.keys(record)) {
    if (field === 'update_id') continue;
    const body = record[field];
    if (body && typeof body === 'object') {
      if (body.from?.id !== undefined) return `u${body.from.id}`;
      if (body.chat?.id !== undefined) return `c${body.chat.id}`;
    }
  }
  return `x${update.update_id}`;
}

// A UTF-16 surrogate without its partner, or NUL: neither can be stored in Postgres text or JSON.
// biome-ignore lint/complexity/useRegexLiterals: as a literal, the NUL escape trips noControlCharactersInRegex
const UNSTORABLE = new RegExp(
  '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]|\\u0000',
  'g',
);

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\ufffd');
  if (Array.isArray(value)) return value.map(scrub);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, scrub(inner)]));
  }
  return value;
}

/**
 * The update with every string made storable (lone surrogates and NUL become U+FFFD), so one
 * malformed update can neither be refused by the database nor block the batch it came in.
 */
export function storableUpdate(update: Update): Update {
  return JSON.stringify(update).match(/\\u(?:d[89a-f][0-9a-f]{2}|0000)/i)
    ? (scrub(update) as Update)
    : update;
}

/**
 * Stores updates durably; an update already stored (delivered twice) is ignored.
 * Returns once the rows are committed, so the caller may then confirm them to Telegram.
 */
export async function storeUpdates(db: Queryable, updates: readonly Update[]): Promise<void> {
  if (updates.length === 0) return;
  await db
    .insert(inboxUpdates)
    .values(
      updates.map((update) => ({
        updateId: update.update_id,
        orderKey: orderKeyOf(update),
        payload: storableUpdate(update) as unknown as Record<string, unknown>,
      })),
    )
    .onConflictDoNothing({ target: inboxUpdates.updateId });
}

/** An update parked as failed after its last try, as an admin may see it: never its content. */
export interface ParkedUpdate {
  updateId: number;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
}

/** Updates parked as failed (the processor gave up on them), by update id. */
export function parkedUpdates(db: Queryable): Promise<ParkedUpdate[]> {
  return db
    .select({
      updateId: inboxUpdates.updateId,
      attempts: inboxUpdates.attempts,
      lastError: inboxUpdates.lastError,
      receivedAt: inboxUpdates.receivedAt,
    })
    .from(inboxUpdates)
    .where(eq(inboxUpdates.status, 'failed'))
    .orderBy(asc(inboxUpdates.updateId));
}

/**
 * Puts a parked update back in line with its tries reset, due at once, for the running bot to
 * handle again (once its cause was fixed). Returns false when `updateId` is not a parked update.
 */
export async function retryParkedUpdate(db: Queryable, updateId: number): Promise<boolean> {
  const retried = await db
    .update(inboxUpdates)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date() })
    .where(and(eq(inboxUpdates.updateId, updateId), eq(inboxUpdates.status, 'failed')))
    .returning({ updateId: inboxUpdates.updateId });
  return retried.length > 0;
}

/**
 * At start: updates an older release left waiting or parked carry their sender's id as order key
 * (`u<id>`, `c<id>`); they get the keyed index new ones have, so order holds across the upgrade and a
 * dump names nobody. Returns how many rows changed.
 */
export async function keyOrderOfOlderUpdates(db: Queryable): Promise<number> {
  const keys = await queryRows<{ order_key: string }>(
    db,
    sql`select distinct order_key from ${inboxUpdates} where status <> 'done' and order_key ~ '^[ucx]-?[0-9]+$'`,
  );
  let changed = 0;
  for (const { order_key } of keys) {
    const rows = await db
      .update(inboxUpdates)
      .set({ orderKey: blindIndexFor('order', order_key) })
      .where(eq(inboxUpdates.orderKey, order_key))
      .returning({ updateId: inboxUpdates.updateId });
    changed += rows.length;
  }
  return changed;
}

/** How long a handled update's id is kept to recognise a redelivery; Telegram redelivers within minutes. */
export const HANDLED_UPDATE_HOURS = 6;
/** How long an update parked after failing is kept for an operator to retry; then it is dropped. */
export const PARKED_UPDATE_DAYS = 30;

/**
 * Deletes handled rows older than HANDLED_UPDATE_HOURS (their times would otherwise sit beside the items
 * they made) and parked ones older than PARKED_UPDATE_DAYS (they hold a sender's key and sealed text).
 */
export async function pruneHandledUpdates(db: Queryable): Promise<void> {
  await db.execute(
    sql`delete from ${inboxUpdates}
        where (status = 'done' and handled_at < now() - make_interval(hours => ${HANDLED_UPDATE_HOURS}))
           or (status = 'failed' and received_at < now() - make_interval(days => ${PARKED_UPDATE_DAYS}))`,
  );
}
