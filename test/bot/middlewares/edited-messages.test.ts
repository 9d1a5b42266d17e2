import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { items } from '../../../src/db/schema.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { editedMessage, textMessage, user } from '../../support/updates.js';

const MONITOR = 6101;
const OFFICER = 6102;
const GROUP = { id: -100_6100, type: 'supergroup' as const, title: '干部科' };

describe('an edited message', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(MONITOR, 'monitor', { community: '东门社区' });
    await harness.enrol(OFFICER, 'officer');
  });
  afterAll(() => harness.close());

  it("is answered once, in the person's language, and changes nothing that was sent", async () => {
    await harness.send(textMessage(user(MONITOR), '/tip F-HPZ 镇长指定施工方，知情人张三'));
    const before = await harness.db.select().from(items);
    const edit = editedMessage(user(MONITOR), '/tip F-HPZ 镇长指定施工方', { messageId: 77 });
    const [answer, ...more] = await harness.send(edit);
    expect(more).toEqual([]);
    expect(answer?.chatId).toBe(MONITOR);
    expect(answer?.text).toContain('不会改变');
    expect(answer?.text).toContain('/add');
    // The second and third edit of the same message: nothing more.
    expect(await harness.send(editedMessage(user(MONITOR), 'x', { messageId: 77 }))).toEqual([]);
    expect(await harness.send(editedMessage(user(MONITOR), 'y', { messageId: 77 }))).toEqual([]);
    // Another message's edit is answered, in English for an English client.
    const [english] = await harness.send(
      editedMessage(user(MONITOR, { lang: 'en' }), 'z', { messageId: 78 }),
    );
    expect(english?.text).toContain('does not change what you sent');
    const [staff] = await harness.send(
      editedMessage(user(OFFICER, { lang: 'en' }), '/show 1', { messageId: 79 }),
    );
    expect(staff?.text).toContain('send the command again');
    const after = await harness.db.select().from(items);
    expect(after).toEqual(before);
  });

  it('gets nothing in a group', async () => {
    expect(await harness.send(editedMessage(user(MONITOR), 'x', { messageId: 80, chat: GROUP }))).toEqual([]);
  });
});
