import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/audit.js';
import { auditLog } from '../../src/db/schema.js';
import { unknownHeadKey } from '../../src/domain/heads.js';
import { manualTalk } from '../../src/domain/obligations.js';
import { insertDeduction, insertObligations } from '../../src/heads/store.js';
import { openItemCard, sealedSourceOf } from '../../src/items/card.js';
import {
  type ItemRow,
  insertAddition,
  insertAttachments,
  relatedLinksInsert,
} from '../../src/items/store.js';
import { ADMIN, insertItem, itemRow, nameStaff, OFFICER_A, SECRET } from '../bot/features/queue/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

const officer = { telegramId: OFFICER_A, admin: false };
const admin = { telegramId: ADMIN, admin: true };
const context = { now: new Date('2025-06-10T02:00:00Z'), timeZone: 'Asia/Shanghai' };

describe('sealedSourceOf', () => {
  const row = (values: Partial<ItemRow>) =>
    ({ kind: 'tip', sourceKind: 'monitor', sourceAgency: null, signed: true, ...values }) as ItemRow;

  it('tells the kind of source only, and the agency of a notice', () => {
    expect(sealedSourceOf(row({ sourceKind: 'monitor' }))).toEqual({ kind: 'monitor' });
    expect(sealedSourceOf(row({ sourceKind: 'liaison', sourceAgency: 'AUD' }))).toEqual({
      kind: 'liaison',
      noticeAgency: null,
    });
    expect(sealedSourceOf(row({ kind: 'notice', sourceKind: 'liaison', sourceAgency: 'AUD' }))).toEqual({
      kind: 'liaison',
      noticeAgency: 'AUD',
    });
    expect(sealedSourceOf(row({ kind: 'report', sourceKind: 'hotline', signed: false }))).toEqual({
      kind: 'hotline',
      signed: false,
    });
    expect(sealedSourceOf(row({ kind: 'report', sourceKind: 'mailbox', signed: true }))).toEqual({
      kind: 'mailbox',
      signed: true,
    });
  });
});

describe('openItemCard', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await harness.enrol(OFFICER_A, 'officer');
    await nameStaff(harness.db, { [OFFICER_A]: '王科员' });
  });
  afterAll(() => harness.close());

  it('gathers everything the card shows for a visible item, and audits the view', async () => {
    const id = await insertItem(harness.db, {
      assigneeId: OFFICER_A,
      forwardedAgency: 'AUD',
      unitCode: 'HPZ',
    });
    const related = await insertItem(harness.db, { unitCode: 'HPZ' });
    const hidden = await insertItem(harness.db, { unitCode: 'HPZ', adminsOnly: true });
    await relatedLinksInsert(harness.db, id, [related, hidden]);
    await insertAddition(harness.db, { itemId: id, kind: 'addition', authorId: null, text: '三月付款' });
    await insertAttachments(harness.db, id, [
      { fileKind: 'photo', fileId: 'file-1', fileUniqueId: 'u-1', fileSize: 1200 },
    ]);
    // 2025 (the card's year) and 2024 deductions of the head the item is about (no head is recorded,
    // so HPZ's unknown head); another unit's head's never count.
    const hpzHead = unknownHeadKey('HPZ');
    const deduct = (personKey: string, unitCode: string, year: number, points: number) =>
      insertDeduction(harness.db, { personKey, unitCode, headName: null, year, points, itemId: id });
    await deduct(hpzHead, 'HPZ', 2025, 2);
    await deduct(hpzHead, 'HPZ', 2025, 2);
    await deduct(hpzHead, 'HPZ', 2024, 1.5);
    await deduct(unknownHeadKey('DCJD'), 'DCJD', 2025, 2);
    const talk = manualTalk({
      occasion: 'integrity_reports',
      personKey: hpzHead,
      unitCode: 'HPZ',
      on: '2025-06-10',
      nonce: 'card-test',
      itemId: id,
    });
    await insertObligations(harness.db, [talk]);
    await appendAudit(harness.db, { actorId: OFFICER_A, action: 'item.accepted', itemId: id });

    const card = await openItemCard(harness.db, id, officer, context);
    expect(card?.item).toMatchObject({ id, text: expect.stringContaining(SECRET), assigneeId: OFFICER_A });
    expect(card?.unit).toMatchObject({ code: 'HPZ', nameZh: '鹤浦镇', nameEn: 'Hepu Town' });
    expect(card?.source).toEqual({ kind: 'monitor' });
    expect(card?.assignee).toMatchObject({ telegramId: OFFICER_A, role: 'officer', displayName: '王科员' });
    expect(card?.forwardedAgency).toBe('AUD');
    expect(card?.additions.map((a) => [a.kind, a.text])).toEqual([['addition', '三月付款']]);
    expect(card?.attachments.map((a) => [a.fileKind, a.fileId])).toEqual([['photo', 'file-1']]);
    // The admins-only related item is left out for an officer.
    expect(card?.related).toEqual([related]);
    expect(card?.head).toEqual({
      personKey: hpzHead,
      name: null,
      title: null,
      card: {
        personKey: hpzHead,
        year: 2025,
        yearTotal: 4,
        twoYearTotal: 5.5,
        threeYearTotal: 5.5,
        flags: ['no_commendation'],
        units: ['HPZ'],
        unknownHead: true,
      },
    });
    expect(card?.obligations.map((o) => [o.key, o.itemId, o.status.state])).toEqual([[talk.key, id, 'open']]);
    // The history line is read before this view is audited.
    expect(card?.history).toMatchObject({ total: 1, latest: { action: 'item.accepted' } });

    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.itemId, id));
    expect(audits.map((a) => [a.action, a.actorId])).toEqual([
      ['item.accepted', OFFICER_A],
      ['item.viewed', OFFICER_A],
    ]);
    expect((await openItemCard(harness.db, id, admin, context))?.related).toEqual([related, hidden]);
  });

  it('has no card for an item that does not exist or is hidden from the viewer, and audits nothing then', async () => {
    const hidden = await insertItem(harness.db, { adminsOnly: true, unitCode: 'ZZB' });
    expect(await openItemCard(harness.db, 999_999, officer, context)).toBeNull();
    expect(await openItemCard(harness.db, hidden, officer, context)).toBeNull();
    expect(await harness.db.select().from(auditLog).where(eq(auditLog.itemId, hidden))).toEqual([]);
    const seen = await openItemCard(harness.db, hidden, admin, context);
    expect(seen).toMatchObject({ item: { id: hidden }, assignee: null, related: [], obligations: [] });
    expect(seen?.head.card).toMatchObject({ yearTotal: 0, twoYearTotal: 0, threeYearTotal: 0, flags: [] });
    expect(seen?.history).toEqual({ total: 0, latest: null });
    expect((await itemRow(harness.db, hidden)).version).toBe(1);
  });
});
