import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, itemAdditions } from '../../src/db/schema.js';
import { MAX_ATTACHMENTS } from '../../src/domain/limits.js';
import { addToOwnItem, attachToOwnItem } from '../../src/items/additions.js';
import { createHarness, type Harness } from '../support/harness.js';
import { insertItem, MONITOR } from '../bot/features/queue/fixtures.js';

const photo = (n: number) => ({
  fileKind: 'photo' as const,
  fileId: `f${n}`,
  fileUniqueId: null,
  fileSize: null,
});

describe('a reporter adding to their own item', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('adds text and files to their own item only, audited without their id', async () => {
    const itemId = await insertItem(harness.db);
    const now = new Date();
    expect(await addToOwnItem(harness.db, { itemId, text: '补充' }, 777, now)).toEqual({ kind: 'not_found' });
    expect(await addToOwnItem(harness.db, { itemId, text: ' ' }, MONITOR, now)).toEqual({
      kind: 'missing_text',
    });
    expect(await addToOwnItem(harness.db, { itemId, text: '三月付款' }, MONITOR, now)).toEqual({
      kind: 'added',
    });
    expect(await attachToOwnItem(harness.db, { itemId, attachment: photo(1) }, 777, now)).toEqual({
      kind: 'not_found',
    });
    expect(await attachToOwnItem(harness.db, { itemId, attachment: photo(1) }, MONITOR, now)).toEqual({
      kind: 'attached',
    });
    const additions = await harness.db.select().from(itemAdditions).where(eq(itemAdditions.itemId, itemId));
    expect(additions.map((a) => [a.kind, a.authorId, a.text])).toEqual([['addition', null, '三月付款']]);
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.itemId, itemId));
    expect(audits.map((a) => [a.action, a.actorId])).toEqual([
      ['item.addition', null],
      ['item.attachment_added', null],
    ]);
  });

  it('stops at MAX_ATTACHMENTS files', async () => {
    const itemId = await insertItem(harness.db);
    for (let n = 0; n < MAX_ATTACHMENTS; n += 1) {
      await attachToOwnItem(harness.db, { itemId, attachment: photo(n) }, MONITOR, new Date());
    }
    expect(await attachToOwnItem(harness.db, { itemId, attachment: photo(99) }, MONITOR, new Date())).toEqual(
      {
        kind: 'too_many',
        max: MAX_ATTACHMENTS,
      },
    );
  });
});
