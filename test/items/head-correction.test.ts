import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/buttons.js';
import { auditLog, items, pointsDeductions } from '../../src/db/schema.js';
import { recordHeadChange } from '../../src/heads/tenures.js';
import { correctItemHead, headChoices } from '../../src/items/head-correction.js';
import { ADMIN, insertItem, itemRow, OFFICER_A } from '../bot/features/queue/fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';
import { callbackQuery, textMessage, user } from '../support/updates.js';

const ZONE = 'Asia/Shanghai';
const officer = user(OFFICER_A, { lang: 'en', name: 'Wang Officer' });
const acting = {
  viewer: { telegramId: OFFICER_A, admin: false },
  now: new Date('2025-08-01T02:00:00Z'),
  timeZone: ZONE,
};

describe('correcting whom an item is about', () => {
  let harness: Harness;
  let zhang = '';
  let li = '';

  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    harness.clock.set(new Date('2025-08-01T02:00:00Z'));
    await harness.enrol(ADMIN, 'admin', { language: 'en' });
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    const record = async (name: string, from: string) => {
      const done = await recordHeadChange(
        harness.db,
        { unitCode: 'HPZ', name, title: null, from },
        { actorId: ADMIN, now: new Date(`${from}T02:00:00Z`), timeZone: ZONE },
      );
      if (done.kind !== 'recorded') throw new Error(done.kind);
      return done.started.personKey;
    };
    zhang = await record('张伟', '2025-06-02');
    li = await record('李强', '2025-07-01');
  });
  afterAll(() => harness.close());

  it('offers the unit’s heads in the order of their first tenure; refuses someone who never headed it, a stale version, and a no-op', async () => {
    const id = await insertItem(harness.db, { status: 'accepted', version: 2, headPersonKey: li });
    const item = await itemRow(harness.db, id);
    expect((await headChoices(harness.db, item)).map((c) => c.name)).toEqual(['张伟', '李强']);
    expect((await correctItemHead(harness.db, { item, version: 2, personKey: 'someone' }, acting)).kind).toBe(
      'not_a_head',
    );
    expect((await correctItemHead(harness.db, { item, version: 1, personKey: zhang }, acting)).kind).toBe(
      'stale',
    );
    expect((await correctItemHead(harness.db, { item, version: 2, personKey: li }, acting)).kind).toBe(
      'unchanged',
    );
    const done = await correctItemHead(harness.db, { item, version: 2, personKey: zhang }, acting);
    expect(done).toMatchObject({
      kind: 'corrected',
      name: '张伟',
      pointsStay: false,
      item: { headPersonKey: zhang, version: 3 },
    });
    const [audit] = await harness.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'item.head_corrected'));
    expect(audit).toMatchObject({
      actorId: OFFICER_A,
      itemId: id,
      details: { unit: 'HPZ', from: li, to: zhang, pointsStay: false },
    });
  });

  it('through the card’s buttons: the points of a later conclusion go to the corrected head', async () => {
    const id = await insertItem(harness.db, {
      domain: 'I',
      status: 'accepted',
      version: 2,
      headPersonKey: li,
    });
    const card = await harness.send(textMessage(officer, `/show ${id}`));
    expect(JSON.stringify(card.find((m) => m.method === 'sendMessage')?.payload.reply_markup)).toContain(
      `q.hh|${id}|2`,
    );
    const choices = await harness.send(callbackQuery(officer, encodeCallback('q.hh', id, 2)));
    const asked = choices.find((m) => m.method === 'sendMessage');
    expect(asked?.text).toContain(`Which head of HPZ is #${id} about?`);
    expect(JSON.stringify(asked?.payload.reply_markup)).toContain('✓ 李强');
    const corrected = await harness.send(callbackQuery(officer, encodeCallback('q.ht', id, 2, 0)));
    expect(corrected.find((m) => m.method === 'sendMessage')?.text).toContain(
      `Corrected: #${id} is about the head of HPZ, 张伟`,
    );
    expect((await itemRow(harness.db, id)).headPersonKey).toBe(zhang);
    // Concluded with points afterwards: they go on 张伟's card, not 李强's.
    await harness.send(callbackQuery(officer, encodeCallback('q.a', id, 3, 'conclude')));
    await harness.send(callbackQuery(officer, encodeCallback('q.cf', id, 'substantiated')));
    await harness.send(callbackQuery(officer, encodeCallback('q.cm', id, 'points')));
    await harness.send(callbackQuery(officer, encodeCallback('q.cm', id, 'done')));
    await harness.send(callbackQuery(officer, encodeCallback('q.cp', id, '1')));
    await harness.send(callbackQuery(officer, encodeCallback('q.cn', id)));
    await harness.send(callbackQuery(officer, encodeCallback('q.cc', id)));
    const deductions = await harness.db
      .select()
      .from(pointsDeductions)
      .where(eq(pointsDeductions.itemId, id));
    expect(deductions.map((d) => [d.personKey, d.points])).toEqual([[zhang, 1]]);

    // Corrected again after the deduction: the points stay where they were recorded, and the reply says so.
    const version = (await itemRow(harness.db, id)).version;
    const again = await harness.send(callbackQuery(officer, encodeCallback('q.ht', id, version, 1)));
    const reply = again.find((m) => m.method === 'sendMessage')?.text ?? '';
    expect(reply).toContain(`#${id} is about the head of HPZ, 李强`);
    expect(reply).toContain('stay on the card they were recorded on');
    const after = await harness.db.select().from(pointsDeductions).where(eq(pointsDeductions.itemId, id));
    expect(after.map((d) => d.personKey)).toEqual([zhang]);
    expect((await harness.db.select().from(items).where(eq(items.id, id)))[0]?.headPersonKey).toBe(li);
  });
});
