import { sql } from 'drizzle-orm';
import type { Update } from 'telegraf/types';
import type { Queryable } from '../db/client.js';
import { inboxUpdates } from '../db/schema.js';

/**
 * The key that orders one sender's updates: a person's updates are handled one after another,
 * in the order Telegram numbered them, even when several are waiting.
 */
export function orderKeyOf(update: Update): string {
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

/** Deletes handled rows older than `days`; Telegram never redelivers an update that old. */
export async function pruneHandledUpdates(db: Queryable, days = 7): Promise<void> {
  await db.execute(
    sql`delete from ${inboxUpdates} where status = 'done' and handled_at < now() - make_interval(days => ${days})`,
  );
}
