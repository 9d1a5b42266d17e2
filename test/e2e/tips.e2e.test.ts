// Issue #4, acceptance 2 and 3, through the real process and the fake Bot API: tips, notices and logged
// reports from people enrolled by invite links, /my and /add, the guided dialogue, a captioned photo,
// and rejected input that stores nothing and says how to write it, in the sender's language.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { testDatabaseKind } from '../support/database.js';
import { buttonsOf, E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { photoMessage, user } from '../support/updates.js';

const admin = user(9300, { name: '赵部长' });
const monitor = user(9301, { name: '丹东信息员' });
const otherMonitor = user(9302, { name: '丹西信息员' });
const auditLiaison = user(9303, { name: '审计局联络员' });
const officer = user(9304, { name: '干部科小王' });
const englishMonitor = user(9305, { lang: 'en', name: 'Lin' });

const TIP_TEXT = '镇长在防波堤工程中指定施工方，金额约300万元';
const ADDED_TEXT = '工程款是在三月份支付的';
const FOREIGN_ADD = '另一位信息员想补充的内容';
const NOTICE_TEXT = '审计发现局长一支笔审批专项资金，未经集体研究';
const LOG_TEXT = '来电反映镇党委书记在干部调整中未经集体讨论';
const SECTION_GROUP = { id: -100_777_001, type: 'supergroup' as const, title: '干部科' };
const GUIDED_TEXT = '书记在八小时以外频繁出入私人会所';
const PHOTO_TEXT = '现场照片：工程款收据';

/** The item number in a receipt ("编号 #12" / "#12"), or throws. */
function numberIn(call: RecordedCall): number {
  const match = /#(\d+)/.exec(textOf(call));
  if (!match?.[1]) throw new Error(`no #number in: ${textOf(call)}`);
  return Number(match[1]);
}

// Each step waits on a real process; on a loaded 2-core machine a PGlite restart alone can take seconds.
describe(`tips, notices and logged reports through the real process on ${testDatabaseKind}`, {
  timeout: 120_000,
}, () => {
  let session: E2eSession;
  const numbers = { tip: 0, notice: 0, logged: 0, guided: 0, oneLine: 0, photo: 0 };

  beforeAll(async () => {
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id) });
    await session.start();
    await session.enrol(admin, monitor, 'monitor 丹东社区');
    await session.enrol(admin, otherMonitor, 'monitor 丹西社区');
    await session.enrol(admin, auditLiaison, 'liaison AUD');
    await session.enrol(admin, officer, 'officer');
    await session.enrol(admin, englishMonitor, 'monitor 东谷社区');
    // With a section chat bound, alerts go there and not to the officer, whose answers the test reads.
    await session.bindSectionChat(admin, SECTION_GROUP);
  }, 240_000);
  afterAll(() => session.dispose());

  it("a monitor's one-line /tip gets a receipt with its number, and /my lists it", async () => {
    const receipt = await session.say(monitor, `/tip F-HPZ ${TIP_TEXT}`);
    expect(textOf(receipt)).toMatch(/^已收到，编号 #\d+。/);
    expect(textOf(receipt)).toContain('F-HPZ');
    expect(textOf(receipt)).toContain('鹤浦镇');
    numbers.tip = numberIn(receipt);
    const my = await session.say(monitor, '/my');
    expect(textOf(my)).toContain(`#${numbers.tip} F-HPZ`);
    expect(textOf(my)).toContain('已收到');
  });

  it('/add appends to the own item; another monitor may not add to it', async () => {
    const added = await session.say(monitor, `/add ${numbers.tip} ${ADDED_TEXT}`);
    expect(textOf(added)).toBe(`已补充到 #${numbers.tip}。`);
    const refused = await session.say(otherMonitor, `/add ${numbers.tip} ${FOREIGN_ADD}`);
    expect(textOf(refused)).toContain(`没有找到您发送的编号为 #${numbers.tip} 的信息`);
    // The officer's view of the item: the reporter's addition is there, the other monitor's is not.
    const shown = await session.say(officer, `/show ${numbers.tip}`);
    expect(textOf(shown)).toContain(TIP_TEXT);
    expect(textOf(shown)).toContain(ADDED_TEXT);
    expect(textOf(shown)).not.toContain(FOREIGN_ADD);
    expect(textOf(shown)).toContain('社区干部监督信息员');
    expect(textOf(shown)).not.toContain('丹东社区');
    expect(textOf(shown)).not.toContain(monitor.first_name);
  });

  it("an AUD liaison's /notice records the agency and keeps the reference number apart", async () => {
    const receipt = await session.say(auditLiaison, `/notice F-CZJ 〔2019〕12号 ${NOTICE_TEXT}`);
    expect(textOf(receipt)).toContain('文号：〔2019〕12号');
    numbers.notice = numberIn(receipt);
    const shown = await session.say(officer, `/show ${numbers.notice}`);
    expect(textOf(shown)).toContain(NOTICE_TEXT);
    expect(textOf(shown)).toContain('〔2019〕12号');
    expect(textOf(shown)).toContain('来源：审计局通报');
  });

  it("an officer's /log of an anonymous hotline call is recorded as anonymous", async () => {
    const receipt = await session.say(officer, `/log hotline P-DXZ anonymous ${LOG_TEXT}`);
    expect(textOf(receipt)).toMatch(/^已登记，编号 #\d+/);
    expect(textOf(receipt)).toContain('监督电话，匿名');
    numbers.logged = numberIn(receipt);
    const shown = await session.say(officer, `/show ${numbers.logged}`);
    expect(textOf(shown)).toContain(LOG_TEXT);
    expect(textOf(shown)).toContain('监督电话（匿名）');
  });

  it('the guided /tip, driven by its own buttons, makes the same item as the one-line form', async () => {
    const domainStep = await session.say(otherMonitor, '/tip');
    expect(textOf(domainStep)).toContain('第 1 步');
    const financial = buttonsOf(domainStep).find((button) => button.callback_data === 'tip.domain|F');
    expect(financial?.text).toContain('财权');

    let mark = session.press(otherMonitor, domainStep, financial?.text ?? '');
    const unitStep = await session.messageTo(otherMonitor.id, mark, '第 2 步');
    // A unit nothing else here is about, so neither tip is a repeat subject (3 items) that the other is not.
    const unitButton = buttonsOf(unitStep).find(
      (button) =>
        button.callback_data?.startsWith('tip.unit|') && !/\|(HPZ|CZJ|DXZ)$/.test(button.callback_data),
    );
    const unitCode = unitButton?.callback_data?.split('|')[1] ?? '';
    expect(unitCode).toMatch(/^[A-Z]+$/);

    mark = session.press(otherMonitor, unitStep, unitButton?.text ?? '');
    await session.messageTo(otherMonitor.id, mark, '第 3 步');
    // Step 4 is the last screen (issue 18): what will be sent, with Submit.
    const confirm = await session.say(otherMonitor, GUIDED_TEXT);
    expect(textOf(confirm)).toContain('第 4 步');
    expect(textOf(confirm)).toContain(`F-${unitCode}`);
    expect(textOf(confirm)).toContain(GUIDED_TEXT);

    mark = session.press(otherMonitor, confirm, '提交');
    const receipt = await session.messageTo(otherMonitor.id, mark, '已收到');
    numbers.guided = numberIn(receipt);

    // The same tip on one line, from another monitor (one person's repeated text would be one item).
    const oneLine = await session.say(monitor, `/tip F-${unitCode} ${GUIDED_TEXT}`);
    numbers.oneLine = numberIn(oneLine);
    expect(numbers.oneLine).not.toBe(numbers.guided);

    const rows = await session.withDatabase((db) =>
      queryRows<Record<string, unknown>>(
        db,
        sql`select id, kind, domain, unit_code, source_kind, source_agency, signed, must_investigate,
                   priority, reasons, status, admins_only
            from items where id in (${numbers.guided}, ${numbers.oneLine}) order by id`,
      ),
    );
    expect(rows).toHaveLength(2);
    const [first, second] = rows.map(({ id: _id, ...columns }) => columns);
    expect(first).toEqual(second);
    expect(first).toMatchObject({ kind: 'tip', domain: 'F', unit_code: unitCode, source_kind: 'monitor' });
    // And the officer reads the same text in both.
    expect(textOf(await session.say(officer, `/show ${numbers.guided}`))).toContain(GUIDED_TEXT);
  });

  it('a photo whose caption starts with a code is a tip with that one attachment', async () => {
    const mark = session.push(photoMessage(monitor, `S-DXZ ${PHOTO_TEXT}`));
    const receipt = await session.messageTo(monitor.id, mark, '已收到');
    expect(textOf(receipt)).toContain('S-DXZ');
    expect(textOf(receipt)).toContain('附件：1 个');
    numbers.photo = numberIn(receipt);
    // The officer's /show resends the photo.
    const showMark = session.mark();
    await session.say(officer, `/show ${numbers.photo}`);
    await session.after(
      showMark,
      (call) => call.method === 'sendPhoto' && call.params.chat_id === officer.id,
    );
  });

  it('the database agrees: agency and reference of the notice, the anonymous log, one attachment', async () => {
    const state = await session.withDatabase(async (db) => ({
      items: await queryRows<{
        id: unknown;
        kind: string;
        source_kind: string;
        agency: unknown;
        signed: boolean;
      }>(db, sql`select id, kind, source_kind, source_agency as agency, signed from items order by id`),
      attachments: await queryRows<{ item: unknown; kind: string }>(
        db,
        sql`select item_id as item, file_kind as kind from item_attachments order by id`,
      ),
      additions: await queryRows<{ item: unknown; kind: string }>(
        db,
        sql`select item_id as item, kind from item_additions order by id`,
      ),
    }));
    const byId = new Map(state.items.map((row) => [Number(row.id), row]));
    expect(byId.get(numbers.notice)).toMatchObject({ kind: 'notice', source_kind: 'liaison', agency: 'AUD' });
    expect(byId.get(numbers.logged)).toMatchObject({ kind: 'report', source_kind: 'hotline', signed: false });
    expect(byId.get(numbers.tip)).toMatchObject({ kind: 'tip', source_kind: 'monitor', signed: true });
    expect(state.attachments.map((row) => [Number(row.item), row.kind])).toEqual([[numbers.photo, 'photo']]);
    // Only the reporter's own /add became an addition.
    expect(state.additions.map((row) => [Number(row.item), row.kind])).toEqual([[numbers.tip, 'addition']]);
    expect(state.items).toHaveLength(Object.values(numbers).length);
  });

  it('rejected input stores nothing and says how to write it right, in Chinese and in English', async () => {
    const itemsCount = () => session.count(sql`select count(*) as count from items`);
    const before = await itemsCount();

    const unknownUnit = await session.say(monitor, '/tip F-XYZQ 镇长指定施工方');
    expect(textOf(unknownUnit)).toContain('没有找到单位“XYZQ”');
    expect(textOf(unknownUnit)).toContain('正确写法示例：');
    expect(textOf(unknownUnit)).toContain('/tip F-HPZ 镇长在防波堤工程中指定施工方');

    const noCode = await session.say(monitor, '/tip 镇长指定施工方');
    expect(textOf(noCode)).toContain('正确写法示例：');

    const english = await session.say(englishMonitor, '/tip Q-HPZ the head picked the builder');
    expect(textOf(english)).toMatch(/domain/i);
    expect(textOf(english)).toContain('Example of a correct one:');
    expect(textOf(english)).toContain('/tip F-HPZ');
    expect(textOf(english)).toContain('There is no domain "Q"');
    expect(textOf(english)).not.toContain('这个领域');

    const englishUnit = await session.say(englishMonitor, '/tip F-NOWHERE the head picked the builder');
    expect(textOf(englishUnit)).toContain('No unit "NOWHERE" was found');
    expect(textOf(englishUnit)).toContain('Example of a correct one:');

    const badLog = await session.say(officer, `/log telephone P-DXZ anonymous ${LOG_TEXT}`);
    expect(textOf(badLog)).toContain('hotline（监督电话）或 mailbox（举报信箱）');
    expect(textOf(badLog)).toContain('/log hotline P-DXZ anonymous');

    expect(await itemsCount()).toBe(before);
  });
});
