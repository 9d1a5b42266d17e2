import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDialogue, getDialogue, setDialogue } from '../src/dialogues.js';
import { queryRows } from '../src/db/client.js';
import { sql } from 'drizzle-orm';
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
      sql`select data from dialogues where user_id = 2`,
    );
    expect(raw[0]?.data).not.toContain('草稿秘密');
    expect(await clearDialogue(harness.db, 1)).toBe(true);
    expect(await clearDialogue(harness.db, 1)).toBe(false);
    expect(await getDialogue(harness.db, 1)).toBeNull();
  });
});
