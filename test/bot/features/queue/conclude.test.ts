import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../../../src/buttons.js';
import {
  itemAdditions,
  items,
  mustRemoveMarks,
  pointsDeductions,
  obligations,
} from '../../../../src/db/schema.js';
import { setSectionChat } from '../../../../src/settings.js';
import { createHarness, type Harness, type QueuedMessage } from '../../../support/harness.js';
import { callbackQuery, textMessage, user } from '../../../support/updates.js';
import {
  ADMIN,
  button,
  insertItem,
  itemRow,
  markDelivered,
  MONITOR,
  OFFICER_A,
  OFFICER_B,
  SECRET,
} from './fixtures.js';

const SECTION_CHAT = -1001234;
const officerA = user(OFFICER_A, { lang: 'en', name: 'Wang Officer' });
const admin = user(ADMIN, { lang: 'en', name: 'Zhao Chief' });
const monitor = user(MONITOR, { name: 'Secret Monitor' });

describe('working an item from accept to feedback', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    harness.clock.set(new Date('2025-06-10T02:00:00Z'));
    await harness.enrol(ADMIN, 'admin', { language: 'en' });
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    await harness.enrol(OFFICER_B, 'officer', { language: 'en' });
    await harness.enrol(MONITOR, 'monitor', { community: '丹城社区', language: 'zh-CN' });
    await harness.send(textMessage(user(OFFICER_B, { name: 'Li Officer' }), '/help'));
    await setSectionChat(harness.db, {
      chatId: SECTION_CHAT,
      title: '干部科',
      boundBy: ADMIN,
      boundAt: '2025-06-01',
    });
  });
  afterAll(() => harness.close());

  it('accept → assign → ask → answers (reply and button) → conclude with 1.5 points → feedback, and /history shows it all', async () => {
    const id = await insertItem(harness.db, { domain: 'I', unitCode: 'DXZ' });
    // 2.5 points already this year: 1.5 more reaches 4 (no commendation this year).
    await harness.db
      .insert(pointsDeductions)
      .values({ unitCode: 'DXZ', personKey: 'unknown:DXZ', year: 2025, points: 2.5 });
    const everything: QueuedMessage[] = [];

    everything.push(...(await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 1, 'accept')))));
    const choose = await harness.send(callbackQuery(officerA, encodeCallback('q.as', id, 2)));
    everything.push(...(await harness.send(callbackQuery(officerA, button(choose[1], 'Li Officer')))));
    expect((await itemRow(harness.db, id)).assigneeId).toBe(OFFICER_B);

    // A question relayed by reply: the reporter sees neither officer nor name.
    const asked = await harness.send(textMessage(officerA, `/ask ${id} 工程是哪天开工的？`));
    everything.push(...asked);
    const toReporter = asked.find((m) => m.chatId === MONITOR);
    expect(toReporter?.text).toContain('工程是哪天开工的');
    expect(toReporter?.text).toContain(`#${id}`);
    expect(toReporter?.text).not.toContain('Wang');
    expect(toReporter?.ref).toMatch(/^question:\d+$/);
    const toOfficer = asked.find((m) => m.chatId === OFFICER_A);
    expect(toOfficer?.text).not.toContain('Secret Monitor');
    expect(toOfficer?.text).not.toContain(String(MONITOR));
    await markDelivered(harness.db, toReporter?.id ?? 0, 777_001);
    const replied = await harness.send(textMessage(monitor, '上个月15号开工', { replyTo: 777_001 }));
    expect(replied.find((m) => m.chatId === MONITOR)?.text).toContain('回答已转交');
    const notified = replied.find((m) => m.chatId === OFFICER_A);
    expect(notified?.text).toContain(`#${id}`);
    expect(notified?.text).not.toContain('上个月15号开工');

    // A second question answered through the button.
    const second = await harness.send(textMessage(officerA, `/ask ${id} 金额大约多少？`));
    const answerData = button(
      second.find((m) => m.chatId === MONITOR),
      '回答',
    );
    await harness.send(callbackQuery(monitor, answerData));
    await harness.send(textMessage(monitor, '大约300万元'));
    const answers = await harness.db.select().from(itemAdditions).where(eq(itemAdditions.itemId, id));
    expect(answers.map((a) => [a.kind, a.text])).toEqual([
      ['question', '工程是哪天开工的？'],
      ['answer', '上个月15号开工'],
      ['question', '金额大约多少？'],
      ['answer', '大约300万元'],
    ]);

    // The conclusion wizard.
    const wizard = await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 3, 'conclude')));
    expect(wizard.find((m) => m.method === 'sendMessage')?.text).toContain('what did the check find');
    await harness.send(callbackQuery(officerA, encodeCallback('q.cf', id, 'substantiated')));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'talk')));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'points')));
    const pointsStep = await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'done')));
    expect(pointsStep.find((m) => m.method === 'editMessageText')?.payload.text).toContain('how many points');
    await harness.send(callbackQuery(officerA, encodeCallback('q.cp', id, '1.5')));
    const confirm = await harness.send(textMessage(officerA, '已约谈并扣分'));
    expect(confirm[0]?.text).toContain('Points: 1.5');
    const concluded = await harness.send(callbackQuery(officerA, encodeCallback('q.cc', id)));
    everything.push(...concluded);
    // The officer's own confirmation names the unit too, in their language (issue 18).
    const done = concluded.find((m) => m.chatId === OFFICER_A)?.text ?? '';
    expect(done).toContain('Daxu Town');
    expect(done).not.toContain('head of DXZ');

    const row = await itemRow(harness.db, id);
    expect(row.status).toBe('concluded');
    expect(row.concludedAt).not.toBeNull();
    expect(row.conclusion).toEqual({
      finding: 'substantiated',
      measures: ['talk', 'points'],
      points: 1.5,
      note: '已约谈并扣分',
    });
    const deductions = await harness.db
      .select()
      .from(pointsDeductions)
      .where(eq(pointsDeductions.itemId, id));
    expect(deductions.map((d) => [d.unitCode, d.year, d.points])).toEqual([['DXZ', 2025, 1.5]]);
    // The integrity talk was raised when the item was accepted (there were reports); concluding it
    // substantiated does not raise a second one.
    const talks = await harness.db.select().from(obligations).where(eq(obligations.itemId, id));
    expect(talks.map((o) => [o.kind, o.occasion, o.unitCode, o.state])).toEqual([
      ['talk', 'integrity_reports', 'DXZ', 'open'],
    ]);

    // The section chat learns the unit (by name, issue 18) and the flag, nothing else.
    const alert = concluded.filter((m) => m.chatId === SECTION_CHAT);
    expect(alert).toHaveLength(1);
    expect(alert[0]?.text).toContain('大徐镇 一把手');
    expect(alert[0]?.text).not.toContain('DXZ');
    expect(alert[0]?.text).toContain('不得评先评优');
    expect(alert[0]?.text).not.toContain(`#${id}`);

    // The reporter is told in general terms, in Chinese, without officer or finding.
    const feedback = concluded.filter((m) => m.chatId === MONITOR);
    expect(feedback).toHaveLength(1);
    expect(feedback[0]?.text).toContain(`#${id}`);
    expect(feedback[0]?.text).toContain('已办结');
    expect(feedback[0]?.text).not.toMatch(/Wang|Li Officer|属实|扣分/);

    for (const message of [...everything, ...concluded]) {
      if (message.chatId === SECTION_CHAT) expect(message.text).not.toContain(SECRET);
    }

    // /show has the head's card, the open integrity talk and the answers.
    const shown = await harness.send(textMessage(officerA, `/show ${id}`));
    expect(shown[0]?.text).toContain('4 points deducted this year');
    expect(shown[0]?.text).toContain('no commendation');
    expect(shown[0]?.text).toContain('Talk (八必谈): reports on integrity: due ');
    expect(shown[0]?.text).toContain('大约300万元');

    // /history: every step, staff by role and name, the reporter sealed.
    const history = await harness.send(textMessage(admin, `/history ${id}`));
    const trail = history[0]?.text ?? '';
    for (const step of [
      'accepted',
      'assigned',
      'asked the reporter',
      'reporter answered',
      'concluded',
      'integrity points recorded',
      'reporter told of the conclusion',
      'viewed the text',
    ]) {
      expect(trail).toContain(step);
    }
    expect(trail).toContain('cadre-section officer Wang Officer');
    // The kind of source only: with one monitor per community, the community would name the person.
    expect(trail).toContain('reporter (a community monitor)');
    expect(trail).not.toContain('丹城社区');
    expect(trail).not.toContain('Secret Monitor');
    expect(trail).not.toContain(String(MONITOR));
    const refused = await harness.send(textMessage(officerA, `/history ${id}`));
    expect(refused[0]?.text).not.toContain('Wang Officer');
  });

  it('an unsubstantiated integrity item raises no must-talk and offers no sanctions', async () => {
    const id = await insertItem(harness.db, {
      domain: 'I',
      unitCode: 'XZZ',
      status: 'verifying',
      version: 4,
    });
    await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 4, 'conclude')));
    const measures = await harness.send(
      callbackQuery(officerA, encodeCallback('q.cf', id, 'unsubstantiated')),
    );
    const labels = JSON.stringify(measures.find((m) => m.method === 'editMessageText')?.payload.reply_markup);
    expect(labels).not.toContain(`q.cm|${id}|points`);
    await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'points')));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'done')));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cn', id)));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cc', id)));
    expect(await itemRow(harness.db, id)).toMatchObject({
      status: 'concluded',
      conclusion: { finding: 'unsubstantiated', measures: [], points: null },
    });
    expect(await harness.db.select().from(obligations).where(eq(obligations.itemId, id))).toEqual([]);
    expect(await harness.db.select().from(pointsDeductions).where(eq(pointsDeductions.itemId, id))).toEqual(
      [],
    );
  });

  it('the finding 被执纪执法部门查处 is offered after a finding at least partly true, is recorded on the conclusion, and marks the head 必下', async () => {
    const id = await insertItem(harness.db, { domain: 'I', unitCode: 'SPZ', status: 'accepted', version: 2 });
    await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 2, 'conclude')));
    // Not after 不属实: nobody was investigated for what was not true.
    const untrue = await harness.send(callbackQuery(officerA, encodeCallback('q.cf', id, 'unsubstantiated')));
    const untrueKeys = JSON.stringify(
      untrue.find((m) => m.method === 'editMessageText')?.payload.reply_markup,
    );
    expect(untrueKeys).not.toContain(`q.cm|${id}|investigated`);
    const partly = await harness.send(callbackQuery(officerA, encodeCallback('q.cf', id, 'partly')));
    const keys = JSON.stringify(partly.find((m) => m.method === 'editMessageText')?.payload.reply_markup);
    expect(keys).toContain(`q.cm|${id}|investigated`);
    expect(keys).toContain('investigated by discipline or law-enforcement bodies');
    await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'criticism')));
    const ticked = await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'investigated')));
    const edited = ticked.find((m) => m.method === 'editMessageText')?.payload;
    expect(JSON.stringify(edited?.reply_markup)).toContain('✓ investigated by discipline');
    expect(String(edited?.text)).toContain('criticism, investigated by discipline or law-enforcement bodies');
    await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'done')));
    const confirm = await harness.send(callbackQuery(officerA, encodeCallback('q.cn', id)));
    expect(confirm.find((m) => m.method === 'editMessageText')?.payload.text).toContain(
      'Measures: criticism, investigated by discipline or law-enforcement bodies',
    );
    const concluded = await harness.send(callbackQuery(officerA, encodeCallback('q.cc', id)));
    expect(await itemRow(harness.db, id)).toMatchObject({
      status: 'concluded',
      conclusion: { finding: 'partly', measures: ['criticism'], points: null, investigated: true },
    });
    const marks = await harness.db.select().from(mustRemoveMarks).where(eq(mustRemoveMarks.itemId, id));
    expect(marks.map((m) => [m.unitCode, m.reason, m.state])).toEqual([
      ['SPZ', 'discipline_or_law_violation', 'pending'],
    ]);
    expect(concluded.find((m) => m.chatId === OFFICER_A && m.method === 'sendMessage')?.text).toContain(
      // Named as a reader expects (issue 18's wording): Shipu Town, not SPZ.
      'the head of Shipu Town is marked must-remove',
    );
    // The card shows it with the measures.
    const card = await harness.send(textMessage(officerA, `/show ${id}`));
    expect(card.map((m) => m.text).join('\n')).toContain(
      'investigated by discipline or law-enforcement bodies',
    );
  });

  it('a stale wizard (someone acted meanwhile) concludes nothing', async () => {
    const id = await insertItem(harness.db, { status: 'accepted', version: 2 });
    await harness.send(callbackQuery(officerA, encodeCallback('q.a', id, 2, 'conclude')));
    await harness.db.update(items).set({ version: 3 }).where(eq(items.id, id));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cf', id, 'partly')));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cm', id, 'done')));
    await harness.send(callbackQuery(officerA, encodeCallback('q.cn', id)));
    const sent = await harness.send(callbackQuery(officerA, encodeCallback('q.cc', id)));
    expect(sent.find((m) => m.method === 'sendMessage')?.text).toContain(
      'has changed since this button was sent',
    );
    expect((await itemRow(harness.db, id)).status).toBe('accepted');
  });

  it('/ask on an item nobody can be reached for says so', async () => {
    const id = await insertItem(harness.db, {
      sourceKind: 'hotline',
      reporter: null,
      signed: false,
    });
    const sent = await harness.send(textMessage(officerA, `/ask ${id} 还有什么？`));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain('cannot be relayed');
    expect(await harness.db.select().from(itemAdditions).where(eq(itemAdditions.itemId, id))).toEqual([]);
  });
});
