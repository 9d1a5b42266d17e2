import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../../../src/buttons.js';
import { auditLog, itemAttachments } from '../../../../src/db/schema.js';
import { createHarness, type Harness } from '../../../support/harness.js';
import { callbackQuery, textMessage, user } from '../../../support/updates.js';
import {
  ADMIN,
  button,
  buttonLabels,
  insertItem,
  itemRow,
  LIAISON_AUD,
  MONITOR,
  nameStaff,
  OFFICER_A,
  OFFICER_B,
  SECRET,
} from './fixtures.js';

const officerA = user(OFFICER_A, { lang: 'en', name: 'Wang Officer' });
const officerB = user(OFFICER_B, { lang: 'en', name: 'Li Officer' });
const admin = user(ADMIN, { lang: 'en', name: 'Zhao Chief' });
const monitor = user(MONITOR);

describe('queue actions', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await harness.enrol(ADMIN, 'admin', { language: 'en' });
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    await harness.enrol(OFFICER_B, 'officer', { language: 'en' });
    await harness.enrol(MONITOR, 'monitor', { community: '丹城社区', language: 'zh-CN' });
    await harness.enrol(LIAISON_AUD, 'liaison', { agency: 'AUD', language: 'zh-CN' });
    await nameStaff(harness.db, {
      [OFFICER_A]: 'Wang Officer',
      [OFFICER_B]: 'Li Officer',
      [ADMIN]: 'Zhao Chief',
    });
  });
  afterAll(() => harness.close());

  it('/show gives the text, the sealed source, the allowed buttons and resends attachments; the view is audited', async () => {
    const id = await insertItem(harness.db);
    await harness.db
      .insert(itemAttachments)
      .values({ itemId: id, fileKind: 'photo', fileId: 'AgAD-photo-1' });
    const sent = await harness.send(textMessage(officerA, `/show ${id}`));
    const card = sent.find((m) => m.method === 'sendMessage');
    expect(card?.text).toContain(SECRET);
    expect(card?.text).toContain('Source: a community monitor');
    expect(card?.text).not.toContain('丹城社区');
    expect(card?.text).not.toContain(String(MONITOR));
    expect(card?.text).not.toContain('User501');
    expect(buttonLabels(card)).toEqual([
      'Accept',
      'Verify',
      'File',
      'Forward',
      'Merge',
      'Assign',
      'Ask the reporter',
      'Correct the head',
    ]);
    expect(sent.find((m) => m.method === 'sendPhoto')?.payload).toMatchObject({ photo: 'AgAD-photo-1' });
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.itemId, id));
    expect(audits.map((a) => [a.action, a.actorId])).toEqual([['item.viewed', OFFICER_A]]);
  });

  it('accepting moves the item, stamps triaged_at and audits from/to', async () => {
    const id = await insertItem(harness.db);
    const sent = await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 1, 'accept')));
    expect(sent.find((m) => m.method === 'sendMessage')?.text).toContain('accepted');
    // Issue 18: the short card after an action names the unit, in the officer's language.
    expect(sent.find((m) => m.method === 'sendMessage')?.text).toContain('F-HPZ · Hepu Town · ');
    const row = await itemRow(harness.db, id);
    expect(row.status).toBe('accepted');
    expect(row.version).toBe(2);
    expect(row.triagedAt).not.toBeNull();
    const [audit] = await harness.db.select().from(auditLog).where(eq(auditLog.itemId, id));
    expect(audit).toMatchObject({
      action: 'item.accept',
      actorId: OFFICER_A,
      details: { from: 'new', to: 'accepted' },
    });
  });

  it('two officers pressing accept on the same version: one wins, the other is told', async () => {
    const id = await insertItem(harness.db);
    const data = encodeCallback('q.a', id, 1, 'accept');
    const first = await harness.send(callbackQuery(officerA, data));
    const second = await harness.send(callbackQuery(officerB, data));
    expect(first.find((m) => m.method === 'sendMessage')?.text).toContain(
      `#${id} is accepted for investigation`,
    );
    const told = second.find((m) => m.method === 'sendMessage');
    expect(told?.chatId).toBe(OFFICER_B);
    expect(told?.text).toContain('has changed since this button was sent');
    expect(told?.text).toContain('accepted');
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.itemId, id));
    expect(audits.filter((a) => a.action === 'item.accept')).toHaveLength(1);
    expect((await itemRow(harness.db, id)).version).toBe(2);
  });

  it('refuses transitions the state machine does not allow, and forged buttons', async () => {
    const id = await insertItem(harness.db);
    const sent = await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 1, 'close')));
    expect(sent.find((m) => m.method === 'sendMessage')?.text).toContain('is not possible');
    expect((await itemRow(harness.db, id)).status).toBe('new');
    const forged = await harness.send(callbackQuery(officerA, `q.a|${id}|1|explode`));
    expect(forged[0]?.method).toBe('answerCallbackQuery');
    expect(forged[0]?.payload.show_alert).toBe(true);
  });

  it('reporters may not open or act on items', async () => {
    const id = await insertItem(harness.db);
    const shown = await harness.send(textMessage(monitor, `/show ${id}`));
    expect(shown.every((m) => !m.text.includes(SECRET))).toBe(true);
    await harness.send(callbackQuery(monitor, encodeCallback('q.a', id, 1, 'accept')));
    expect((await itemRow(harness.db, id)).status).toBe('new');
  });

  it('verify, file, and only an admin may reopen a filed item', async () => {
    const id = await insertItem(harness.db);
    await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 1, 'verify')));
    expect((await itemRow(harness.db, id)).status).toBe('verifying');
    const filed = await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 2, 'file')));
    expect((await itemRow(harness.db, id)).status).toBe('filed');
    expect(buttonLabels(filed.find((m) => m.method === 'sendMessage'))).toEqual([]);
    await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 3, 'reopen')));
    expect((await itemRow(harness.db, id)).status).toBe('filed');
    const shown = await harness.send(textMessage(admin, `/show ${id}`));
    expect(buttonLabels(shown.find((m) => m.method === 'sendMessage'))).toEqual([
      'Reopen',
      'Ask the reporter',
      'Correct the head',
    ]);
    await harness.send(callbackQuery(admin, encodeCallback('q.a', id, 3, 'reopen')));
    expect((await itemRow(harness.db, id)).status).toBe('new');
  });

  it('forwarding tells the agency liaisons the number and code only', async () => {
    const id = await insertItem(harness.db);
    const choose = await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 1, 'forward')));
    const data = button(
      choose.find((m) => m.method === 'sendMessage'),
      'Audit Bureau',
    );
    const sent = await harness.send(callbackQuery(officerA, data));
    const row = await itemRow(harness.db, id);
    expect(row).toMatchObject({ status: 'forwarded', forwardedAgency: 'AUD' });
    const toLiaison = sent.filter((m) => m.chatId === LIAISON_AUD);
    expect(toLiaison).toHaveLength(1);
    expect(toLiaison[0]?.text).toContain(`#${id}`);
    expect(toLiaison[0]?.text).toContain('F-HPZ');
    expect(toLiaison[0]?.text).not.toContain(SECRET);
  });

  it('merging asks for the target number in a dialogue', async () => {
    const target = await insertItem(harness.db);
    const id = await insertItem(harness.db);
    const prompt = await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 1, 'merge')));
    expect(prompt.find((m) => m.method === 'sendMessage')?.text).toContain('merged into');
    const bad = await harness.send(textMessage(officerA, String(id)));
    expect(bad[0]?.text).toContain('cannot be merged into itself');
    const done = await harness.send(textMessage(officerA, `#${target}`));
    expect(done[0]?.text).toContain(`#${id} is merged into #${target}`);
    expect(await itemRow(harness.db, id)).toMatchObject({ status: 'merged', mergedInto: target });
  });

  it('assigns and reassigns by display name; the assignee is told', async () => {
    const id = await insertItem(harness.db);
    const choose = await harness.send(callbackQuery(officerA, encodeCallback('q.as', id, 1)));
    const sent = await harness.send(callbackQuery(officerA, button(choose[1], 'Li Officer')));
    expect((await itemRow(harness.db, id)).assigneeId).toBe(OFFICER_B);
    expect(sent.find((m) => m.chatId === OFFICER_B)?.text).toContain(`assigned #${id}`);
    const again = await harness.send(callbackQuery(officerA, encodeCallback('q.as', id, 2)));
    expect(buttonLabels(again[1])).not.toContain('Li Officer');
    await harness.send(callbackQuery(officerA, button(again[1], 'Wang Officer')));
    expect((await itemRow(harness.db, id)).assigneeId).toBe(OFFICER_A);
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.itemId, id));
    expect(audits.map((a) => a.action)).toEqual(['item.assign', 'item.reassign']);
  });

  it('an item about the Organization Department (admins only) is invisible to officers, visible to admins', async () => {
    const id = await insertItem(harness.db, { unitCode: 'ZZB', adminsOnly: true, priority: 'urgent' });
    const shown = await harness.send(textMessage(officerA, `/show ${id}`));
    expect(shown[0]?.text).toContain(`no item #${id}`);
    const pressed = await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 1, 'accept')));
    expect(pressed[0]?.payload.show_alert).toBe(true);
    expect((await itemRow(harness.db, id)).status).toBe('new');
    const queue = await harness.send(textMessage(officerA, '/queue'));
    expect(queue[0]?.text).not.toContain(`#${id} `);
    expect(queue[0]?.text).not.toContain('ZZB');
    const adminQueue = await harness.send(textMessage(admin, '/queue'));
    expect(adminQueue[0]?.text).toContain(`#${id} F-ZZB`);
    const adminShow = await harness.send(textMessage(admin, `/show ${id}`));
    expect(adminShow[0]?.text).toContain(SECRET);
    const choose = await harness.send(callbackQuery(admin, encodeCallback('q.as', id, 1)));
    expect(buttonLabels(choose[1])).toEqual(['Zhao Chief']);
  });
});
