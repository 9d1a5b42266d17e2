/**
 * The edit_notices table: which edited messages were already answered. A person who edits a sent tip
 * (say, to take a name out) must learn that the edit changed nothing, once per message, however often
 * they edit it. Rows hold a keyed blind index of the chat and message and the day, nothing else.
 */
import { lt, sql } from 'drizzle-orm';
import { blindIndexFor } from './crypto/sealing.js';
import type { Queryable } from './db/client.js';
import { editNotices } from './db/schema.js';

/** How long an answered edit is remembered; an edit of an older message is answered again. */
const REMEMBER_DAYS = 30;

/** Records that the edit of `messageId` in `chatId` is being answered; false if it was answered before. */
export async function claimEditNotice(db: Queryable, chatId: number, messageId: number): Promise<boolean> {
  const claimed = await db
    .insert(editNotices)
    .values({ key: blindIndexFor('edit', `${chatId}:${messageId}`) })
    .onConflictDoNothing()
    .returning({ key: editNotices.key });
  return claimed.length > 0;
}

/** Forgets answered edits older than REMEMBER_DAYS (run by the daily retention job). */
export async function forgetOldEditNotices(db: Queryable): Promise<number> {
  const removed = await db
    .delete(editNotices)
    .where(lt(editNotices.day, sql`current_date - ${REMEMBER_DAYS}::int`))
    .returning({ key: editNotices.key });
  return removed.length;
}
