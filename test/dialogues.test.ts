import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnPlace, sealAt } from '../src/crypto/sealing.js';
import { queryRows } from '../src/db/client.js';
import {
  clearDialogue,
  DRAFT_DAYS,
  dialogueRowKey,
  getDialogue,
  keyDialoguesOfOlderRows,
  pruneDialogues,
  setDialogue,
} from '../src/dialogues.js';
import { activePerson } from '../src/people/store.js';
import { createHarness, type Harness } from './support/harness.js';

describe('dialogues', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('keeps one dialogue per person, sealed at rest, until cleared', async () => {
    expect(await getDialogue(harness.db, 1)).toBeNull();
    await setDialogue(harness.db, 1, { kind: 'tip', step: 'text', data: { text: '草稿秘密' } });
    await setDialogue(harness.db, 1, { kind: 'queue', step: 'merge', data: { itemId: 3 } });
    expect(await getDialogue(harness.db, 1)).toEqual({ kind: 'queue', step: 'merge', data: { itemId: 3 } });
    await setDialogue(harness.db, 2, { kind: 'tip', step: 'text', data: { text: '草稿秘密' } });
    const raw = await queryRows<{ data: string }>(
      harness.db,
      sql`select data from dialogues where user_id = ${dialogueRowKey(2)}`,
    );
    expect(raw[0]?.data).not.toContain('草稿秘密');
    expect(await clearDialogue(harness.db, 1)).toBe(true);
    expect(await clearDialogue(harness.db, 1)).toBe(false);
    expect(await getDialogue(harness.db, 1)).toBeNull();
  });

  it('keeps the day a dialogue moved, not the time, and drops one abandoned for a week', async () => {
    await setDialogue(harness.db, 5, { kind: 'tip', step: 'unit', data: {} });
    await setDialogue(harness.db, 6, { kind: 'tip', step: 'unit', data: {} });
    const [stamp] = await queryRows<{ exact: boolean }>(
      harness.db,
      sql`select updated_at = date_trunc('day', updated_at) as exact from dialogues where user_id = ${dialogueRowKey(5)}`,
    );
    expect(stamp?.exact).toBe(true);
    await harness.db.execute(
      sql`update dialogues set updated_at = date_trunc('day', now()) - make_interval(days => ${DRAFT_DAYS + 1})
          where user_id = ${dialogueRowKey(5)}`,
    );
    expect(await pruneDialogues(harness.db)).toBe(1);
    expect(await getDialogue(harness.db, 5)).toBeNull();
    expect(await getDialogue(harness.db, 6)).not.toBeNull();
  });

  it('keys by a keyed number of the person, never their id, and re-keys rows an older release wrote', async () => {
    await setDialogue(harness.db, 7_310_000_077, { kind: 'tip', step: 'unit', data: {} });
    const ids = await queryRows<{ user_id: string | number }>(harness.db, sql`select user_id from dialogues`);
    expect(ids.map((row) => String(row.user_id))).not.toContain('7310000077');
    // Rows as an older release wrote them: keyed by the id itself; one person has one under each.
    await harness.db.execute(sql`insert into dialogues (user_id, kind, step, data)
      values (7310000078, 'tip', 'text', ${sealAt(columnPlace('dialogues', 'data'), '{"text":"旧草稿"}')}),
             (7310000077, 'tip', 'text', ${sealAt(columnPlace('dialogues', 'data'), '{"text":"更旧的"}')})`);
    expect(await keyDialoguesOfOlderRows(harness.db)).toBe(2);
    expect(await getDialogue(harness.db, 7_310_000_078)).toEqual({
      kind: 'tip',
      step: 'text',
      data: { text: '旧草稿' },
    });
    // The one the current release started stays; the older one of the same person is gone.
    expect(await getDialogue(harness.db, 7_310_000_077)).toEqual({ kind: 'tip', step: 'unit', data: {} });
    const left = await queryRows<{ user_id: string | number }>(
      harness.db,
      sql`select user_id from dialogues`,
    );
    expect(left.map((row) => String(row.user_id)).join(' ')).not.toMatch(/731000007[78]/);
    expect(await keyDialoguesOfOlderRows(harness.db)).toBe(0);
  });

  it('is read with the person in a transaction, and getDialogue there answers from it, kept current by each write', async () => {
    await harness.enrol(40, 'monitor', { community: '丹城社区' });
    await setDialogue(harness.db, 40, { kind: 'tip', step: 'text', data: { text: '草稿' } });
    const changeBehindItsBack = (tx: Parameters<typeof getDialogue>[0]) =>
      tx.execute(sql`update dialogues set step = 'changed' where user_id = ${dialogueRowKey(40)}`);
    await harness.db.transaction(async (tx) => {
      expect(await activePerson(tx, 40, [])).toMatchObject({ role: 'monitor' });
      // A change made behind dialogues.ts is not seen: the answer came from the person's read, no statement.
      await changeBehindItsBack(tx);
      expect(await getDialogue(tx, 40)).toEqual({ kind: 'tip', step: 'text', data: { text: '草稿' } });
      // What the caller does with its copy does not change what is remembered.
      const copy = await getDialogue(tx, 40);
      if (copy) copy.data.text = '改过';
      expect((await getDialogue(tx, 40))?.data).toEqual({ text: '草稿' });
      await setDialogue(tx, 40, { kind: 'tip', step: 'unit', data: { text: '草稿二' } });
      expect(await getDialogue(tx, 40)).toEqual({ kind: 'tip', step: 'unit', data: { text: '草稿二' } });
      await clearDialogue(tx, 40);
      expect(await getDialogue(tx, 40)).toBeNull();
    });
    // Outside a transaction nothing is remembered: every read goes to the table.
    await setDialogue(harness.db, 40, { kind: 'tip', step: 'text', data: {} });
    await activePerson(harness.db, 40, []);
    await changeBehindItsBack(harness.db);
    expect((await getDialogue(harness.db, 40))?.step).toBe('changed');
    // Nor for someone not enrolled, whose read found no row.
    await setDialogue(harness.db, 41, { kind: 'tip', step: 'text', data: {} });
    await harness.db.transaction(async (tx) => {
      expect(await activePerson(tx, 41, [])).toBeNull();
      expect((await getDialogue(tx, 41))?.step).toBe('text');
    });
  });
});
