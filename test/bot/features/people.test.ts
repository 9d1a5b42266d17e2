import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personNumberOf } from '../../../src/crypto/person-numbers.js';
import { queryRows } from '../../../src/db/client.js';
import { auditLog, people } from '../../../src/db/schema.js';
import { setSectionChat } from '../../../src/settings.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { callbackQuery, textMessage, user } from '../../support/updates.js';

const ADMIN = 900;

/** Every text, varchar, jsonb and bytea column of every user table, and whether any row holds `needle`. */
async function tablesHolding(harness: Harness, needle: string): Promise<string[]> {
  const columns = await queryRows<{
    table_schema: string;
    table_name: string;
    column_name: string;
    data_type: string;
  }>(
    harness.db,
    sql`select table_schema, table_name, column_name, data_type from information_schema.columns
        where table_schema not in ('pg_catalog', 'information_schema')
          and data_type in ('text', 'character varying', 'jsonb', 'json', 'bytea')`,
  );
  expect(columns.length).toBeGreaterThan(10);
  const hits: string[] = [];
  for (const column of columns) {
    const target = sql.raw(`"${column.table_schema}"."${column.table_name}"`);
    const field = sql.raw(`"${column.column_name}"`);
    const condition =
      column.data_type === 'bytea'
        ? sql`position(convert_to(${needle}, 'UTF8') in ${field}) > 0`
        : sql`${field}::text like ${`%${needle}%`}`;
    const [row] = await queryRows<{ n: number }>(
      harness.db,
      sql`select count(*)::int as n from ${target} where ${condition}`,
    );
    if (Number(row?.n) > 0) hits.push(`${column.table_name}.${column.column_name}`);
  }
  return hits;
}

