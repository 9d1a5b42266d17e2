import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../../src/db/schema.js';
import { getSectionChat } from '../../../src/settings.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { callbackQuery, groupAddedMessage, myChatMember, textMessage, user } from '../../support/updates.js';

const ADMIN = 900;
const GROUP = { id: -1001, type: 'supergroup' as const, title: '干部科' };
const OTHER = { id: -1002, type: 'supergroup' as const, title: '别的群' };

describe('the section chat and groups', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await harness.enrol(401, 'officer');
    await harness.enrol(402, 'monitor', { community: '丹东街道' });
  });
  afterAll(() => harness.close());

  it('leaves a group that a non-admin added it to', async () => {
    for (const by of [401, 499]) {
      const queued = await harness.send(myChatMember(OTHER, user(by), 'member'));
      expect(queued.map((message) => [message.method, message.chatId])).toEqual([['leaveChat', OTHER.id]]);
      expect(queued[0]?.payload).toEqual({ chat_id: OTHER.id });
    }
    const left = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'group.left'));
    expect(left).toHaveLength(2);
  });

  it('stays in a group an admin added it to, with a note to send /bindchat', async () => {
    const queued = await harness.send(myChatMember(GROUP, user(ADMIN), 'member'));
    expect(queued).toHaveLength(1);
    expect(queued[0]?.chatId).toBe(GROUP.id);
    expect(queued[0]?.text).toContain('/bindchat');
    expect(await harness.send(groupAddedMessage(GROUP, user(ADMIN)))).toEqual([]);
  });

  it('answers nothing to /bindchat from a non-admin and binds nothing', async () => {
    // A refusal in a group would tell every member who is enrolled ("not for your role") and who is not.
    expect(await harness.send(textMessage(user(401), '/bindchat', { chat: GROUP }))).toEqual([]);
    expect(await harness.send(textMessage(user(498), '/bindchat', { chat: GROUP }))).toEqual([]);
    expect(await getSectionChat(harness.db)).toBeNull();
  });

  it('stays silent in a group that is not the section chat', async () => {
    expect(await harness.send(textMessage(user(401), '/help', { chat: GROUP }))).toEqual([]);
    expect(await harness.send(textMessage(user(499), '大家好', { chat: GROUP }))).toEqual([]);
    const pressed = await harness.send(callbackQuery(user(401), 'x|1', { chatId: GROUP.id }));
    expect(pressed.map((message) => [message.method, message.payload.text])).toEqual([
      ['answerCallbackQuery', undefined],
    ]);
  });

  it('binds the group on an admin’s /bindchat and audits it', async () => {
    const [reply] = await harness.send(textMessage(user(ADMIN), '/bindchat', { chat: GROUP }));
    expect(reply?.chatId).toBe(GROUP.id);
    expect(reply?.text).toContain('干部科工作群');
    expect(await getSectionChat(harness.db)).toMatchObject({
      chatId: GROUP.id,
      title: '干部科',
      boundBy: null,
    });
    const [entry] = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'section_chat.bound'));
    expect(entry).toMatchObject({ actorId: ADMIN, details: { chatId: GROUP.id } });
    const [again] = await harness.send(textMessage(user(ADMIN), '/bindchat', { chat: GROUP }));
    expect(again?.text).toContain('已经是');
  });

  it('answers nothing in the section chat either, enrolled or not: no enrolment oracle, no item there', async () => {
    for (const command of ['/help', '/my', '/queue', '/show 1', '/start']) {
      expect(await harness.send(textMessage(user(401), command, { chat: GROUP }))).toEqual([]);
      expect(await harness.send(textMessage(user(402), command, { chat: GROUP }))).toEqual([]);
      expect(await harness.send(textMessage(user(497), command, { chat: GROUP }))).toEqual([]);
    }
    // A modified client can send any callback data: `q.s` (show an item) only stops the spinner.
    const pressed = await harness.send(callbackQuery(user(401), 'q.s|1', { chatId: GROUP.id }));
    expect(pressed.map((message) => [message.method, message.chatId, message.payload.text])).toEqual([
      ['answerCallbackQuery', 0, undefined],
    ]);
  });

  it('moves the binding on /bindchat in another group and tells the old one', async () => {
    const queued = await harness.send(textMessage(user(ADMIN), '/bindchat', { chat: OTHER }));
    expect(queued.map((message) => message.chatId)).toEqual([OTHER.id, GROUP.id]);
    expect(queued[1]?.text).toContain('改设');
    expect((await getSectionChat(harness.db))?.chatId).toBe(OTHER.id);
    expect(await harness.send(textMessage(user(401), '/help', { chat: GROUP }))).toEqual([]);
  });

  it('follows the section chat when its group becomes a supergroup', async () => {
    const migrated = {
      message: {
        message_id: 1,
        from: user(ADMIN),
        chat: OTHER,
        date: 0,
        migrate_to_chat_id: -1009,
      },
    };
    expect(await harness.send(migrated)).toEqual([]);
    expect((await getSectionChat(harness.db))?.chatId).toBe(-1009);
  });

  it('tells an admin who sends /bindchat in private where to send it', async () => {
    const [reply] = await harness.send(textMessage(user(ADMIN), '/bindchat'));
    expect(reply?.chatId).toBe(ADMIN);
    expect(reply?.text).toContain('/bindchat');
  });
});
