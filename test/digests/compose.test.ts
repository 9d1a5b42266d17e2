import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { type BuiltDigest, buildDigest, dailyWindow, sendDigest } from '../../src/digests/compose.js';
import { translatorFor } from '../../src/i18n.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { seedUnitsIfEmpty } from '../../src/units/directory.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { insertItem, insertPerson } from '../support/digest-fixtures.js';

const ZONE = 'Asia/Shanghai';
const at = new Date('2025-06-02T01:00:00Z'); // Monday 09:00 in Shanghai
const monthly = new Date('2025-06-01T01:00:00Z'); // the circulation of May
const en = translatorFor('en');
const zh = translatorFor('zh-CN');
const options = (when: Date) => ({
  at: when,
  timeZone: ZONE,
  botUsername: 'liaison_test_bot',
  includeAdminsOnly: false,
  adminOnlyUnits: ['ZZB'],
});
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('dailyWindow', () => {
  it('counts from the previous daily digest, else from one local day before', () => {
    const since = new Date('2025-06-01T05:00:00Z');
    expect(dailyWindow(at, since, ZONE)).toEqual({ start: since, end: at });
    const dayBefore = new Date('2025-06-01T01:00:00Z');
    expect(dailyWindow(at, null, ZONE)).toEqual({ start: dayBefore, end: at });
    expect(dailyWindow(at, undefined, ZONE)).toEqual({ start: dayBefore, end: at });
    // A "previous" digest at or after this one (a clock moved back) is ignored.
    expect(dailyWindow(at, at, ZONE)).toEqual({ start: dayBefore, end: at });
    expect(dailyWindow(at, new Date(at.getTime() + 1000), ZONE)).toEqual({ start: dayBefore, end: at });
  });
});

