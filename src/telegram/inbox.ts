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
        payload: update as unknown as Record<string, unknown>,
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
