import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../../../src/db/client.js';
import { auditLog, itemAttachments, items, outbox, people, settings } from '../../../../src/db/schema.js';
import { reportedItemIds } from '../../../../src/items/ledger.js';
import { reporterIdOf } from '../../../../src/items/reporter-link.js';
import { setSectionChat } from '../../../../src/settings.js';
import { createHarness, type Harness } from '../../../support/harness.js';
import { documentMessage, photoMessage, textMessage, user } from '../../../support/updates.js';

const MONITOR = 1001;
const OTHER_MONITOR = 1002;
const LIAISON = 2001;
const ORG_LIAISON = 2002;
const OFFICER = 3001;
const ADMIN = 4001;
const SECTION_CHAT = -100777;

const TABLES = [
  'items',
  'item_additions',
  'item_attachments',
  'audit_log',
  'outbox',
  'dialogues',
  'inbox_updates',
  'settings',
];

/** How many rows of any table contain `needle` anywhere (each row as text). */
async function rowsContaining(harness: Harness, needle: string): Promise<number> {
  let total = 0;
  for (const table of TABLES) {
    const rows = await queryRows<{ n: number }>(
      harness.db,
      sql`select count(*)::int as n from ${sql.identifier(table)} t where t::text like ${`%${needle}%`}`,
    );
    total += rows[0]?.n ?? 0;
  }
  return total;
}

async function countRows(harness: Harness): Promise<number[]> {
  const out: number[] = [];
  for (const table of ['items', 'item_additions', 'item_attachments']) {
    const rows = await queryRows<{ n: number }>(
      harness.db,
      sql`select count(*)::int as n from ${sql.identifier(table)}`,
    );
    out.push(rows[0]?.n ?? 0);
  }
  return out;
}