describe(`buildDigest and sendDigest on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    await seedUnitsIfEmpty(database.db);
    const hoursBefore = (hours: number) => new Date(at.getTime() - hours * 3_600_000);
    await insertItem(database.db, { domain: 'F', createdAt: hoursBefore(2) });
    await insertItem(database.db, { domain: 'P', createdAt: hoursBefore(10) });
    await insertItem(database.db, { domain: 'F', createdAt: hoursBefore(30) }); // before the daily window
    // Forwarded in May: to AUD (two liaisons, one reads English, one revoked) and to CDI (no liaison).
    const may = new Date('2025-05-10T03:00:00Z');
    await insertItem(database.db, {
      status: 'forwarded',
      forwardedAgency: 'AUD',
      unitCode: 'HPZ',
      createdAt: may,
    });
    await insertItem(database.db, {
      status: 'forwarded',
      forwardedAgency: 'CDI',
      unitCode: 'HPZ',
      createdAt: may,
    });
    await insertPerson(database.db, { telegramId: 601, role: 'liaison', agency: 'AUD', language: 'en' });
    await insertPerson(database.db, { telegramId: 602, role: 'liaison', agency: 'AUD', language: 'zh-hans' });
    await insertPerson(database.db, { telegramId: 603, role: 'liaison', agency: 'AUD', revokedAt: may });
    await insertPerson(database.db, { telegramId: 604, role: 'liaison', agency: 'TAX' });
  });
  afterAll(() => database.close());

  it('builds the daily digest from the items new since the previous one, in the translator’s language', async () => {
    const daily = await buildDigest(database.db, 'daily', { ...options(at), since: null }, en);
    expect(daily).toMatchObject({ kind: 'daily', chart: null, agencyMessages: [] });
    expect(daily.main.text).toContain('Daily supervision digest');
    expect(daily.main.text).toContain('New items: 2');
    const sinceEarlier = await buildDigest(
      database.db,
      'daily',
      { ...options(at), since: new Date(at.getTime() - 48 * 3_600_000) },
      zh,
    );
    expect(sinceEarlier.main.text).toContain('干部监督日报');
    expect(sinceEarlier.main.text).toContain('新收 3 件');
  });

  it('adds the weekly chart as a PNG with its caption', async () => {
    const weekly = await buildDigest(database.db, 'weekly', options(at), en);
    expect(weekly.kind).toBe('weekly');
    expect(weekly.main.text).toContain('Weekly supervision digest');
    expect(weekly.chart?.caption).toBe('New items per week by domain, last 12 weeks (10 Mar – 1 Jun 2025)');
    expect(weekly.chart?.png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(weekly.agencyMessages).toEqual([]);
  });

  it('attaches no chart when the 12 weeks had no new item, and says so in the text (issue 18)', async () => {
    // A year later: the 12 weeks before that Monday hold no item.
    const later = new Date('2026-06-01T01:00:00Z');
    const weekly = await buildDigest(database.db, 'weekly', options(later), zh);
    expect(weekly.chart).toBeNull();
    expect(weekly.main.text).toContain('近 12 周（3月9日—5月31日）没有新收事项，不附图表。');
    const out = new OutboxBuffer();
    sendDigest(out, weekly, -100);
    expect(out.messages.map((m) => m.method)).toEqual(['sendMessage']);
  });

  it('writes the monthly circulation privately to each active liaison of an agency with forwarded items, in their language', async () => {
    const built = await buildDigest(database.db, 'monthly', options(monthly), zh);
    expect(built.main.text).toContain('联席会议信息通报');
    expect(built.chart).toBeNull();
    expect(built.agencyMessages.map(({ chatId, agency }) => ({ chatId, agency }))).toEqual([
      { chatId: 601, agency: 'AUD' },
      { chatId: 602, agency: 'AUD' },
    ]);
    const [english, chinese] = built.agencyMessages;
    expect(english?.message.text).toContain('Joint-meeting circulation');
    expect(chinese?.message.text).toContain('近一年（2024年6月1日—2025年5月31日）转交贵单位办理的事项共 1 件');
    for (const message of built.agencyMessages) expect(message.message.text).not.toContain('CDI');
  });

  it('says in the preview note which period the digest covers (issue 18)', async () => {
    const weekly = await buildDigest(database.db, 'weekly', options(at), zh);
    expect(weekly.preview).toBe(
      '以下是周报预览：统计上周（2025年5月26日—6月1日）；本周收到的事项计入下一期周报。仅您可见，不计入定时发送。',
    );
    expect((await buildDigest(database.db, 'weekly', options(at), en)).preview).toBe(
      'Preview of the weekly digest for last week (26 May – 1 Jun 2025); items received this week go into the next weekly digest. Visible to you only; it does not count as a scheduled digest.',
    );
    const monthly = await buildDigest(database.db, 'monthly', options(new Date('2025-06-18T06:00:00Z')), zh);
    expect(monthly.preview).toBe(
      '以下是月报预览：统计上月（2025年5月）；本月收到的事项计入下一期月报。仅您可见，不计入定时发送。',
    );
    expect(
      (await buildDigest(database.db, 'monthly', options(new Date('2025-06-18T06:00:00Z')), en)).preview,
    ).toBe(
      'Preview of the monthly digest for last month (May 2025); items received this month go into the next monthly digest. Visible to you only; it does not count as a scheduled digest.',
    );
    const daily = await buildDigest(
      database.db,
      'daily',
      { ...options(at), since: new Date('2025-06-01T05:00:00Z') },
      zh,
    );
    expect(daily.preview).toBe(
      '以下是日报预览：新收事项统计时段 06-01 13:00 至 06-02 09:00（现在）。仅您可见，不计入定时发送。',
    );
  });

  it('queues the main message with its ref, then the chart, then each agency message unless mainOnly', () => {
    const digest: BuiltDigest = {
      kind: 'weekly',
      preview: '预览',
      main: {
        text: '<b>周报</b>',
        buttons: [[{ text: '#1', url: 'https://t.me/liaison_test_bot?start=item-1' }]],
      },
      chart: { png: Buffer.from('png'), width: 10, height: 10, caption: '图' },
      agencyMessages: [{ chatId: 601, agency: 'AUD', message: { text: 'AUD', buttons: [] } }],
    };
    const out = new OutboxBuffer();
    sendDigest(out, digest, -100, { ref: 'digest:weekly:x' });
    expect(out.messages.map(({ chatId, method, ref }) => ({ chatId, method, ref }))).toEqual([
      { chatId: -100, method: 'sendMessage', ref: 'digest:weekly:x' },
      { chatId: -100, method: 'sendPhoto', ref: undefined },
      { chatId: 601, method: 'sendMessage', ref: undefined },
    ]);
    expect(out.messages[0]?.payload).toMatchObject({
      text: '<b>周报</b>',
      reply_markup: { inline_keyboard: digest.main.buttons },
    });
    expect(out.messages[1]).toMatchObject({
      payload: { chat_id: -100, caption: '图' },
      file: { field: 'photo', name: 'digest-weekly.png', bytes: Buffer.from('png') },
    });
    expect(out.messages[2]?.payload).not.toHaveProperty('reply_markup');

    const preview = new OutboxBuffer();
    sendDigest(preview, digest, 42, { mainOnly: true });
    expect(preview.messages.map(({ chatId, method }) => [chatId, method])).toEqual([
      [42, 'sendMessage'],
      [42, 'sendPhoto'],
    ]);
  });
});
