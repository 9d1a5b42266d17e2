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
});
