// Issue #3, acceptance 1 and 3, through the real process and the fake Bot API: invites, redemption,
// used and expired tokens, strangers whose text must leave no trace, revocation, and groups.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramIdOfPersonNumber } from '../../src/crypto/person-numbers.js';
import { queryRows } from '../../src/db/client.js';
import { invites } from '../../src/db/schema.js';
import { hashToken, newToken } from '../../src/people/invites.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, rowsHolding, textOf, tokenIn } from '../support/e2e-session.js';
import { groupAddedMessage, myChatMember, textMessage, user } from '../support/updates.js';

const admin = user(9100, { name: '赵部长' });
const monitor = user(9201, { name: '丹东信息员' });
const latecomer = user(9202, { name: '第二人' });
const holderOfOldLink = user(9203);
const stranger = user(9204, { name: '陌生人' });
const officer = user(9205, { name: '干部科小王' });
const outsider = user(9206, { name: '群主' });
const FOREIGN_GROUP = { id: -100_555_001, type: 'supergroup' as const, title: '某某闲聊群' };
const SECTION_GROUP = { id: -100_555_002, type: 'supergroup' as const, title: '干部科' };
// A marker no text of the bot contains, in both scripts, to find the stranger's text anywhere.
const MARKER_LATIN = 'QX7Z-STRANGER-MARK';
const MARKER_ZH = '镇长在女儿婚宴上收受礼金约八万元';
const EXPIRED_TOKEN = newToken();

// Each step waits on a real process; on a loaded 2-core machine a PGlite restart alone can take seconds.
/** A person column as stored (a person number, src/crypto/person-numbers.ts) read back as the Telegram id. */
const idOf = (value: unknown): number => telegramIdOfPersonNumber(Number(value), 'a person column');