describe('coded tips, notices and logged reports', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await harness.enrol(MONITOR, 'monitor', { community: '丹东社区' });
    await harness.enrol(OTHER_MONITOR, 'monitor', { community: '丹西社区' });
    await harness.enrol(LIAISON, 'liaison', { agency: 'AUD' });
    await harness.enrol(ORG_LIAISON, 'liaison', { agency: 'ORG', language: 'en' });
    await harness.enrol(OFFICER, 'officer');
  });
  afterAll(() => harness.close());
  beforeEach(async () => {
    // Each test starts after the duplicate and flood windows of the previous ones.
    harness.clock.advance(2 * 60 * 60 * 1000);
    await harness.db.delete(settings);
  });

  it("stores a monitor's one-line tip and replies with its number, the code in words and what happens next", async () => {
    const replies = await harness.send(
      textMessage(user(MONITOR), '/tip F-HPZ 镇长在防波堤工程中指定施工方，金额约300万元'),
    );
    const receipt = replies.find((reply) => reply.chatId === MONITOR);
    const [item] = await harness.db
      .select()
      .from(items)
      .where(inArray(items.id, await reportedItemIds(harness.db, MONITOR)));
    expect(item).toBeDefined();
    expect(receipt?.text).toContain(`#${item?.id}`);
    expect(receipt?.text).toContain('财权');
    expect(receipt?.text).toContain('鹤浦镇');
    expect(receipt?.text).toContain('干部科');
    expect(receipt?.ref).toBe(`receipt:${item?.id}`);
    expect(item).toMatchObject({
      kind: 'tip',
      sourceKind: 'monitor',
      sourceAgency: null,
      signed: true,
      domain: 'F',
      unitCode: 'HPZ',
      text: '镇长在防波堤工程中指定施工方，金额约300万元',
      mustInvestigate: true,
      status: 'new',
    });
    expect(item?.reasons).toEqual(['specific_content', 'signed_or_contactable']);
    expect(item?.triageDueAt).not.toBeNull();
    const [person] = await harness.db.select().from(people).where(eq(people.telegramId, MONITOR));
    expect(person?.lastReportedAt).not.toBeNull();
    const audits = await harness.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.itemId, item?.id ?? 0));
    expect(audits.map((entry) => entry.action)).toContain('item.created');
    expect(JSON.stringify(audits)).not.toContain('防波堤');
  });

  it('alerts the section chat with number, code, domain, unit and priority, and no text or reporter', async () => {
    await setSectionChat(harness.db, {
      chatId: SECTION_CHAT,
      title: '干部科',
      boundBy: ADMIN,
      boundAt: new Date().toISOString(),
    });
    const replies = await harness.send(
      textMessage(
        user(MONITOR, { name: '王秘密', username: 'wang_secret' }),
        '/tip P-DXZ 书记在上周五的干部调整中未经集体讨论',
      ),
    );
    const alert = replies.find((reply) => reply.chatId === SECTION_CHAT);
    const [item] = await harness.db.select().from(items).where(eq(items.unitCode, 'DXZ'));
    expect(alert?.text).toContain(`#${item?.id}`);
    expect(alert?.text).toContain('P-DXZ');
    expect(alert?.text).toContain('用人权');
    expect(alert?.text).toContain('大徐镇');
    expect(alert?.text).toContain('紧急');
    for (const secret of ['书记', '干部调整', '王秘密', 'wang_secret', String(MONITOR), '丹东']) {
      expect(JSON.stringify(alert?.payload)).not.toContain(secret);
    }
    const markup = alert?.payload.reply_markup as
      | { inline_keyboard: Array<Array<{ url: string }>> }
      | undefined;
    const button = markup?.inline_keyboard[0]?.[0];
    expect(button?.url).toBe(`https://t.me/liaison_test_bot?start=show-${item?.id}`);
    // With a chat bound, nobody is alerted privately.
    expect(replies.filter((reply) => reply.chatId === OFFICER || reply.chatId === ADMIN)).toHaveLength(0);
  });

  it('alerts every admin and officer privately when no section chat is bound', async () => {
    const replies = await harness.send(
      textMessage(user(MONITOR), '/tip D-SPZ 镇长独自决定了码头项目的承包方'),
    );
    const chats = replies.filter((reply) => reply.ref?.startsWith('alert:')).map((reply) => reply.chatId);
    expect(chats.sort()).toEqual([OFFICER, ADMIN].sort());
  });

  it('sends an item about ZZB to the admins only, never to the section chat', async () => {
    await setSectionChat(harness.db, {
      chatId: SECTION_CHAT,
      title: '干部科',
      boundBy: ADMIN,
      boundAt: new Date().toISOString(),
    });
    const replies = await harness.send(
      textMessage(user(MONITOR), '/tip P-ZZB 部里干部调整时有人打招呼，金额5000元'),
    );
    const [item] = await harness.db.select().from(items).where(eq(items.unitCode, 'ZZB'));
    expect(item?.adminsOnly).toBe(true);
    expect(replies.filter((reply) => reply.chatId === SECTION_CHAT)).toHaveLength(0);
    expect(replies.filter((reply) => reply.chatId === OFFICER)).toHaveLength(0);
    const adminAlert = replies.find((reply) => reply.chatId === ADMIN);
    expect(adminAlert?.text).toContain(`#${item?.id}`);
    expect(adminAlert?.text).not.toContain('打招呼');
  });

  it("records an AUD liaison's notice with the agency and the document number kept apart", async () => {
    const replies = await harness.send(
      textMessage(user(LIAISON), '/notice F-CZJ 〔2019〕12号 审计发现局长一支笔审批专项资金，未经集体研究'),
    );
    const [item] = await harness.db.select().from(items).where(eq(items.kind, 'notice'));
    expect(item).toMatchObject({
      kind: 'notice',
      sourceKind: 'liaison',
      sourceAgency: 'AUD',
      unitCode: 'CZJ',
      reference: '〔2019〕12号',
      text: '审计发现局长一支笔审批专项资金，未经集体研究',
    });
    expect(item && reporterIdOf(item)).toBe(LIAISON);
    expect(replies.find((reply) => reply.chatId === LIAISON)?.text).toContain(`#${item?.id}`);
  });

  it("records a liaison's tip as from a liaison, without their agency, and treats an ORG notice as found in inspection", async () => {
    await harness.send(textMessage(user(LIAISON), '/tip S-JXJD 街道主任经常在工作日中午饮酒'));
    const [tip] = await harness.db.select().from(items).where(eq(items.unitCode, 'JXJD'));
    // One liaison per agency: the agency of a personal tip would name the person (issue 14). A notice
    // is the agency's own information and keeps it.
    expect(tip).toMatchObject({ kind: 'tip', sourceKind: 'liaison', sourceAgency: null });
    const replies = await harness.send(
      textMessage(user(ORG_LIAISON, { lang: 'en' }), '/notice O-XZZ 镇长述职材料与实际不符'),
    );
    const [notice] = await harness.db.select().from(items).where(eq(items.unitCode, 'XZZ'));
    expect(notice?.reasons).toContain('found_in_inspection');
    expect(replies.find((reply) => reply.chatId === ORG_LIAISON)?.text).toContain(
      `Received as #${notice?.id}`,
    );
  });

  it('refuses /notice from a monitor and /log from a liaison, storing nothing', async () => {
    const before = await countRows(harness);
    const [notice] = await harness.send(textMessage(user(MONITOR), '/notice F-CZJ 监督员不能发通报'));
    const [log] = await harness.send(
      textMessage(user(LIAISON), '/log hotline F-CZJ anonymous 联络员不能登记'),
    );
    expect(notice?.text).toContain('身份不能使用');
    expect(log?.text).toContain('身份不能使用');
    expect(await countRows(harness)).toEqual(before);
  });

  it("records an officer's anonymous hotline report with no reporter", async () => {
    const replies = await harness.send(
      textMessage(user(OFFICER), '/log hotline P-DXZ anonymous 来电反映镇党委书记在干部调整中未经集体讨论'),
    );
    const [item] = await harness.db.select().from(items).where(eq(items.kind, 'report'));
    expect(item).toMatchObject({
      sourceKind: 'hotline',
      signed: false,
      reporterSealed: null,
      unitCode: 'DXZ',
      domain: 'P',
    });
    const reply = replies.find(
      (message) => message.chatId === OFFICER && message.ref === `receipt:${item?.id}`,
    );
    expect(reply?.text).toContain(`#${item?.id}`);
    expect(reply?.text).toContain('匿名');
  });

  it('records a signed mailbox report, with Chinese words accepted for source and signedness', async () => {
    await harness.send(
      textMessage(user(OFFICER), '/log 信箱 I-TCZ 署名 来信反映镇长家属经营的公司承接了镇里的工程'),
    );
    const [item] = await harness.db.select().from(items).where(eq(items.unitCode, 'TCZ'));
    expect(item).toMatchObject({ sourceKind: 'mailbox', signed: true, reporterSealed: null });
    expect(item?.reasons).toContain('signed_or_contactable');
  });

  it('makes a photo whose caption starts with a code a tip with one attachment', async () => {
    const replies = await harness.send(photoMessage(user(MONITOR), 'I-GTDX 乡长收受工程老板赠送的购物卡'));
    const [item] = await harness.db.select().from(items).where(eq(items.unitCode, 'GTDX'));
    expect(item?.text).toBe('乡长收受工程老板赠送的购物卡');
    const attachments = await harness.db
      .select()
      .from(itemAttachments)
      .where(eq(itemAttachments.itemId, item?.id ?? 0));
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ fileKind: 'photo', fileSize: 141_887 });
    expect(replies.find((reply) => reply.chatId === MONITOR)?.text).toContain(`#${item?.id}`);
  });

  it('does not treat a photo without a code caption as a tip', async () => {
    const before = await countRows(harness);
    await harness.send(photoMessage(user(MONITOR), '随手拍'));
    await harness.send(documentMessage(user(MONITOR), 'a.pdf'));
    expect(await countRows(harness)).toEqual(before);
  });

  it('keeps the same text sent twice within a minute as one item, and says it was already received', async () => {
    const text = '/tip F-QTZ 镇长在3月5日用公款宴请';
    await harness.send(textMessage(user(MONITOR), text));
    harness.clock.advance(30_000);
    const replies = await harness.send(textMessage(user(MONITOR), text));
    const stored = await harness.db.select().from(items).where(eq(items.unitCode, 'QTZ'));
    expect(stored).toHaveLength(1);
    expect(replies[0]?.text).toContain(`#${stored[0]?.id}`);
    expect(replies[0]?.text).toContain('已经收到过');
    // After the minute, the same text is a new item.
    harness.clock.advance(61_000);
    await harness.send(textMessage(user(MONITOR), text));
    expect(await harness.db.select().from(items).where(eq(items.unitCode, 'QTZ'))).toHaveLength(2);
  });

  it('refuses a 21st item within an hour with a clear message', async () => {
    for (let index = 0; index < 20; index += 1) {
      await harness.send(textMessage(user(OTHER_MONITOR), `/tip O-MYX 第${index}条信息`));
      harness.clock.advance(1000);
    }
    const [refusal] = await harness.send(textMessage(user(OTHER_MONITOR), '/tip O-MYX 第二十一条信息'));
    expect(refusal?.text).toContain('一小时');
    expect(
      await harness.db
        .select()
        .from(items)
        .where(inArray(items.id, await reportedItemIds(harness.db, OTHER_MONITOR))),
    ).toHaveLength(20);
    expect(await rowsContaining(harness, '第二十一条信息')).toBe(0);
  });

  const rejected: Array<[string, string, string[]]> = [
    ['/tip F-HPZ', '缺少内容', []],
    ['/tip X-HPZ 秘密线索甲', '没有“X”这个领域', []],
    ['/tip F-HPX 秘密线索乙', '您是不是要找', ['HPZ 鹤浦镇']],
    ['/tip 鹤浦镇镇长秘密线索丙', '不是有效的编码', []],
    ['/tip F-鹤浦镇镇长在工程中收钱秘密线索庚 其他', '没有找到编码里的单位', []],
    ['/notice F-CZJ 〔2019〕12号', '缺少内容', []],
    ['/log phone? F-CZJ anonymous 秘密线索丁', 'hotline', []],
    ['/log hotline F-CZJ maybe 秘密线索戊', 'anonymous', []],
    ['/log hotline F-NOPE anonymous 秘密线索己', '没有找到单位', []],
  ];
  for (const [input, expected, extra] of rejected) {
    it(`rejects "${input.slice(0, 20)}" storing nothing, saying what is wrong with an example`, async () => {
      const sender = input.startsWith('/notice') ? LIAISON : input.startsWith('/log') ? OFFICER : MONITOR;
      const before = await countRows(harness);
      const [reply] = await harness.send(textMessage(user(sender), input));
      expect(reply?.text).toContain(expected);
      expect(reply?.text).toContain('正确写法示例');
      for (const text of extra) expect(reply?.text).toContain(text);
      expect(await countRows(harness)).toEqual(before);
      const secret = /秘密线索./u.exec(input)?.[0];
      if (secret) expect(await rowsContaining(harness, secret)).toBe(0);
    });
  }

  it('rejects a text over 4000 characters in English for an English speaker, storing nothing', async () => {
    const before = await countRows(harness);
    const [reply] = await harness.send(
      textMessage(user(MONITOR, { lang: 'en' }), `/tip F-HPZ ${'长'.repeat(4001)}`),
    );
    expect(reply?.text).toContain('too long: 4001');
    expect(reply?.text).toContain('/tip F-HPZ');
    expect(await countRows(harness)).toEqual(before);
    expect(await rowsContaining(harness, '长'.repeat(50))).toBe(0);
  });

  it('never logs or queues anything naming the reporter for the section', async () => {
    const rows = await harness.db.select().from(outbox);
    const toSection = rows.filter((row) => row.chatId === SECTION_CHAT);
    expect(toSection.length).toBeGreaterThan(0);
    for (const row of toSection) expect(JSON.stringify(row.payload)).not.toMatch(/1001|王秘密|丹东/u);
  });
});
