/**
 * The dialogues table: one guided dialogue per person (a /tip draft, a conclusion wizard, an answer
 * awaited), stored so it survives a restart and a key rotation. Its data is sealed at rest, and its row
 * is keyed by a keyed number of the person (never their id: a dump would show who has a report
 * half-written; issue 14).
 * It is read and written here only.
 */
import { asc, desc, eq, inArray, is, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, PgTransaction } from 'drizzle-orm/pg-core';
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
  const known = remembered.get(db);
  if (known?.has(userId)) return copyOf(known.get(userId) ?? null);
  const [row] = await db
    .select({ kind: dialogues.kind, step: dialogues.step, data: dialogues.data })
    .from(dialogues)
    .where(inArray(dialogues.userId, rowKeysOf(userId)))
    .orderBy(...PREFERRED_ROW(userId))
    .limit(1);
  return row ?? null;
}

/** Of a person's rows (one left under an older key beside the current one), the current key's first. */
const PREFERRED_ROW = (userId: number) => [
  desc(sql`${dialogues.userId} = ${dialogueRowKey(userId)}`),
  asc(dialogues.userId),
];

/**
 * Dialogues known in a transaction: read with the person (dialogueColumns), then kept current by every
 * write here, so getDialogue in the same transaction answers without a statement. Only transactions:
 * each handles its updates and ends, and one that fails is rolled back whole and not used again.
 */
const remembered = new WeakMap<object, Map<number, Dialogue | null>>();

function copyOf(dialogue: Dialogue | null): Dialogue | null {
  return dialogue && structuredClone(dialogue);
}

function remember(db: Queryable, userId: number, dialogue: Dialogue | null): void {
  if (!is(db, PgTransaction)) return;
  let known = remembered.get(db);
  if (!known) {
    known = new Map();
    remembered.set(db, known);
  }
  known.set(userId, copyOf(dialogue));
}

/**
 * The columns that read a person's dialogue inside another query (activePerson's), so a private update,
 * which reads the person and then their dialogue, reads both in one statement (issue 20). Each is a
 * subquery of the same preferred row; pass what they read to rememberDialogue.
 */
export function dialogueColumns(userId: number) {
  const pick = (column: AnyPgColumn) =>
    sql`(select ${column} from ${dialogues} where ${inArray(dialogues.userId, rowKeysOf(userId))}
         order by ${sql.join(PREFERRED_ROW(userId), sql`, `)} limit 1)`;
  return {
    dialogueKind: pick(dialogues.kind).mapWith(String) as SQL<string | null>,
    dialogueStep: pick(dialogues.step).mapWith(String) as SQL<string | null>,
    dialogueData: pick(dialogues.data).mapWith(dialogues.data) as SQL<Record<string, unknown> | null>,
  };
}

/** Keeps what dialogueColumns read in transaction `db`, for getDialogue to answer from. */
export function rememberDialogue(
  db: Queryable,
  userId: number,
  read: {
    dialogueKind: string | null;
    dialogueStep: string | null;
    dialogueData: Record<string, unknown> | null;
  },
): void {
  const { dialogueKind: kind, dialogueStep: step, dialogueData: data } = read;
  remember(db, userId, kind !== null && step !== null && data !== null ? { kind, step, data } : null);
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
  remember(db, userId, dialogue);
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
  remember(db, userId, null);
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
