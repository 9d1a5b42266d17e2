import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.js';
import { loadVisibleItem } from '../../src/items/store.js';
import {
  applyTransition,
  assignableStaff,
  assignItem,
  checkTransition,
  forwardItem,
  mergeItem,
} from '../../src/items/transitions.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { createHarness, type Harness } from '../support/harness.js';
import { ADMIN, insertItem, LIAISON_AUD, OFFICER_A, OFFICER_B } from '../bot/features/queue/fixtures.js';

const officer = { telegramId: OFFICER_A, admin: false };
const admin = { telegramId: ADMIN, admin: true };

describe('item transitions (use cases)', () => {
  let harness: Harness;
  const now = new Date('2025-06-10T02:00:00Z');
  const load = async (id: number) => {
    const item = await loadVisibleItem(harness.db, id, admin);
    if (!item) throw new Error(`no item ${id}`);
    return item;
  };
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(ADMIN, 'admin');
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    await harness.enrol(OFFICER_B, 'officer', { language: 'en' });
    await harness.enrol(LIAISON_AUD, 'liaison', { agency: 'AUD', language: 'en' });
  });
  afterAll(() => harness.close());

  it('moves an item once per version, audits from/to, and reports a stale or refused step', async () => {
    const item = await load(await insertItem(harness.db));
    const done = await applyTransition(harness.db, item, 1, 'accept', officer, now);
    expect(done).toMatchObject({ kind: 'done', item: { status: 'accepted', version: 2 } });
    const stale = await applyTransition(harness.db, item, 1, 'verify', officer, now);
    expect(stale).toMatchObject({ kind: 'stale', current: { status: 'accepted', version: 2 } });
    const current = await load(item.id);
    expect(await applyTransition(harness.db, current, 2, 'file', officer, now)).toMatchObject({
      kind: 'not_allowed',
    });
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.itemId, item.id));
    expect(audits.map((a) => [a.action, a.actorId, a.details])).toEqual([
      ['item.accept', OFFICER_A, { from: 'new', to: 'accepted' }],
    ]);
  });

  it('checks before a dialogue: version, then the state machine (reopen is for admins)', async () => {
    const item = await load(await insertItem(harness.db, { status: 'filed' }));
    expect(checkTransition(item, 2, 'reopen', admin)).toMatchObject({ kind: 'stale' });
    expect(checkTransition(item, 1, 'reopen', officer)).toMatchObject({ kind: 'not_allowed' });
    expect(checkTransition(item, 1, 'reopen', admin)).toEqual({ kind: 'ready' });
  });

  it('forwards and tells the agency liaisons the number and code only', async () => {
    const item = await load(await insertItem(harness.db));
    const out = new OutboxBuffer();
    const outcome = await forwardItem(
      harness.db,
      out,
      { item, version: 1, agency: 'AUD' },
      { viewer: officer, now },
    );
    expect(outcome).toMatchObject({ kind: 'done', liaisons: 1, item: { forwardedAgency: 'AUD' } });
    expect(out.messages.map((m) => m.chatId)).toEqual([LIAISON_AUD]);
    expect(String(out.messages[0]?.payload.text)).toContain(`#${item.id}`);
    expect(String(out.messages[0]?.payload.text)).not.toContain('镇长');
  });

  it('assigns to staff only, tells the assignee unless they took it themselves, and audits reassigning', async () => {
    const item = await load(await insertItem(harness.db));
    expect((await assignableStaff(harness.db, item)).map((m) => m.telegramId)).toEqual([
      ADMIN,
      OFFICER_A,
      OFFICER_B,
    ]);
    const out = new OutboxBuffer();
    expect(
      await assignItem(
        harness.db,
        out,
        { item, version: 1, officerId: LIAISON_AUD },
        { viewer: officer, now },
      ),
    ).toMatchObject({
      kind: 'not_allowed',
    });
    const first = await assignItem(
      harness.db,
      out,
      { item, version: 1, officerId: OFFICER_B },
      { viewer: officer, now },
    );
    expect(first).toMatchObject({ kind: 'assigned', reassigned: false, item: { assigneeId: OFFICER_B } });
    expect(out.messages.map((m) => m.chatId)).toEqual([OFFICER_B]);
    const again = await assignItem(
      harness.db,
      out,
      { item: await load(item.id), version: 2, officerId: OFFICER_A },
      { viewer: officer, now },
    );
    expect(again).toMatchObject({ kind: 'assigned', reassigned: true });
    expect(out.messages).toHaveLength(1);
    const actions = (await harness.db.select().from(auditLog).where(eq(auditLog.itemId, item.id))).map(
      (a) => a.action,
    );
    expect(actions).toEqual(['item.assign', 'item.reassign']);
  });

  it('merges into a visible, unmerged other item', async () => {
    const into = await insertItem(harness.db);
    const hidden = await insertItem(harness.db, { adminsOnly: true });
    const id = await insertItem(harness.db);
    expect(await mergeItem(harness.db, id, 1, id, officer, now)).toEqual({ kind: 'self' });
    expect(await mergeItem(harness.db, id, 1, hidden, officer, now)).toEqual({ kind: 'target_missing' });
    expect(await mergeItem(harness.db, hidden, 1, into, officer, now)).toEqual({ kind: 'not_found' });
    expect(await mergeItem(harness.db, id, 1, into, officer, now)).toMatchObject({
      kind: 'done',
      item: { status: 'merged', mergedInto: into },
    });
  });
});
