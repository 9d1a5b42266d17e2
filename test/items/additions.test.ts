import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, itemAdditions } from '../../src/db/schema.js';
import { MAX_ATTACHMENTS } from '../../src/domain/limits.js';
import { addToOwnItem, attachToOwnItem } from '../../src/items/additions.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { createHarness, type Harness } from '../support/harness.js';
import { ADMIN, insertItem, MONITOR, OFFICER_A, OFFICER_B } from '../bot/features/queue/fixtures.js';

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
    expect(await addToOwnItem(harness.db, new OutboxBuffer(), { itemId, text: '补充' }, 777, now)).toEqual({
      kind: 'not_found',
    });
    expect(await addToOwnItem(harness.db, new OutboxBuffer(), { itemId, text: ' ' }, MONITOR, now)).toEqual({
      kind: 'missing_text',
    });
    expect(
      await addToOwnItem(harness.db, new OutboxBuffer(), { itemId, text: '三月付款' }, MONITOR, now),
    ).toEqual({
      kind: 'added',
    });
    expect(
      await attachToOwnItem(harness.db, new OutboxBuffer(), { itemId, attachment: photo(1) }, 777, now),
    ).toEqual({
      kind: 'not_found',
    });
    expect(
      await attachToOwnItem(harness.db, new OutboxBuffer(), { itemId, attachment: photo(1) }, MONITOR, now),
    ).toEqual({
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
      await attachToOwnItem(
        harness.db,
        new OutboxBuffer(),
        { itemId, attachment: photo(n) },
        MONITOR,
        new Date(),
      );
    }
    expect(
      await attachToOwnItem(
        harness.db,
        new OutboxBuffer(),
        { itemId, attachment: photo(99) },
        MONITOR,
        new Date(),
      ),
    ).toEqual({
      kind: 'too_many',
      max: MAX_ATTACHMENTS,
    });
  });

  // Issue 18: the assignee hears that the reporter added something — the number only — in the same
  // transaction, once per update; nobody else does, and nobody no longer entitled to the item.
  it('tells the active assignee the number only, once per update', async () => {
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    await harness.enrol(ADMIN, 'admin');
    const unassigned = await insertItem(harness.db);
    const quiet = new OutboxBuffer();
    await addToOwnItem(harness.db, quiet, { itemId: unassigned, text: '补充' }, MONITOR, new Date());
    expect(quiet.messages).toEqual([]);

    const itemId = await insertItem(harness.db, { assigneeId: OFFICER_A });
    const out = new OutboxBuffer();
    await attachToOwnItem(harness.db, out, { itemId, attachment: photo(7) }, MONITOR, new Date());
    await addToOwnItem(harness.db, out, { itemId, text: '附带的说明文字' }, MONITOR, new Date());
    expect(out.messages.map((m) => m.chatId)).toEqual([OFFICER_A]);
    const text = String(out.messages[0]?.payload.text);
    expect(text).toContain(`#${itemId}`);
    expect(text).toContain('new information');
    expect(text).not.toContain('附带的说明文字');
    expect(JSON.stringify(out.messages[0]?.payload)).toContain(`q.s|${itemId}`);

    // An admins-only item assigned to an officer: the officer may not see it, so is not told; an admin is.
    const hidden = await insertItem(harness.db, { adminsOnly: true, assigneeId: OFFICER_A });
    const none = new OutboxBuffer();
    await addToOwnItem(harness.db, none, { itemId: hidden, text: '补充' }, MONITOR, new Date());
    expect(none.messages).toEqual([]);
    const toAdmin = await insertItem(harness.db, { adminsOnly: true, assigneeId: ADMIN });
    const admins = new OutboxBuffer();
    await addToOwnItem(harness.db, admins, { itemId: toAdmin, text: '补充' }, MONITOR, new Date());
    expect(admins.messages.map((m) => [m.chatId, String(m.payload.text).includes('补充信息')])).toEqual([
      [ADMIN, true],
    ]);

    // An assignee who is not enrolled (or no longer) hears nothing.
    const gone = await insertItem(harness.db, { assigneeId: OFFICER_B });
    const nobody = new OutboxBuffer();
    await attachToOwnItem(harness.db, nobody, { itemId: gone, attachment: photo(8) }, MONITOR, new Date());
    expect(nobody.messages).toEqual([]);
  });
});
