/**
 * The dialogues table: one guided dialogue per person (a /tip draft, a conclusion wizard, an answer
 * awaited), stored so it survives a restart. Its data is sealed at rest; it is read and written here only.
 */
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from './db/client.js';
import { dialogues } from './db/schema.js';

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
    .where(eq(dialogues.userId, userId));
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
  await db
    .insert(dialogues)
    .values({ userId, ...dialogue, updatedAt: TODAY })
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
    .where(eq(dialogues.userId, userId))
    .returning({ userId: dialogues.userId });
  return removed.length > 0;
}