describe(`people and access through the real process on ${testDatabaseKind}`, { timeout: 120_000 }, () => {
  let session: E2eSession;
  let token = '';

  beforeAll(async () => {
    // An invite that expired an hour ago: the process's clock cannot be moved, so the row is made so.
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id) }, async (db) => {
      const hourAgo = Date.now() - 3_600_000;
      await db.insert(invites).values({
        tokenHash: hashToken(EXPIRED_TOKEN),
        role: 'monitor',
        community: '丹西社区',
        createdBy: admin.id,
        createdAt: new Date(hourAgo - 72 * 3_600_000),
        expiresAt: new Date(hourAgo),
      });
    });
    await session.start();
  }, 240_000);
  afterAll(() => session.dispose());

  it('an admin invites a monitor, and the link enrols them with the monitor command menu', async () => {
    const invite = await session.say(admin, '/invite monitor 丹东社区');
    expect(textOf(invite)).toContain('丹东社区');
    token = tokenIn(textOf(invite), session.api.botUser.username);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(textOf(invite)).toContain(`https://t.me/liaison_test_bot?start=${token}`);

    const mark = session.mark();
    const welcome = await session.say(monitor, `/start ${token}`);
    expect(textOf(welcome)).toContain('欢迎！您已登记为：社区干部监督信息员');
    expect(textOf(welcome)).toContain('丹东社区');
    const menu = await session.after(
      mark,
      (call) =>
        call.method === 'setMyCommands' &&
        JSON.stringify(call.params.scope) === JSON.stringify({ type: 'chat', chat_id: monitor.id }),
    );
    const commands = (menu.params.commands as Array<{ command: string }>).map((c) => c.command);
    expect(commands).toEqual(expect.arrayContaining(['tip', 'my', 'add', 'cancel', 'help']));
    expect(commands).not.toContain('invite');
    expect(commands).not.toContain('queue');
    expect(commands).not.toContain('notice');
  });

  it('a second redemption of the same link fails, and its holder stays unknown', async () => {
    const refused = await session.say(latecomer, `/start ${token}`);
    expect(textOf(refused)).toContain('这个邀请链接已经被使用过了');
    expect(textOf(refused)).toContain('您的登记情况没有任何变化');
    const tip = await session.say(latecomer, '/tip F-HPZ 镇长指定施工方');
    expect(textOf(tip)).toContain('您尚未登记');
    expect(
      session.api.calls.some((c) => JSON.stringify(c.params.scope ?? '').includes(`${latecomer.id}`)),
    ).toBe(false);
  });

  it('an expired link fails and enrols nobody', async () => {
    const refused = await session.say(holderOfOldLink, `/start ${EXPIRED_TOKEN}`);
    expect(textOf(refused)).toContain('这个邀请链接已过期');
    const tip = await session.say(holderOfOldLink, '/tip F-HPZ 镇长指定施工方');
    expect(textOf(tip)).toContain('您尚未登记');
  });

  it('the database agrees: one enrolment, both invites as they were, failed uses audited', async () => {
    const state = await session.withDatabase(async (db) => ({
      people: await queryRows<{ id: unknown; role: string }>(
        db,
        sql`select telegram_id as id, role from people order by telegram_id`,
      ),
      invites: await queryRows<{ hash: string; used_by: unknown; used: boolean }>(
        db,
        sql`select token_hash as hash, used_by, used_at is not null as used from invites order by id`,
      ),
      failed: await queryRows<{ actor: unknown; reason: string }>(
        db,
        sql`select actor_id as actor, details->>'reason' as reason from audit_log
            where action = 'invite.failed' order by id`,
      ),
    }));
    expect(state.people.map((p) => [idOf(p.id), p.role])).toEqual([[monitor.id, 'monitor']]);
    const fresh = state.invites.find((row) => row.hash === hashToken(token));
    expect(fresh && idOf(fresh.used_by)).toBe(monitor.id);
    const expired = state.invites.find((row) => row.hash === hashToken(EXPIRED_TOKEN));
    expect(expired?.used).toBe(false);
    expect(state.failed.map((row) => idOf(row.actor))).toEqual([latecomer.id, holderOfOldLink.id]);
  });

  it("a stranger's /tip is refused and its text is stored nowhere, nor logged", async () => {
    const reply = await session.say(stranger, `/tip F-HPZ ${MARKER_LATIN} ${MARKER_ZH}`);
    expect(textOf(reply)).toContain('您尚未登记');
    expect(textOf(reply)).toContain('您刚才发送的内容没有被保存');
    // Also as plain text, which no feature owns.
    const plain = await session.say(stranger, `${MARKER_ZH}，${MARKER_LATIN}`);
    expect(textOf(plain)).toContain('您尚未登记');
    await session.settle();
    // On PGlite this stops the process first, so whatever it would write is written.
    const found = await session.withDatabase(async (db) => ({
      latin: await rowsHolding(db, MARKER_LATIN),
      zh: await rowsHolding(db, MARKER_ZH),
      // The scan itself must be able to find things, in jsonb too: the expired link's audit row.
      control: await rowsHolding(db, 'expired'),
    }));
    expect(found.latin).toEqual({});
    expect(found.zh).toEqual({});
    expect(found.control).toMatchObject({ 'public.audit_log': 1 });
    expect(session.output()).not.toContain(MARKER_LATIN);
    expect(session.output()).not.toContain(MARKER_ZH);
    for (const call of session.api.calls) expect(JSON.stringify(call.params)).not.toContain(MARKER_LATIN);
  });

  it('a revoked person is refused on their next message, and their menu is removed', async () => {
    const mark = session.mark();
    const done = await session.say(admin, `/revoke ${monitor.id}`);
    expect(textOf(done)).toContain(`ID ${monitor.id}`);
    expect(textOf(done)).toContain('立即生效');
    await session.after(
      mark,
      (call) =>
        call.method === 'deleteMyCommands' &&
        JSON.stringify(call.params.scope) === JSON.stringify({ type: 'chat', chat_id: monitor.id }),
    );
    const my = await session.say(monitor, '/my');
    expect(textOf(my)).toContain('您尚未登记');
    const tip = await session.say(monitor, '/tip F-HPZ 镇长指定施工方');
    expect(textOf(tip)).toContain('您尚未登记');
  });

  it('leaves a group that someone other than an admin added it to, saying nothing there', async () => {
    const mark = session.mark();
    // Telegram reports an addition twice: as a membership change and as a service message.
    session.api.pushUpdate(myChatMember(FOREIGN_GROUP, outsider, 'member'));
    session.api.pushUpdate(groupAddedMessage(FOREIGN_GROUP, outsider));
    const left = await session.after(mark, (call) => call.method === 'leaveChat');
    expect(left.params.chat_id).toBe(FOREIGN_GROUP.id);
    // A command in that group before Telegram processed the leave is ignored too.
    session.api.pushUpdate(textMessage(outsider, '/help', { chat: FOREIGN_GROUP }));
    await session.settle();
    expect(session.api.sent(FOREIGN_GROUP.id)).toEqual([]);
  });

  it('/bindchat binds the group for an admin; anyone else gets nothing there (a refusal would tell the group who is enrolled)', async () => {
    await session.enrol(admin, officer, 'officer');
    const mark = session.mark();
    session.api.pushUpdate(myChatMember(SECTION_GROUP, admin, 'administrator'));
    const greeting = await session.messageTo(SECTION_GROUP.id, mark);
    expect(textOf(greeting)).toContain('/bindchat');

    const others = session.mark();
    session.api.pushUpdate(textMessage(officer, '/bindchat', { chat: SECTION_GROUP }));
    session.api.pushUpdate(textMessage(stranger, '/bindchat', { chat: SECTION_GROUP }));
    const byAdmin = await session.say(admin, '/bindchat', { chat: SECTION_GROUP });
    // The admin's answer is the only message the group got since the others' attempts.
    expect(
      session.api.calls.filter(
        (call) =>
          call.seq > others && call.method === 'sendMessage' && call.params.chat_id === SECTION_GROUP.id,
      ),
    ).toHaveLength(1);
    expect(textOf(byAdmin)).toContain('本群已设为干部科工作群');

    const bound = await session.withDatabase(async (db) => ({
      setting: await queryRows<{ chat: unknown }>(
        db,
        sql`select value->>'chatId' as chat from settings where key = 'section_chat'`,
      ),
      audits: await queryRows<{ actor: unknown }>(
        db,
        sql`select actor_id as actor from audit_log where action = 'section_chat.bound'`,
      ),
    }));
    expect(bound.setting.map((row) => Number(row.chat))).toEqual([SECTION_GROUP.id]);
    expect(bound.audits.map((row) => idOf(row.actor))).toEqual([admin.id]);
  });
});
