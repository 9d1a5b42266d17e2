// Issue #5, acceptance 2 and 3, through the real process and the fake Bot API: the section-chat alert
// that carries no text, an officer working the item from the alert's link to the conclusion with
// points, the reporter's answer and feedback, the audit trail, two officers racing, and ZZB items.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/database.js';
import { buttonOf, buttonsOf, E2eSession, messageIdOf, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { callbackQuery, textMessage, user } from '../support/updates.js';

const admin = user(9400, { name: '赵部长' });
const monitor = user(9401, { name: '丹东信息员', username: 'dandong_monitor' });
const officerA = user(9402, { name: '干部科甲' });
const officerB = user(9403, { name: '干部科乙' });
const SECTION_GROUP = { id: -100_888_001, type: 'supergroup' as const, title: '干部科' };

const TIP_TEXT = '镇党委书记在干部调整中未经集体讨论，提拔其亲属担任办公室主任';
const QUESTION = '提拔大约是在什么时间？';
const ANSWER = '今年三月份，公示只挂了一天';
const RACE_TEXT = '副镇长在八小时以外频繁出入私人会所，有人买单';
const ZZB_TEXT = '组织部某科长在考察中收受被考察对象的购物卡';

function numberIn(call: RecordedCall): number {
  const match = /#(\d+)/.exec(textOf(call));
  if (!match?.[1]) throw new Error(`no #number in: ${textOf(call)}`);
  return Number(match[1]);
}

// Each step waits on a real process; on a loaded 2-core machine a PGlite restart alone can take seconds.
describe(`the triage queue through the real process on ${testDatabaseKind}`, { timeout: 120_000 }, () => {
  let session: E2eSession;
  let itemId = 0;
  let alert: RecordedCall;
  const sectionTexts = () => session.api.textsTo(SECTION_GROUP.id);

  beforeAll(async () => {
    // Alerts at once: the batching that holds them back (ALERT_BATCH_MINUTES) is tested on its own.
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id), ALERT_BATCH_MINUTES: '0' });
    await session.start();
    await session.enrol(admin, monitor, 'monitor 丹东社区');
    await session.enrol(admin, officerA, 'officer');
    await session.enrol(admin, officerB, 'officer');
    await session.bindSectionChat(admin, SECTION_GROUP);
  }, 240_000);
  afterAll(() => session.dispose());

  it("a monitor's must-investigate tip posts an alert in the section chat without text or reporter", async () => {
    const mark = session.mark();
    const receipt = await session.say(monitor, `/tip P-DXZ ${TIP_TEXT}`);
    itemId = numberIn(receipt);
    alert = await session.messageTo(SECTION_GROUP.id, mark, `#${itemId}`);
    expect(textOf(alert)).toContain('新的必查事项');
    expect(textOf(alert)).toContain('P-DXZ');
    expect(textOf(alert)).toMatch(/优先级：\S+/);
    for (const leak of [
      TIP_TEXT,
      '提拔',
      monitor.first_name,
      String(monitor.id),
      'dandong_monitor',
      '丹东社区',
    ])
      expect(textOf(alert)).not.toContain(leak);
    expect(buttonsOf(alert)).toEqual([
      { text: expect.any(String), url: `https://t.me/liaison_test_bot?start=show-${itemId}` },
    ]);
    // The alert went to the section chat only, not to each officer as well.
    await session.settle(1000);
    expect(session.api.textsTo(officerA.id).some((text) => text.includes(`#${itemId}`))).toBe(false);
  });

  it('an officer opens it from the alert, accepts, assigns, asks; the reporter answers; the officer concludes with 1.5 points; the reporter gets feedback', async () => {
    // The alert's button is a t.me link: Telegram turns it into /start show-<n> in a private chat.
    const payload = new URL(buttonsOf(alert)[0]?.url ?? '').searchParams.get('start');
    const card = await session.say(officerA, `/start ${payload}`);
    expect(textOf(card)).toContain(`#${itemId}`);
    expect(textOf(card)).toContain(TIP_TEXT);
    expect(textOf(card)).toContain('社区干部监督信息员');
    expect(textOf(card)).not.toContain('丹东社区');
    expect(textOf(card)).not.toContain(monitor.first_name);

    let mark = session.press(officerA, card, '受理查办');
    const accepted = await session.messageTo(officerA.id, mark, `#${itemId} 已受理查办`);
    expect(textOf(accepted)).toContain('已受理（须查办）');

    mark = session.press(officerA, accepted, '指派承办人');
    const choose = await session.messageTo(officerA.id, mark, '承办人');
    expect(buttonsOf(choose).map((b) => b.text)).toEqual(expect.arrayContaining(['干部科甲', '干部科乙']));
    mark = session.press(officerA, choose, '干部科甲');
    const assigned = await session.messageTo(officerA.id, mark, `#${itemId} 已指派给 干部科甲`);

    mark = session.push(textMessage(officerA, `/ask ${itemId} ${QUESTION}`));
    const sentNote = await session.messageTo(officerA.id, mark, '问题已转达');
    expect(textOf(sentNote)).not.toContain(monitor.first_name);
    const question = await session.messageTo(monitor.id, mark, QUESTION);
    expect(textOf(question)).toContain(`#${itemId}`);
    expect(textOf(question)).not.toContain('干部科甲');

    // The reporter replies to the relayed question, as Telegram delivers a reply: with the message itself.
    mark = session.push(textMessage(monitor, ANSWER, { replyTo: question.result as object }));
    expect(textOf(await session.messageTo(monitor.id, mark))).toContain('您的回答已转交干部科');
    const told = await session.messageTo(officerA.id, mark, '举报人回答了问题');
    expect(textOf(told)).not.toContain(ANSWER);

    // The conclusion wizard: finding, measures, points, note, confirmation.
    mark = session.press(officerA, assigned, '办结');
    let step = await session.messageTo(officerA.id, mark, '请选择核查结论');
    mark = session.press(officerA, step, '属实');
    step = await session.messageTo(officerA.id, mark, '请选择采取的措施');
    mark = session.press(officerA, step, '谈话');
    step = await session.messageTo(officerA.id, mark, '已选：谈话');
    mark = session.press(officerA, step, '廉政监督扣分');
    step = await session.messageTo(officerA.id, mark, '廉政监督扣分');
    mark = session.press(officerA, step, '完成');
    step = await session.messageTo(officerA.id, mark, '本次扣几分');
    mark = session.press(officerA, step, '1.5');
    step = await session.messageTo(officerA.id, mark, '办结说明');
    mark = session.push(textMessage(officerA, '已约谈，按规定扣分'));
    const confirm = await session.messageTo(officerA.id, mark, '请确认办结');
    expect(textOf(confirm)).toContain('扣分：1.5');
    mark = session.press(officerA, confirm, '确认办结');
    const done = await session.messageTo(officerA.id, mark, `#${itemId} 已办结`);
    expect(textOf(done)).toContain('属实');

    const feedback = await session.messageTo(monitor.id, mark, '已办结');
    expect(textOf(feedback)).toContain(`您反映的问题 #${itemId} 已办结`);
    for (const leak of ['干部科甲', '属实', '扣分', String(officerA.id)])
      expect(textOf(feedback)).not.toContain(leak);

    const shown = await session.say(officerA, `/show ${itemId}`);
    expect(textOf(shown)).toContain('已办结');
    expect(textOf(shown)).toContain(ANSWER);
    expect(textOf(shown)).toContain('扣分：1.5');
  }, 120_000);

  it("an admin's /history shows every step, staff by name and the reporter sealed", async () => {
    const history = await session.say(admin, `/history ${itemId}`);
    const trail = textOf(history);
    for (const step of [
      '收到',
      '查看内容',
      '受理查办',
      '指派承办人',
      '向举报人提问',
      '举报人回答',
      '办结',
      '记录廉政监督扣分',
      '向举报人反馈办结',
    ]) {
      expect(trail).toContain(step);
    }
    expect(trail).toContain('干部科甲');
    expect(trail).toContain('举报人（社区干部监督信息员）');
    expect(trail).not.toContain('丹东社区');
    expect(trail).not.toContain(monitor.first_name);
    expect(trail).not.toContain(String(monitor.id));
    // Officers do not get the trail.
    expect(textOf(await session.say(officerA, `/history ${itemId}`))).not.toContain('干部科甲');
  });

  it('two officers pressing "accept" on the same item at once: exactly one wins, the other is told', async () => {
    const receipt = await session.say(monitor, `/tip S-XZZ ${RACE_TEXT}`);
    const raceId = numberIn(receipt);
    const cardA = await session.say(officerA, `/show ${raceId}`);
    const cardB = await session.say(officerB, `/show ${raceId}`);
    const acceptA = buttonOf(cardA, '受理查办').callback_data ?? '';
    const acceptB = buttonOf(cardB, '受理查办').callback_data ?? '';
    expect(acceptA).toBe(acceptB);

    // One synchronous burst: the bot gets both presses in one batch and handles them concurrently.
    const mark = session.mark();
    session.api.pushUpdate(callbackQuery(officerA, acceptA, { messageId: messageIdOf(cardA) }));
    session.api.pushUpdate(callbackQuery(officerB, acceptB, { messageId: messageIdOf(cardB) }));
    const answers = await Promise.all(
      [officerA, officerB].map((officer) => session.messageTo(officer.id, mark, `#${raceId}`)),
    );
    const texts = answers.map(textOf);
    const won = texts.filter((text) => text.includes(`#${raceId} 已受理查办`));
    const lost = texts.filter((text) =>
      text.includes(`#${raceId} 的状态已经变了（其他人已处理，或这个按钮已过时），您的操作没有执行`),
    );
    expect([won.length, lost.length]).toEqual([1, 1]);
    expect(lost[0]).toContain('当前状态：已受理（须查办）');
  });

  it('a tip about the Organization Department (ZZB) reaches admins only', async () => {
    const mark = session.mark();
    const receipt = await session.say(monitor, `/tip I-ZZB ${ZZB_TEXT}`);
    const zzbId = numberIn(receipt);
    const adminAlert = await session.messageTo(admin.id, mark, `#${zzbId}`);
    expect(textOf(adminAlert)).toContain('I-ZZB');
    expect(textOf(adminAlert)).not.toContain(ZZB_TEXT);
    await session.settle();
    expect(sectionTexts().some((text) => text.includes(`#${zzbId}`) || text.includes('ZZB'))).toBe(false);
    for (const officer of [officerA, officerB]) {
      expect(session.api.textsTo(officer.id).some((text) => text.includes(`#${zzbId}`))).toBe(false);
    }
    // An officer cannot open it either; the admin can.
    expect(textOf(await session.say(officerA, `/show ${zzbId}`))).toContain(`没有编号为 #${zzbId} 的事项`);
    expect(textOf(await session.say(admin, `/show ${zzbId}`))).toContain(ZZB_TEXT);
  });

  it('nothing sent to the section chat ever held a tip text or who reported', () => {
    const texts = sectionTexts();
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      for (const leak of [
        TIP_TEXT,
        QUESTION,
        ANSWER,
        RACE_TEXT,
        ZZB_TEXT,
        monitor.first_name,
        'dandong_monitor',
      ])
        expect(text).not.toContain(leak);
      expect(text).not.toContain(String(monitor.id));
    }
    for (const call of session.api.calls.filter((c) => c.params.chat_id === SECTION_GROUP.id)) {
      const params = JSON.stringify(call.params);
      expect(params).not.toContain(TIP_TEXT);
      expect(params).not.toContain(String(monitor.id));
    }
  });
});