describe('people and access', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
  });
  afterAll(() => harness.close());

  it('answers /invite with the deep link and how to pass it on, and audits it', async () => {
    const [reply] = await harness.send(textMessage(user(ADMIN, { lang: 'en' }), '/invite liaison 纪委'));
    expect(reply?.text).toMatch(/https:\/\/t\.me\/liaison_test_bot\?start=[A-Za-z0-9_-]{22,64}\b/);
    expect(reply?.text).toContain('CDI');
    expect(reply?.text).toContain('Invite created: a joint-meeting liaison (CDI ');
    expect(reply?.text).toContain('privately');
    const [entry] = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'invite.created'));
    expect(entry).toMatchObject({ actorId: ADMIN, details: { role: 'liaison', agency: 'CDI' } });
  });

  it('explains /invite mistakes without creating anything', async () => {
    const [usage] = await harness.send(textMessage(user(ADMIN), '/invite'));
    expect(usage?.text).toContain('/invite monitor');
    const [agency] = await harness.send(textMessage(user(ADMIN), '/invite liaison XYZ'));
    expect(agency?.text).toContain('XYZ');
    expect(agency?.text).toContain('PET');
    const [community] = await harness.send(textMessage(user(ADMIN), '/invite monitor'));
    expect(community?.text).toContain('社区');
    const [extra] = await harness.send(textMessage(user(ADMIN), '/invite officer now'));
    expect(extra?.text).toContain('用法');
    const created = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'invite.created'));
    expect(created).toHaveLength(1);
  });

  it('refuses /invite, /revoke, /people and /units to non-admins', async () => {
    await harness.enrol(301, 'officer');
    for (const command of ['/invite officer', '/revoke 1', '/people', '/units']) {
      const [reply] = await harness.send(textMessage(user(301), command));
      expect(reply?.text).toContain('您的身份不能使用');
    }
  });

  it('revokes at once: the next message is refused and the menu is reset', async () => {
    await harness.enrol(302, 'monitor', { community: '丹东街道' });
    const [before] = await harness.send(textMessage(user(302), '/help'));
    expect(before?.text).toContain('社区干部监督信息员');

    const queued = await harness.send(textMessage(user(ADMIN), '/revoke 302'));
    const deletes = queued.filter((message) => message.method === 'deleteMyCommands');
    expect(deletes.map((message) => message.payload.scope)).toContainEqual({ type: 'chat', chat_id: 302 });
    expect(queued.find((message) => message.chatId === ADMIN)?.text).toContain('302');
    const [entry] = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'person.revoked'));
    // The details name the revoked person as the columns do: by person number, not Telegram id.
    expect(entry).toMatchObject({
      actorId: ADMIN,
      details: { userId: personNumberOf(302), role: 'monitor' },
    });

    const [after] = await harness.send(textMessage(user(302), '东门社区的情况补充'));
    expect(after?.text).toContain('尚未登记');
    const [help] = await harness.send(textMessage(user(302), '/help'));
    expect(help?.text).toContain('邀请链接');
    const [row] = await harness.db.select().from(people).where(eq(people.telegramId, 302));
    expect(row?.revokedAt).toBeInstanceOf(Date);

    const [again] = await harness.send(textMessage(user(ADMIN), '/revoke 302'));
    expect(again?.text).toContain('没有 ID 为 302');
    const [self] = await harness.send(textMessage(user(ADMIN), `/revoke ${ADMIN}`));
    expect(self?.text).toContain('不能取消自己');
    const [bad] = await harness.send(textMessage(user(ADMIN), '/revoke someone'));
    expect(bad?.text).toContain('用法');
  });

  it('lists people by role with community, agency and whether they reported lately, never the day; names for admins', async () => {
    await harness.enrol(303, 'monitor', { community: '爵溪社区' });
    await harness.enrol(304, 'liaison', { agency: 'AUD' });
    await harness.db
      .update(people)
      .set({ lastReportedAt: new Date(Date.now() - 3 * 86_400_000) })
      .where(eq(people.telegramId, 304));
    await harness.send(textMessage(user(303, { name: '李明', username: 'liming' }), '/help'));
    const [reply] = await harness.send(textMessage(user(ADMIN), '/people'));
    const text = reply?.text ?? '';
    expect(text).toContain('李明 @liming');
    expect(text).toContain('爵溪社区');
    expect(text).toContain('AUD 审计局');
    // The day of a last report, matched against an item's date, would name its reporter.
    expect(text).toMatch(/单位：AUD 审计局，近 30 天有报送/);
    expect(text).toMatch(/社区：爵溪社区，近 30 天未报送/);
    const reporterLines = text.split('\n').filter((line) => /社区：|单位：/.test(line));
    expect(reporterLines).toHaveLength(2);
    for (const line of reporterLines) expect(line).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(text).toContain('已被取消权限');
    expect(text).toContain(String(ADMIN));
    expect(text.indexOf('社区干部监督信息员')).toBeLessThan(text.indexOf('联席会议成员单位联络员'));
  });

  it('keeps the profile current: language, name and username follow Telegram', async () => {
    await harness.send(textMessage(user(303, { name: 'Li', username: 'li2', lang: 'en' }), '/help'));
    const [row] = await harness.db.select().from(people).where(eq(people.telegramId, 303));
    expect(row).toMatchObject({ displayName: 'Li', username: 'li2', language: 'en' });
  });

  it('keeps the surname: 秀英 with last name 王 is 王秀英 in /people (issue 18)', async () => {
    await harness.send(textMessage(user(303, { name: '秀英', lastName: '王', username: 'xy' }), '/help'));
    const [row] = await harness.db.select().from(people).where(eq(people.telegramId, 303));
    expect(row).toMatchObject({ displayName: '王秀英' });
    const [reply] = await harness.send(textMessage(user(ADMIN), '/people'));
    expect(reply?.text).toContain('王秀英 @xy');
  });

  it('lists the unit directory in the reader’s language', async () => {
    const [zh] = await harness.send(textMessage(user(ADMIN), '/units'));
    expect(zh?.text).toContain('丹东街道');
    expect(zh?.text).toContain('HPZ');
    const [en] = await harness.send(textMessage(user(ADMIN, { lang: 'en' }), '/units'));
    expect(en?.text).toContain('Dandong Subdistrict');
  });

  it('refuses an unknown person’s tip politely and keeps its text nowhere', async () => {
    const secret = '镇长在防波堤工程中指定施工方金额约300万元秘密X7';
    const queued = await harness.send(textMessage(user(305, { name: '陌生人' }), `/tip F-HPZ ${secret}`));
    expect(queued).toHaveLength(1);
    expect(queued[0]?.text).toContain('尚未登记');
    expect(queued[0]?.text).not.toContain(secret);
    await harness.send(textMessage(user(305), secret));
    await harness.send(callbackQuery(user(305), 'x|1'));
    // The scan does find text that is stored in clear (a unit's name), so an empty result means something.
    expect((await tablesHolding(harness, '丹东街道')).some((place) => place.startsWith('units.'))).toBe(true);
    // A monitor's community names them (one per community): sealed, like their name (issue 14).
    expect(await tablesHolding(harness, '爵溪社区')).toEqual([]);
    expect(await tablesHolding(harness, '秘密X7')).toEqual([]);
    expect(await tablesHolding(harness, '陌生人')).toEqual([]);
    const anyRow = await harness.db.select().from(people).where(eq(people.telegramId, 305));
    expect(anyRow).toHaveLength(0);
  });
});

describe('/revoke with a section group bound', () => {
  let harness: Harness;
  const GROUP = -100_4242;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await setSectionChat(harness.db, { chatId: GROUP, title: '干部科', boundBy: ADMIN, boundAt: '' });
    await harness.enrol(7301, 'officer');
  });
  afterAll(() => harness.close());

  it('removes the person from the section group too (ban, then unban so they can be added back)', async () => {
    const queued = await harness.send(textMessage(user(ADMIN), '/revoke 7301'));
    const toGroup = queued.filter((message) => message.chatId === GROUP);
    expect(toGroup.map((message) => [message.method, message.payload])).toEqual([
      ['banChatMember', { chat_id: GROUP, user_id: 7301 }],
      ['unbanChatMember', { chat_id: GROUP, user_id: 7301, only_if_banned: true }],
    ]);
    const reply = queued.find((message) => message.chatId === ADMIN);
    expect(reply?.text).toContain('移出干部科工作群');
  });

  it('writes to an ADMIN_IDS admin in their Telegram language: the invite-used notice is English (issue 18)', async () => {
    const [reply] = await harness.send(textMessage(user(ADMIN, { lang: 'en' }), '/invite officer'));
    const token = /start=([A-Za-z0-9_-]+)/.exec(reply?.text ?? '')?.[1];
    expect(token).toBeTruthy();
    const sent = await harness.send(
      textMessage(user(451, { name: '敏', lastName: '李' }), `/start ${token}`),
    );
    const notice = sent.find((m) => m.chatId === ADMIN);
    expect(notice?.text).toContain('was used by 李敏');
    expect(notice?.text).not.toMatch(/[邀请已使用]{3}/);
  });
});
