// Issue #15 through the real process and the fake Bot API, in both languages: what an officer, a
// member of the section group and a forger can no longer learn or cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/buttons.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { callbackQuery, editedMessage, textMessage, user } from '../support/updates.js';

const admin = user(15_001, { name: '赵部长' });
const officer = user(15_002, { name: 'Officer Li', lang: 'en' });
const monitor = user(15_003, { name: '东门信息员' });
const monitorEn = user(15_004, { name: 'West Gate monitor', lang: 'en' });
const leaver = user(15_005, { name: '将被取消的干部' });
const stranger = user(15_006, { name: '群成员' });
const SECTION_GROUP = { id: -100_150_015, type: 'supergroup' as const, title: '干部科' };
const TIP = '镇长在防波堤工程中指定施工方，金额约300万元';

describe(`need-to-know through the real process on ${testDatabaseKind}`, { timeout: 120_000 }, () => {
  let session: E2eSession;
  let item = 0;
  const since = (mark: number) =>
    session.api.calls.filter((call) => call.seq > mark && call.method !== 'getUpdates');
  const describeCalls = (calls: RecordedCall[]) =>
    calls.map((call) => `${call.method} → ${String(call.params.chat_id ?? '')}`);

  beforeAll(async () => {
    // Alerts at once, and awaited below: with the default 10-minute batch the tip's alert to the group
    // went out at the next boundary, inside whichever test's quiet window it happened to fall.
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id), ALERT_BATCH_MINUTES: '0' });
    await session.start();
    await session.enrol(admin, officer, 'officer');
    await session.enrol(admin, monitor, 'monitor 东门社区');
    await session.enrol(admin, monitorEn, 'monitor 西门社区');
    await session.enrol(admin, leaver, 'officer');
    await session.bindSectionChat(admin, SECTION_GROUP);
    const beforeTip = session.mark();
    const receipt = await session.say(monitor, `/tip F-HPZ ${TIP}`);
    item = Number(/#(\d+)/.exec(textOf(receipt))?.[1]);
    await session.api.waitFor(
      (call) =>
        call.seq > beforeTip && call.method === 'sendMessage' && call.params.chat_id === SECTION_GROUP.id,
    );
    await session.settle(1000);
  }, 240_000);
  afterAll(() => session?.dispose());

  it("an officer's card names the kind of source, never the monitor's community", async () => {
    const card = await session.say(officer, `/show ${item}`);
    expect(textOf(card)).toContain(TIP);
    expect(textOf(card)).toContain('a community monitor');
    expect(textOf(card)).not.toContain('东门社区');
    const trail = await session.say(officer, `/history ${item}`);
    expect(textOf(trail)).not.toContain('东门社区');
  });

  it('in the section group, commands of the enrolled and of strangers get nothing, and a forged show button only stops its spinner', async () => {
    const mark = session.mark();
    for (const person of [officer, monitor, stranger, admin]) {
      session.api.pushUpdate(textMessage(person, '/my', { chat: SECTION_GROUP }));
      session.api.pushUpdate(textMessage(person, `/show ${item}`, { chat: SECTION_GROUP }));
    }
    session.api.pushUpdate(
      callbackQuery(officer, encodeCallback('q.s', item), { chatId: SECTION_GROUP.id, messageText: 'x' }),
    );
    await session.api.waitFor((call) => call.seq > mark && call.method === 'answerCallbackQuery');
    await session.settle(2000);
    const calls = since(mark);
    expect(describeCalls(calls)).toEqual(['answerCallbackQuery → ']);
    expect(Object.keys(calls[0]?.params ?? {})).toEqual(['callback_query_id']);
    expect(session.api.textsTo(SECTION_GROUP.id).join('\n')).not.toContain(TIP);
  });

  it("a forged private update (another's chat, the admin as sender) is dropped", async () => {
    const mark = session.mark();
    session.api.pushUpdate(
      textMessage(admin, `/reveal ${item} 县纪委要求约谈举报人核实情况`, {
        chat: { id: officer.id, type: 'private' },
      }),
    );
    session.api.pushUpdate(
      textMessage(admin, `/show ${item}`, { chat: { id: officer.id, type: 'private' } }),
    );
    await session.settle(3000);
    expect(describeCalls(since(mark))).toEqual([]);
  });

  it("an edited tip is answered once, in the reporter's language, and changes nothing", async () => {
    for (const [person, expected] of [
      [monitor, '不会改变您报送的内容'],
      [monitorEn, 'does not change what you sent'],
    ] as const) {
      const mark = session.mark();
      session.api.pushUpdate(editedMessage(person, `/tip F-HPZ ${TIP.slice(0, 6)}`, { messageId: 4242 }));
      const answer = await session.messageTo(person.id, mark);
      expect(textOf(answer)).toContain(expected);
      const again = session.mark();
      session.api.pushUpdate(editedMessage(person, '/tip F-HPZ', { messageId: 4242 }));
      await session.settle(2000);
      expect(describeCalls(since(again))).toEqual([]);
    }
    const card = await session.say(officer, `/show ${item}`);
    expect(textOf(card)).toContain(TIP);
  });

  it('/revoke takes the person out of the section group as well', async () => {
    const mark = session.mark();
    const reply = await session.say(admin, `/revoke ${leaver.id}`);
    expect(textOf(reply)).toContain('移出干部科工作群');
    const ban = await session.after(mark, (call) => call.method === 'banChatMember');
    const unban = await session.after(mark, (call) => call.method === 'unbanChatMember');
    expect(ban.params).toMatchObject({ chat_id: SECTION_GROUP.id, user_id: leaver.id });
    expect(unban.params).toMatchObject({
      chat_id: SECTION_GROUP.id,
      user_id: leaver.id,
      only_if_banned: true,
    });
    expect(unban.seq).toBeGreaterThan(ban.seq);
  });
});
