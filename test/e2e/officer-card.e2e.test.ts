// Issue 18, through the real process and the strict fake Bot API, in Chinese and in English: the item
// card's "ask the reporter" button (a pending question, relayed exactly as /ask), the assignee told
// when the reporter adds information and the card marking what is new, [清除筛选] with no filter,
// /people without a made-up time, and the English wording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/database.js';
import { buttonOf, buttonsOf, E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { callbackQuery, photoMessage, type TgUser, textMessage, user } from '../support/updates.js';

const admin = user(9500, { name: '钱部长' });
const adminEn = user(9501, { name: 'Admin Qian', lang: 'en' });
const monitor = user(9502, { name: '丹城信息员', username: 'dancheng_monitor' });
const monitorEn = user(9503, { name: 'Dongmen Monitor', lang: 'en' });
const officerZh = user(9504, { name: '干部科丙' });
const officerEn = user(9505, { name: 'Officer Ding', lang: 'en' });
const liaisonAud = user(9506, { name: '审计局联络员', lang: 'en' });
const SECTION_GROUP = { id: -100_888_018, type: 'supergroup' as const, title: '干部科' };

const COMMUNITY = '丹城社区';
const TIP_TEXT = '镇长在项目审批中一人拍板，未经党委会讨论';
const TIP_TEXT_EN = 'The town head approved the road contract alone, without the committee';
const QUESTION = '审批大约在什么时间？';
const QUESTION_EN = 'When was the contract approved?';
const ADDED = '合同是去年十月签的';
const ADDED_EN = 'The contract was signed last October';
const ANSWER = '十月中旬，在镇政府三楼';

function numberIn(call: RecordedCall): number {
  const match = /#(\d+)/.exec(textOf(call));
  if (!match?.[1]) throw new Error(`no #number in: ${textOf(call)}`);
  return Number(match[1]);
}

describe(`issue 18 through the real process on ${testDatabaseKind}`, { timeout: 120_000 }, () => {
  let session: E2eSession;
  let itemZh = 0;
  let itemEn = 0;
  let receiptZh: RecordedCall;
  let receiptEn: RecordedCall;

  /** A press as Telegram delivers it: with the message's text and keyboard as they now read. */
  function pressDelivered(from: TgUser, on: RecordedCall, label: string): number {
    const result = on.result as { message_id: number; text?: string; reply_markup?: object };
    const data = buttonOf(on, label).callback_data;
    if (data === undefined) throw new Error(`button "${label}" is a link`);
    return session.push(
      callbackQuery(from, data, {
        messageId: result.message_id,
        chatId: on.params.chat_id as number,
        ...(result.text === undefined ? {} : { messageText: result.text }),
        ...(result.reply_markup === undefined ? {} : { replyMarkup: result.reply_markup }),
      }),
    );
  }

  /** `/show <id>` as `officer`: the card itself (not a file resent under an earlier card). */
  function show(officer: TgUser, id: number): Promise<RecordedCall> {
    const mark = session.push(textMessage(officer, `/show ${id}`));
    return session.messageTo(officer.id, mark, `<b>#${id}</b>`);
  }

  /** The answer to the press made after `mark`. */
  function answerAfter(mark: number): Promise<RecordedCall> {
    return session.after(mark, (call) => call.method === 'answerCallbackQuery');
  }

  beforeAll(async () => {
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id), ALERT_BATCH_MINUTES: '0' });
    await session.start();
    await session.enrol(admin, adminEn, 'admin');
    await session.enrol(admin, monitor, `monitor ${COMMUNITY}`);
    await session.enrol(admin, monitorEn, 'monitor 东门社区');
    await session.enrol(admin, officerZh, 'officer');
    await session.enrol(admin, officerEn, 'officer');
    await session.enrol(admin, liaisonAud, 'liaison AUD');
    // Alerts go to the section chat, not to each officer privately.
    await session.bindSectionChat(admin, SECTION_GROUP);
    receiptZh = await session.say(monitor, `/tip D-DXZ ${TIP_TEXT}`);
    itemZh = numberIn(receiptZh);
    receiptEn = await session.say(monitorEn, `/tip D-DXZ ${TIP_TEXT_EN}`);
    itemEn = numberIn(receiptEn);
  }, 240_000);
  afterAll(() => session.dispose());

  it('the card has an "ask the reporter" button; the next text is relayed as /ask, and Cancel relays nothing (zh)', async () => {
    const card = await show(officerZh, itemZh);
    const ask = buttonOf(card, '向举报人提问');
    expect(Buffer.byteLength(ask.callback_data ?? '')).toBeLessThanOrEqual(64);

    // Cancel first: the text sent afterwards is not a question.
    let mark = pressDelivered(officerZh, card, '向举报人提问');
    let prompt = await session.messageTo(officerZh.id, mark, `#${itemZh}`);
    expect(textOf(prompt)).toContain('下一条消息');
    mark = pressDelivered(officerZh, prompt, '取消');
    expect(textOf(await session.messageTo(officerZh.id, mark, '已取消提问'))).not.toContain(
      monitor.first_name,
    );
    mark = session.push(textMessage(officerZh, '这句话不是问题'));
    await session.settle();
    expect(session.api.textsTo(monitor.id).some((text) => text.includes('这句话不是问题'))).toBe(false);

    // Then a real question.
    mark = pressDelivered(officerZh, card, '向举报人提问');
    prompt = await session.messageTo(officerZh.id, mark, `#${itemZh}`);
    mark = session.push(textMessage(officerZh, QUESTION));
    const sent = await session.messageTo(officerZh.id, mark, '问题已转达');
    expect(textOf(sent)).toContain(`#${itemZh}`);
    for (const leak of [monitor.first_name, COMMUNITY, 'dancheng_monitor', String(monitor.id)])
      expect(textOf(sent)).not.toContain(leak);
    const relayed = await session.messageTo(monitor.id, mark, QUESTION);
    expect(textOf(relayed)).toContain(`#${itemZh}`);
    expect(textOf(relayed)).not.toContain(officerZh.first_name);
    expect(relayed.params.protect_content).toBe(true);
    expect(buttonsOf(relayed).map((b) => b.text)).toEqual(['回答']);

    // The dialogue ended with the question: the next text is not relayed again.
    mark = session.push(textMessage(officerZh, '再发一句'));
    await session.settle();
    expect(session.api.textsTo(monitor.id).some((text) => text.includes('再发一句'))).toBe(false);
  });

  it('the card has an "ask the reporter" button in English too, and none where nobody can be asked', async () => {
    const card = await show(officerEn, itemEn);
    let mark = pressDelivered(officerEn, card, 'Ask the reporter');
    const prompt = await session.messageTo(officerEn.id, mark, `#${itemEn}`);
    expect(textOf(prompt)).toContain('next message');
    expect(buttonOf(prompt, 'Cancel')).toBeDefined();
    mark = session.push(textMessage(officerEn, QUESTION_EN));
    expect(textOf(await session.messageTo(officerEn.id, mark, 'relayed'))).toContain(`#${itemEn}`);
    const relayed = await session.messageTo(monitorEn.id, mark, QUESTION_EN);
    expect(buttonsOf(relayed).map((b) => b.text)).toEqual(['Answer']);

    // A call logged by the section has no reporter the bot can reach: no button.
    const logged = numberIn(
      await session.say(officerEn, '/log hotline D-DXZ anonymous 电话反映镇长一人拍板'),
    );
    const loggedCard = await show(officerEn, logged);
    expect(buttonsOf(loggedCard).map((b) => b.text)).not.toContain('Ask the reporter');
  });

  it('the assignee hears when the reporter adds information, and the card marks what is new (zh)', async () => {
    // Assign the item to the Chinese officer, who opens it.
    const card = await show(officerEn, itemZh);
    let mark = session.press(officerEn, card, 'Assign');
    const choose = await session.messageTo(officerEn.id, mark, 'handles');
    mark = session.press(officerEn, choose, officerZh.first_name);
    await session.messageTo(officerZh.id, mark, `#${itemZh}`);
    await show(officerZh, itemZh);

    // /add: the assignee hears the number only.
    mark = session.push(textMessage(monitor, `/add ${itemZh} ${ADDED}`));
    await session.messageTo(monitor.id, mark, '已补充');
    const added = await session.messageTo(officerZh.id, mark, `#${itemZh}`);
    expect(textOf(added)).toContain('补充');
    for (const leak of [ADDED, TIP_TEXT, monitor.first_name, COMMUNITY])
      expect(textOf(added)).not.toContain(leak);

    // A photo in reply to the receipt: told again.
    mark = session.push(photoMessage(monitor, undefined, { replyTo: receiptZh.result as object }));
    await session.messageTo(monitor.id, mark, '附件');
    expect(textOf(await session.messageTo(officerZh.id, mark, `#${itemZh}`))).toContain('补充');

    // An answer to the English officer's question: the asker hears of the answer, the assignee of new information.
    mark = session.push(textMessage(officerEn, `/ask ${itemZh} 大约是什么时候？`));
    const question = await session.messageTo(monitor.id, mark, '大约是什么时候');
    await session.messageTo(officerEn.id, mark, 'relayed');
    // A reply is matched to the question by the delivery the sender records just after Telegram has it.
    await session.settle(1000);
    mark = session.push(textMessage(monitor, ANSWER, { replyTo: question.result as object }));
    await session.messageTo(officerEn.id, mark, 'answered');
    const toAssignee = await session.messageTo(officerZh.id, mark, `#${itemZh}`);
    expect(textOf(toAssignee)).toContain('补充');
    expect(textOf(toAssignee)).not.toContain(ANSWER);

    // Nobody else heard of it.
    await session.settle();
    expect(
      session.api.textsTo(admin.id).some((text) => text.includes(`#${itemZh}`) && text.includes('补充')),
    ).toBe(false);

    // The card marks the additions since the assignee last opened it; opened again, nothing is new.
    const fresh = textOf(await show(officerZh, itemZh));
    const line = (needle: string) => fresh.split('\n').find((l) => l.includes(needle)) ?? '';
    expect(line(ADDED)).toContain('【新】');
    expect(line(ANSWER)).toContain('【新】');
    expect(line(QUESTION)).not.toContain('【新】');
    expect(line('附件')).toContain('1 个是新的');
    const again = textOf(await show(officerZh, itemZh));
    expect(again).not.toContain('【新】');
    expect(again).not.toContain('是新的');
  });

  it('the assignee hears of new information in English, and the English reporter reads plural-correct wording', async () => {
    const card = await show(officerZh, itemEn);
    let mark = session.press(officerZh, card, '指派承办人');
    const choose = await session.messageTo(officerZh.id, mark, '承办人');
    mark = session.press(officerZh, choose, officerEn.first_name);
    await session.messageTo(officerEn.id, mark, `#${itemEn}`);
    await show(officerEn, itemEn);

    mark = session.push(textMessage(monitorEn, `/add ${itemEn} ${ADDED_EN}`));
    await session.messageTo(monitorEn.id, mark, `Added to #${itemEn}`);
    const told = await session.messageTo(officerEn.id, mark, `#${itemEn}`);
    expect(textOf(told)).toContain('new information');
    expect(textOf(told)).not.toContain(ADDED_EN);

    mark = session.push(photoMessage(monitorEn, undefined, { replyTo: receiptEn.result as object }));
    expect(textOf(await session.messageTo(monitorEn.id, mark, 'Added'))).toContain(
      `Added 1 attachment to #${itemEn}.`,
    );
    await session.messageTo(officerEn.id, mark, 'new information');

    const shown = textOf(await show(officerEn, itemEn));
    expect(shown.split('\n').find((l) => l.includes(ADDED_EN))).toContain('[New]');
    expect(shown).toContain('(1 new)');
  });

  it('[清除筛选] with no filter answers the press with a notice and edits nothing (zh and en)', async () => {
    for (const [officer, label, notice, title] of [
      [officerZh, '清除筛选', '没有筛选', '分办队列'],
      [officerEn, 'Clear filters', 'No filter', 'Triage queue'],
    ] as const) {
      const list = await session.messageTo(officer.id, session.push(textMessage(officer, '/queue')), title);
      const outputBefore = session.output().length;
      const mark = pressDelivered(officer, list, label);
      const answer = await answerAfter(mark);
      expect(String(answer.params.text ?? '')).toContain(notice);
      await session.settle(1000);
      const edits = session.api.calls.filter((c) => c.seq > mark && c.method === 'editMessageText');
      expect(edits).toEqual([]);
      expect(session.output().slice(outputBefore)).not.toMatch(/"level":50/);
      expect(session.output().slice(outputBefore)).not.toContain('not modified');
    }
  });

  it('/people shows no made-up time: reporters only whether they reported lately (zh and en)', async () => {
    for (const who of [admin, adminEn]) {
      const people = textOf(await session.say(who, '/people'));
      expect(people).not.toMatch(/\b00:00\b/);
      const reporterLines = people
        .split('\n')
        .filter(
          (l) =>
            l.includes(monitor.first_name) ||
            l.includes(monitorEn.first_name) ||
            l.includes(liaisonAud.first_name),
        );
      expect(reporterLines).toHaveLength(3);
      for (const line of reporterLines) expect(line).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}/);
    }
  });

  it('English wording: one liaison told, history without a community or nested parentheses, capitalised command descriptions', async () => {
    const card = await show(officerEn, itemEn);
    let mark = session.press(officerEn, card, 'Forward');
    const choose = await session.messageTo(officerEn.id, mark, 'Forward');
    mark = session.press(officerEn, choose, 'Audit Bureau');
    const done = await session.messageTo(officerEn.id, mark, `#${itemEn} is forwarded`);
    expect(textOf(done)).toContain('1 liaison of that agency was told');
    expect(textOf(done)).not.toContain('(s)');
    await session.messageTo(liaisonAud.id, mark, `#${itemEn}`);

    const history = textOf(await session.say(adminEn, `/history ${itemZh}`));
    expect(history).toContain('reporter');
    expect(history).not.toContain(COMMUNITY);
    expect(history).not.toMatch(/\([^()]*\(/);

    const menus = session.api.calls.filter(
      (c) => c.method === 'setMyCommands' && c.params.language_code === 'en',
    );
    expect(menus.length).toBeGreaterThan(0);
    for (const menu of menus)
      for (const command of menu.params.commands as Array<{ description: string }>)
        expect(command.description).toMatch(/^[A-Z]/);
  });
});
