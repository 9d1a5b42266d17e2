// Issue #18, "information lost without a word", through the real process and the fake Bot API: a reply to a
// receipt while a new guided /tip is open (text, and a photo with a caption), a one-line /tip typed during
// a guided tip, a reply to a relayed question during a guided tip, a merge into an item whose handling has
// ended, a filed item as its reporter sees it, and a notice whose 文号 differs. Each failed on main before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/database.js';
import { buttonsOf, E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { photoMessage, textMessage, type TgUser, user } from '../support/updates.js';

const admin = user(9800, { name: '赵部长' });
const monitor = user(9801, { name: '丹东信息员' });
const englishMonitor = user(9802, { lang: 'en', name: 'Lin' });
const officer = user(9803, { name: '干部科小王' });
const auditLiaison = user(9804, { name: '审计局联络员' });
const SECTION_GROUP = { id: -100_918_001, type: 'supergroup' as const, title: '干部科' };

function numberIn(call: RecordedCall): number {
  const match = /#(\d+)/.exec(textOf(call));
  if (!match?.[1]) throw new Error(`no #number in: ${textOf(call)}`);
  return Number(match[1]);
}

describe(`nothing a reporter sends is lost without a word, on ${testDatabaseKind}`, {
  timeout: 120_000,
}, () => {
  let session: E2eSession;

  beforeAll(async () => {
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id), ALERT_BATCH_MINUTES: '0' });
    await session.start();
    await session.enrol(admin, monitor, 'monitor 丹东社区');
    await session.enrol(admin, englishMonitor, 'monitor 东谷社区');
    await session.enrol(admin, officer, 'officer');
    await session.enrol(admin, auditLiaison, 'liaison AUD');
    await session.bindSectionChat(admin, SECTION_GROUP);
  }, 240_000);
  afterAll(() => session.dispose());

  const cases: Array<{ who: TgUser; lang: string; tip: string; added: string; caption: string }> = [
    {
      who: monitor,
      lang: 'zh',
      tip: '镇长在防波堤工程中指定施工方，金额约300万元',
      added: '工程款是在三月份支付的',
      caption: '这是付款凭证的照片',
    },
    {
      who: englishMonitor,
      lang: 'en',
      tip: 'The town head picked the builder of the sea wall himself',
      added: 'The money was paid in March',
      caption: 'Photo of the payment slip',
    },
  ];

  for (const { who, lang, tip, added, caption } of cases) {
    it(`a reply to a receipt while a new guided /tip is open goes to the old item, caption included, and the draft stays (${lang})`, async () => {
      const receipt = await session.say(who, `/tip F-HPZ ${tip}`);
      const id = numberIn(receipt);
      const step1 = await session.say(who, '/tip');
      expect(buttonsOf(step1).length).toBeGreaterThan(0);

      const reply = await session.say(who, added, { replyTo: receipt.result as object });
      expect(textOf(reply)).toContain(`#${id}`);
      // The person is told the new tip is still open, and at which step.
      expect(textOf(reply)).toMatch(lang === 'zh' ? /第 1 步/ : /step 1/i);

      let mark = session.push(photoMessage(who, caption, { replyTo: receipt.result as object }));
      const attached = await session.messageTo(who.id, mark);
      expect(textOf(attached)).toContain(`#${id}`);

      // The draft is where it was: its domain button still works.
      mark = session.press(who, step1, lang === 'zh' ? '财权' : 'financial power');
      await session.messageTo(who.id, mark, lang === 'zh' ? '第 2 步' : /step 2/i);
      await session.say(who, '/cancel');

      const shown = await session.say(officer, `/show ${id}`);
      expect(textOf(shown)).toContain(tip);
      expect(textOf(shown)).toContain(added);
      expect(textOf(shown)).toContain(caption);
    });
  }

  it('a one-line /tip during a guided tip is stored, and the person hears what became of the draft', async () => {
    // At step 1 nothing was typed yet: the one-line tip ends the draft, so the next message is not step 1 again.
    await session.say(monitor, '/tip');
    const receipt = await session.say(monitor, '/tip S-DXZ 书记在八小时以外频繁出入私人会所');
    expect(textOf(receipt)).toMatch(/^已收到，编号 #\d+/);
    const after = await session.say(monitor, '/my');
    expect(textOf(after)).toContain('S-DXZ');
    const next = await session.say(monitor, 'D');
    expect(textOf(next)).not.toContain('第 2 步');

    // With text already written, the draft is kept and the person is told how to finish or drop it.
    const step1 = await session.say(monitor, '/tip');
    let mark = session.press(monitor, step1, '作风');
    const step2 = await session.messageTo(monitor.id, mark, '第 2 步');
    mark = session.press(monitor, step2, '输入单位');
    await session.messageTo(monitor.id, mark);
    await session.say(monitor, '鹤浦镇');
    await session.say(monitor, '镇长的亲属承包了镇里的保洁工程');
    mark = session.push(textMessage(monitor, '/tip P-DXZ 书记提拔亲属担任办公室主任'));
    await session.messageTo(monitor.id, mark, '已收到');
    const told = await session.messageTo(monitor.id, mark, '草稿');
    expect(textOf(told)).toContain('/cancel');
    await session.say(monitor, '/cancel');
  });

  it('a reply to a relayed question during a guided tip stores the answer and keeps the draft', async () => {
    const receipt = await session.say(monitor, '/tip I-CZJ 局长收受工程老板的购物卡');
    const id = numberIn(receipt);
    let mark = session.push(textMessage(officer, `/ask ${id} 大约是什么时间？`));
    const question = await session.messageTo(monitor.id, mark, '大约是什么时间');

    const step1 = await session.say(monitor, '/tip');
    mark = session.press(monitor, step1, '财权');
    await session.messageTo(monitor.id, mark, '第 2 步');

    const saved = await session.say(monitor, '去年春节前后', { replyTo: question.result as object });
    expect(textOf(saved)).toContain('您的回答已转交干部科');
    expect(textOf(saved)).toContain('第 2 步');
    const step3 = await session.say(monitor, '鹤浦镇');
    expect(textOf(step3)).toContain('第 3 步');
    await session.say(monitor, '/cancel');
    expect(textOf(await session.say(officer, `/show ${id}`))).toContain('去年春节前后');
  });

  it('an item cannot be merged into one whose handling has ended; a filed item is told to its reporter as filed', async () => {
    const first = numberIn(await session.say(monitor, '/tip D-HPZ 镇长一人决定把广场工程交给外地公司'));
    const second = numberIn(await session.say(englishMonitor, '/tip D-HPZ 镇长一人决定广场工程的承包方'));

    const card = await session.say(officer, `/show ${first}`);
    let mark = session.press(officer, card, '存档备查');
    await session.messageTo(officer.id, mark, `#${first}`);
    // The reporter is told, in general terms, that the item is filed; /my does not say 已办结.
    const feedback = await session.messageTo(monitor.id, mark, `#${first}`);
    expect(textOf(feedback)).toContain('存档备查');
    const my = await session.say(monitor, '/my');
    const line = textOf(my)
      .split('\n')
      .find((text) => text.startsWith(`#${first} `));
    expect(line).toContain('存档备查');
    expect(line).not.toContain('已办结');

    const other = await session.say(officer, `/show ${second}`);
    mark = session.press(officer, other, '合并');
    await session.messageTo(officer.id, mark, '并入');
    const refused = await session.say(officer, String(first));
    expect(textOf(refused)).toContain(`#${first}`);
    expect(textOf(refused)).toContain('存档备查');
    await session.say(officer, '/cancel');
    const myEnglish = await session.say(englishMonitor, '/my');
    expect(textOf(myEnglish)).toContain(`#${second}`);
    expect(textOf(myEnglish)).toContain('received');
  });

  it('a second notice with a different 文号 and the same text is a new item', async () => {
    const text = '审计发现局长一支笔审批专项资金，未经集体研究';
    const first = await session.say(auditLiaison, `/notice F-CZJ 〔2019〕12号 ${text}`);
    const second = await session.say(auditLiaison, `/notice F-CZJ 〔2020〕3号 ${text}`);
    expect(textOf(second)).toMatch(/^已收到，编号 #\d+/);
    expect(numberIn(second)).not.toBe(numberIn(first));
    // The same 文号 again is still a duplicate.
    const again = await session.say(auditLiaison, `/notice F-CZJ 〔2020〕3号 ${text}`);
    expect(textOf(again)).toContain('已经收到过');
  });
});
