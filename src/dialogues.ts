/**
 * The dialogues table: one guided dialogue per person (a /tip draft, a conclusion wizard, an answer
 * awaited), stored so it survives a restart and a key rotation. Its data is sealed at rest, and its row
 * is keyed by a keyed number of the person (never their id: a dump would show who has a report
 * half-written; issue 14).
 * It is read and written here only.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { stableKeyedNumberFor } from './crypto/person-numbers.js';
import { isChatKey, keyedNumbersFor } from './crypto/sealing.js';
import { type Queryable, queryRows } from './db/client.js';
import { dialogues } from './db/schema.js';

/**
 * The row key of a person's dialogue (tests look rows up with it): a keyed number made with the
 * person-number key, which rotate-key keeps, so a draft outlives a rotation.
 */
export function dialogueRowKey(userId: number): number {
  return stableKeyedNumberFor('dialogue', userId);
}

/**
 * Where a person's dialogue may be: under its row key, or under the data key's keyed numbers an
 * earlier release used (while those keys are in the ring); setDialogue moves it to the first.
 */
function rowKeysOf(userId: number): number[] {
  return [dialogueRowKey(userId), ...keyedNumbersFor('dialogue', userId)];
}

/** A person's guided dialogue in progress: which feature owns it (`kind`), its step and collected data. */
export interface Dialogue {
  kind: string;
  step: string;
  data: Record<string, unknown>;
}

/** The person's dialogue in progress, or null. Stored in the database so it survives restarts. */
export async function getDialogue(db: Queryable, userId: number): Promise<Dialogue | null> {
  const [row] = await db
    .select({ kind: dialogues.kind, step: dialogues.step, data: dialogues.data })
    .from(dialogues)
    .where(inArray(dialogues.userId, rowKeysOf(userId)))
    .limit(1);
  return row ?? null;
}

/**
 * The day a dialogue last moved: enough to drop abandoned drafts (DRAFT_DAYS), and unlike the time it
 * does not match what the same update wrote to an item (issue 14).
 */
const TODAY = sql`date_trunc('day', now())`;

/** How long an abandoned dialogue is kept before pruneDialogues drops it. */
export const DRAFT_DAYS = 7;

/** Starts or advances a dialogue (one per person: starting one replaces any other). */
export async function setDialogue(db: Queryable, userId: number, dialogue: Dialogue): Promise<void> {
  const [current, ...older] = rowKeysOf(userId);
  // One dialogue per person: one an earlier release keyed otherwise goes.
  if (older.length > 0) await db.delete(dialogues).where(inArray(dialogues.userId, older));
  await db
    .insert(dialogues)
    .values({ userId: current as number, ...dialogue, updatedAt: TODAY })
    .onConflictDoUpdate({
      target: dialogues.userId,
      set: { kind: dialogue.kind, step: dialogue.step, data: dialogue.data, updatedAt: TODAY },
    });
}

/** Drops dialogues that have not moved for DRAFT_DAYS: an abandoned draft is not kept for ever. */
export async function pruneDialogues(db: Queryable): Promise<number> {
  const removed = await db
    .delete(dialogues)
    .where(sql`${dialogues.updatedAt} < date_trunc('day', now()) - make_interval(days => ${DRAFT_DAYS})`)
    .returning({ userId: dialogues.userId });
  return removed.length;
}

/** Ends the person's dialogue; returns true if there was one. */
export async function clearDialogue(db: Queryable, userId: number): Promise<boolean> {
  const removed = await db
    .delete(dialogues)
    .where(inArray(dialogues.userId, rowKeysOf(userId)))
    .returning({ userId: dialogues.userId });
  return removed.length > 0;
}

/**
 * At start: dialogues an older release keyed by the person's id get the keyed number (or are dropped
 * when the person has one under it already). Returns how many rows it looked at and changed.
 */
export async function keyDialoguesOfOlderRows(db: Queryable): Promise<number> {
  const rows = await queryRows<{ user_id: number | string }>(db, sql`select user_id from ${dialogues}`);
  let changed = 0;
  for (const row of rows) {
    const userId = Number(row.user_id);
    if (isChatKey(userId)) continue;
    const key = dialogueRowKey(userId);
    // One dialogue per person: one the current release started already is the newer, and stays.
    await db.execute(
      sql`delete from ${dialogues} where user_id = ${userId}
          and exists (select 1 from ${dialogues} k where k.user_id = ${key})`,
    );
    await db.update(dialogues).set({ userId: key }).where(eq(dialogues.userId, userId));
    changed += 1;
  }
  return changed;
}
