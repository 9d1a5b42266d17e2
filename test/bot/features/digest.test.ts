import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, digestRuns, outbox } from '../../../src/db/schema.js';
import { setSectionChat } from '../../../src/settings.js';
import { insertItem } from '../../support/digest-fixtures.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { pngInfo } from '../../support/png.js';
import { textMessage, user } from '../../support/updates.js';

describe('/digest preview', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: '900' });
    harness.clock.set(new Date('2025-05-08T02:00:00Z'));
    await harness.enrol(501, 'officer');
    await harness.enrol(601, 'monitor', { community: '丹东社区' });
    await setSectionChat(harness.db, {
      chatId: -1009,
      title: '干部科',
      boundBy: 900,
      boundAt: '2025-05-01T00:00:00Z',
    });
    await insertItem(harness.db, {
      domain: 'F',
      mustInvestigate: true,
      createdAt: new Date('2025-05-07T12:00:00Z'),
      triageDueAt: new Date('2025-05-08T12:00:00Z'),
    });
    // Two weeks earlier: the weekly chart's 12 weeks hold an item, so it has something to draw.
    await insertItem(harness.db, { domain: 'P', createdAt: new Date('2025-04-22T03:00:00Z') });
    await insertItem(harness.db, {
      domain: 'O',
      unitCode: 'ZZB',
      adminsOnly: true,
      mustInvestigate: true,
      createdAt: new Date('2025-05-07T13:00:00Z'),
    });
  });
  afterAll(() => harness.close());

  it('sends the daily digest to the asking officer only, without recording a period', async () => {
    const replies = await harness.send(textMessage(user(501), '/digest daily'));
    expect(replies.every((m) => m.chatId === 501)).toBe(true);
    const digest = replies.find((m) => m.text.includes('干部监督日报'));
    expect(digest?.text).toContain('新收 1 件');
    expect(digest?.text).toContain('#1 F-HPZ');
    // Items reserved for admins are not shown to officers.
    expect(digest?.text).not.toContain('ZZB');
    expect(JSON.stringify(digest?.payload.reply_markup)).toContain(
      'https://t.me/liaison_test_bot?start=show-1',
    );
    const [runs] = await harness.db.select({ n: count() }).from(digestRuns);
    expect(runs?.n).toBe(0);
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'digest_preview'));
    expect(audits.at(-1)?.details).toEqual({ kind: 'daily' });
  });

  it('shows admins the items reserved for them', async () => {
    const replies = await harness.send(textMessage(user(900, { lang: 'en' }), '/digest daily'));
    const digest = replies.find((m) => m.text.includes('Daily supervision digest'));
    expect(digest?.text).toContain('New items: 2');
    expect(digest?.text).toContain('O-ZZB');
  });

  it('attaches the chart to the weekly preview', async () => {
    const replies = await harness.send(textMessage(user(501), '/digest 周报'));
    expect(replies.some((m) => m.text.includes('干部监督周报'))).toBe(true);
    // On a Thursday the preview says it shows last week, not this one (issue 18).
    expect(replies[0]?.text).toContain('以下是周报预览：统计上周（2025年4月28日—5月4日）');
    const photo = replies.find((m) => m.method === 'sendPhoto');
    expect(photo?.fileName).toBe('photo:digest-weekly.png');
    const [row] = await harness.db
      .select({ bytes: outbox.fileBytes })
      .from(outbox)
      .where(eq(outbox.id, photo?.id ?? 0));
    const bytes = Buffer.from(row?.bytes ?? Buffer.alloc(0));
    expect(pngInfo(bytes)).toEqual({ valid: true, width: 1200, height: 640 });
  });

  it('explains the usage for a missing or unknown kind', async () => {
    const [reply] = await harness.send(textMessage(user(501), '/digest yearly'));
    expect(reply?.text).toContain('/digest daily');
  });

  it('refuses reporters', async () => {
    const replies = await harness.send(textMessage(user(601), '/digest daily'));
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).not.toContain('日报');
  });
});
