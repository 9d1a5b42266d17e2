import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDeepLink } from '../../../src/bot/deep-links.js';
import { auditLog, invites, people } from '../../../src/db/schema.js';
import { hashToken } from '../../../src/people/invites.js';
import { createHarness, type Harness, type QueuedMessage } from '../../support/harness.js';
import { textMessage, user } from '../../support/updates.js';

const ADMIN = 900;

function tokenOf(messages: QueuedMessage[]): string {
  const match = /https:\/\/t\.me\/liaison_test_bot\?start=([A-Za-z0-9_-]+)/.exec(messages[0]?.text ?? '');
  if (!match?.[1]) throw new Error(`no invite link in ${JSON.stringify(messages.map((m) => m.text))}`);
  return match[1];
}

describe('enrolment through /start <token>', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
  });
  afterAll(() => harness.close());

  const invite = async (args: string) =>
    tokenOf(await harness.send(textMessage(user(ADMIN), `/invite ${args}`)));

  it('enrols a monitor, sends their menu in chat scope, and tells the inviting admin', async () => {
    const token = await invite('monitor 丹东街道东门社区');
    expect(token.length).toBeGreaterThanOrEqual(22);
    expect(token.length).toBeLessThanOrEqual(64);
    const [stored] = await harness.db.select().from(invites);
    expect(stored?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    const monitor = user(201, { name: '王芳', username: 'wangfang' });
    const queued = await harness.send(textMessage(monitor, `/start ${token}`));
    const menu = queued.find((message) => message.method === 'setMyCommands');
    expect(menu?.payload.scope).toEqual({ type: 'chat', chat_id: 201 });
    expect(menu?.payload.language_code).toBeUndefined();
    const commands = ((menu?.payload.commands ?? []) as Array<{ command: string }>).map((c) => c.command);
    expect(commands).toContain('help');
    expect(commands).not.toContain('invite');
    const reply = queued.find((message) => message.chatId === 201 && message.method === 'sendMessage');
    expect(reply?.text).toContain('社区干部监督信息员');
    expect(reply?.text).toContain('丹东街道东门社区');
    expect(reply?.text).toContain('/help');
    const notice = queued.find((message) => message.chatId === ADMIN);
    expect(notice?.text).toContain('王芳');

    const [row] = await harness.db.select().from(people).where(eq(people.telegramId, 201));
    expect(row).toMatchObject({
      role: 'monitor',
      community: '丹东街道东门社区',
      displayName: '王芳',
      username: 'wangfang',
    });
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'person.enrolled'));
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toContain(token);
  });

  it('refuses a second redemption of the same token and changes nothing', async () => {
    const token = await invite('officer');
    await harness.send(textMessage(user(202), `/start ${token}`));
    const before = await harness.db.select().from(people).orderBy(people.telegramId);
    const [reply] = await harness.send(textMessage(user(203, { lang: 'en' }), `/start ${token}`));
    expect(reply?.text).toContain('already been used');
    expect(await harness.db.select().from(people).orderBy(people.telegramId)).toEqual(before);
    const failed = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'invite.failed'));
    expect(failed.at(-1)).toMatchObject({ actorId: 203, details: { reason: 'used' } });
  });

  it('refuses an expired token (72 h by the bot clock)', async () => {
    const token = await invite('liaison 审计局');
    harness.clock.advance(72 * 60 * 60 * 1000 + 1000);
    try {
      const [reply] = await harness.send(textMessage(user(204), `/start ${token}`));
      expect(reply?.text).toContain('已过期');
      expect(await harness.db.select().from(people).where(eq(people.telegramId, 204))).toHaveLength(0);
    } finally {
      harness.clock.set(new Date());
    }
  });

  it('accepts a token just before it expires, with the agency it names', async () => {
    const token = await invite('liaison aud');
    harness.clock.advance(71 * 60 * 60 * 1000);
    try {
      const [reply] = await harness.send(textMessage(user(205, { lang: 'en' }), `/start ${token}`));
      expect(reply?.text).toContain('joint-meeting agency liaison');
      expect(reply?.text).toContain('AUD Audit Bureau');
    } finally {
      harness.clock.set(new Date());
    }
  });

  it('says a made-up token is not valid', async () => {
    const [reply] = await harness.send(textMessage(user(206), '/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expect(reply?.text).toContain('无效');
    const [odd] = await harness.send(textMessage(user(206), '/start hello'));
    expect(odd?.text).toContain('无效');
  });

  it('leaves an invite alone when a configured admin opens it', async () => {
    const token = await invite('officer');
    const [reply] = await harness.send(textMessage(user(ADMIN), `/start ${token}`));
    expect(reply?.text).toContain('ADMIN_IDS');
    const [enrolled] = await harness.send(textMessage(user(207), `/start ${token}`));
    expect(enrolled?.text).toContain('干部科工作人员');
  });

  it('hands registered deep links to their feature, checking its audience first', async () => {
    const opened: string[] = [];
    registerDeepLink('probe', {
      audience: ['officer', 'admin'],
      handle: (_ctx, argument) => void opened.push(argument),
    });
    await harness.send(textMessage(user(ADMIN), '/start probe-12'));
    expect(opened).toEqual(['12']);
    const [refused] = await harness.send(textMessage(user(208), '/start probe-13'));
    expect(refused?.text).toContain('尚未登记');
    expect(opened).toEqual(['12']);
  });

  it('re-sends an enrolled person their menu on plain /start', async () => {
    const queued = await harness.send(textMessage(user(201), '/start'));
    expect(queued.some((message) => message.method === 'setMyCommands')).toBe(true);
    const stranger = await harness.send(textMessage(user(209), '/start'));
    expect(stranger.map((message) => message.method)).toEqual(['sendMessage']);
  });

  it('makes exactly one of two simultaneous redemptions win', async () => {
    const token = await invite('officer');
    const results = await Promise.all([
      harness.send(textMessage(user(210), `/start ${token}`)),
      harness.send(textMessage(user(211), `/start ${token}`)),
    ]);
    const enrolled = await harness.db.select().from(people).where(eq(people.role, 'officer'));
    const ids = enrolled.map((row) => row.telegramId).filter((id) => id === 210 || id === 211);
    expect(ids).toHaveLength(1);
    // Both concurrent sends see every new row; count each queued message once.
    const unique = new Map(results.flat().map((message) => [message.id, message]));
    expect([...unique.values()].filter((message) => message.text.includes('已经被使用过了'))).toHaveLength(1);
  });
});

describe('what /start and /help say first (issue 18)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(7301, 'monitor', { community: '丹东社区' });
  });
  afterAll(() => harness.close());

  it('tells a stranger their Telegram id, in their language, and stores nothing of theirs', async () => {
    const [zh] = await harness.send(textMessage(user(7302), '/start'));
    expect(zh?.text).toContain('您的 Telegram 用户 ID：<code>7302</code>');
    const [en] = await harness.send(textMessage(user(7303, { lang: 'en' }), '/start'));
    expect(en?.text).toContain('Your Telegram user id: <code>7303</code>');
  });

  it('shows a reporter how to report, with an example, before the command list', async () => {
    const [help] = await harness.send(textMessage(user(7301), '/help'));
    expect(help?.text).toContain('发送 /tip，按提示一步步选择和填写即可');
    expect(help?.text).toContain('<code>/tip F-HPZ');
  });
});
