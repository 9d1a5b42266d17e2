import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSection, questionIdOfRef, questionRef } from '../../src/items/notifications.js';
import { loadItemSummary } from '../../src/items/summary.js';
import { setSectionChat } from '../../src/settings.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { insertItem } from '../support/digest-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('notifications to other people', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(10, 'admin', { language: 'en' });
    await harness.enrol(11, 'officer');
  });
  afterAll(() => harness.close());

  const summary = async (values: Parameters<typeof insertItem>[1]) => {
    const item = await loadItemSummary(harness.db, await insertItem(harness.db, { text: '秘密', ...values }));
    if (!item) throw new Error('no item');
    return item;
  };

  it('alerts staff privately while no chat is bound, then the section chat; admins-only items go to admins only', async () => {
    const options = { botUsername: 'bot', adminIds: [], now: new Date(), batchMinutes: 0 };
    const open = await summary({ mustInvestigate: true, priority: 'urgent' });
    const before = new OutboxBuffer();
    await alertSection(harness.db, before, open, options);
    expect(before.messages.map((m) => m.chatId)).toEqual([10, 11]);
    expect(String(before.messages[0]?.payload.text)).toContain('urgent');
    expect(String(before.messages[1]?.payload.text)).toContain('紧急');
    await setSectionChat(harness.db, { chatId: -5, title: 's', boundBy: null, boundAt: '' });
    const after = new OutboxBuffer();
    await alertSection(harness.db, after, open, options);
    const secret = await summary({ mustInvestigate: true, adminsOnly: true, unitCode: 'ZZB' });
    await alertSection(harness.db, after, secret, options);
    expect(after.messages.map((m) => [m.chatId, m.ref])).toEqual([
      [-5, `alert:${open.id}`],
      [10, `alert:${secret.id}`],
    ]);
    expect(JSON.stringify([...before.messages, ...after.messages])).not.toContain('秘密');
    expect(JSON.stringify(after.messages[0]?.payload)).toContain(`https://t.me/bot?start=show-${open.id}`);
  });

  it('holds an alert until the next batch boundary, so its time does not point at the reporter', async () => {
    const item = await summary({ mustInvestigate: true, priority: 'high' });
    const out = new OutboxBuffer();
    const now = new Date('2026-03-02T01:03:27Z');
    await alertSection(harness.db, out, item, { botUsername: 'bot', adminIds: [], now, batchMinutes: 10 });
    expect(out.messages.map((m) => m.notBefore)).toEqual([new Date('2026-03-02T01:10:00Z')]);
  });

  it('reads a question id back from its ref only', () => {
    expect(questionIdOfRef(questionRef(9))).toBe(9);
    expect(questionIdOfRef('receipt:9')).toBeNull();
    expect(questionIdOfRef(null)).toBeNull();
  });
});
