import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

describe('the assembled bot: language, ADMIN_IDS and the fallback for strangers', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: '900' });
  });
  afterAll(() => harness.close());

  it('tells an unknown person in Chinese how to be enrolled', async () => {
    const [reply] = await harness.send(textMessage(user(11), '/start'));
    expect(reply?.chatId).toBe(11);
    expect(reply?.text).toContain('邀请链接');
  });

  it('answers in English when the Telegram language is English', async () => {
    const [reply] = await harness.send(textMessage(user(12, { lang: 'en-GB' }), '/help'));
    expect(reply?.text).toContain('invite link');
  });

  it('treats ADMIN_IDS as admins from the first start', async () => {
    const [reply] = await harness.send(textMessage(user(900, { lang: 'en' }), '/help'));
    expect(reply?.text).toContain('administrator');
  });

  it('refuses a stranger who writes text, without keeping it', async () => {
    const [reply] = await harness.send(textMessage(user(13), 'F-HPZ 秘密内容'));
    expect(reply?.text).toContain('没有被保存');
  });
});
