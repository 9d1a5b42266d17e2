import { count, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, digestRuns, outbox, units } from '../../src/db/schema.js';
import { latestOccurrence, periodKey } from '../../src/domain/periods.js';
import {
  FIRST_START_SETTING,
  catchUpDigests,
  type DigestDeps,
  firstStartOf,
  runDigest,
} from '../../src/digests/scheduler.js';
import { loadObligations } from '../../src/heads/store.js';
import { recordHeadChange } from '../../src/heads/tenures.js';
import { createLogger } from '../../src/logger.js';
import { putSetting, setSectionChat } from '../../src/settings.js';
import { testDatabaseKind } from '../support/database.js';
import { insertItem } from '../support/digest-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

const SECTION = -100500;

describe('scheduled digests: exactly once per period', () => {
  let harness: Harness;
  let deps: DigestDeps;
  let wakes = 0;
  let now = new Date('2025-05-08T02:00:00Z');

  beforeAll(async () => {
    harness = await createHarness();
    deps = {
      db: harness.db,
      config: harness.config,
      logger: createLogger('silent'),
      botUsername: () => 'liaison_test_bot',
      now: () => now,
      wake: () => {
        wakes += 1;
      },
    };
  });
  afterAll(() => harness.close());
  beforeEach(async () => {
    await harness.db.delete(digestRuns);
    await harness.db.delete(outbox);
  });

  const sectionMessages = async () =>
    (await harness.queued(SECTION)).filter((m) => m.method !== 'answerCallbackQuery');

  it('records nothing and sends nothing while no section chat is bound', async () => {
    const result = await runDigest(deps, 'daily', new Date('2025-05-07T00:30:00Z'));
    expect(result.status).toBe('no_section_chat');
    const [row] = await harness.db.select({ n: count() }).from(digestRuns);
    expect(row?.n).toBe(0);
    expect(await harness.queued()).toHaveLength(0);
  });

  it('queues a period once however often it is run', async () => {
    // Bound before every period these tests run (their clock is in 2025).
    await setSectionChat(harness.db, {
      chatId: SECTION,
      title: '干部科',
      boundBy: 1,
      boundAt: '2025-01-01T00:00:00.000Z',
    });
    const occurrence = new Date('2025-05-07T00:30:00Z');
    const before = wakes;
    const first = await runDigest(deps, 'daily', occurrence);
    const second = await runDigest(deps, 'daily', occurrence);
    expect(first.status).toBe('sent');
    expect(second.status).toBe('already_sent');
    expect(wakes).toBe(before + 1);
    const messages = await sectionMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toContain('干部监督日报 · 2025-05-07');
    expect(messages[0]?.ref).toBe(`digest:${periodKey('daily', occurrence)}`);
  });

  it('queues a period once when two runs race', async () => {
    const occurrence = new Date('2025-05-06T00:30:00Z');
    const results = await Promise.all([
      runDigest(deps, 'daily', occurrence),
      runDigest(deps, 'daily', occurrence),
      runDigest(deps, 'daily', occurrence),
    ]);
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already_sent')).toHaveLength(2);
    expect(await sectionMessages()).toHaveLength(1);
  });

  it(`counts new items since the previous daily digest (${testDatabaseKind})`, async () => {
    await runDigest(deps, 'daily', new Date('2025-04-01T00:30:00Z'));
    await insertItem(harness.db, { domain: 'P', createdAt: new Date('2025-03-31T12:00:00Z') });
    await insertItem(harness.db, { domain: 'D', createdAt: new Date('2025-04-02T12:00:00Z') });
    await insertItem(harness.db, { domain: 'D', createdAt: new Date('2025-04-03T12:00:00Z') });
    await harness.db.delete(outbox);
    // Three days later: "new since the last daily digest" spans all three days, not just one.
    const result = await runDigest(deps, 'daily', new Date('2025-04-04T00:30:00Z'));
    expect(result.status).toBe('sent');
    const [message] = await sectionMessages();
    expect(message?.text).toContain('统计时段：04-01 08:30 至 04-04 08:30');
    expect(message?.text).toContain('新收 2 件');
    expect(message?.text).toContain('按领域：事权 2');
  });

  it('catches up only the latest missed period of each kind, once', async () => {
    now = new Date('2025-05-08T02:00:00Z'); // Thursday 10:00 in Shanghai
    await runDigest(deps, 'daily', new Date('2025-05-04T00:30:00Z'));
    await harness.db.delete(outbox);
    const results = await catchUpDigests(deps);
    const daily = latestOccurrence('30 8 * * *', now, 'Asia/Shanghai') as Date;
    expect(daily.toISOString()).toBe('2025-05-08T00:30:00.000Z');
    expect(results.map((r) => r.periodKey)).toEqual([
      periodKey('daily', daily),
      periodKey('weekly', new Date('2025-05-05T01:00:00Z')),
      periodKey('monthly', new Date('2025-05-01T01:00:00Z')),
    ]);
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    const dailyRuns = await harness.db.select().from(digestRuns).where(eq(digestRuns.kind, 'daily'));
    // 05-04 (run before) and 05-08 (caught up); 05-05 … 05-07 are not sent late one by one.
    expect(dailyRuns.map((r) => r.periodKey).sort()).toEqual([
      periodKey('daily', new Date('2025-05-04T00:30:00Z')),
      periodKey('daily', daily),
    ]);
    const messages = await sectionMessages();
    expect(messages.map((m) => m.method)).toEqual(['sendMessage', 'sendMessage', 'sendPhoto', 'sendMessage']);
    expect(await catchUpDigests(deps)).toEqual([]);
  });

  it('does not resend a period after a restart (a recorded run later than the occurrence wins)', async () => {
    now = new Date('2025-05-08T02:00:00Z');
    await catchUpDigests(deps);
    const before = (await harness.queued()).length;
    expect(await catchUpDigests(deps)).toEqual([]);
    expect((await harness.queued()).length).toBe(before);
  });
});

describe('catch-up respects the installation (issue #19)', () => {
  let harness: Harness;
  let now: Date;
  let deps: DigestDeps;
  const bind = (boundAt: string) =>
    setSectionChat(harness.db, { chatId: SECTION, title: '干部科', boundBy: 1, boundAt });
  const runsOf = async (kind: string) =>
    (await harness.db.select().from(digestRuns).where(eq(digestRuns.kind, kind))).map((r) => r.periodKey);

  beforeEach(async () => {
    harness = await createHarness();
    deps = {
      db: harness.db,
      config: harness.config,
      logger: createLogger('silent'),
      botUsername: () => 'liaison_test_bot',
      now: () => now,
      wake: () => {},
    };
  });
  afterEach(() => harness.close());

  it('a new installation bound after its first start posts no digest for a period before either', async () => {
    now = new Date('2025-05-07T03:00:00Z'); // Wednesday 11:00 in Shanghai: the first start
    expect(await catchUpDigests(deps)).toEqual([]);
    now = new Date('2025-05-07T03:10:00Z');
    await bind(now.toISOString());
    now = new Date('2025-05-07T03:11:00Z');
    // Today's 08:30 daily, Monday's weekly and the 1st's monthly all ended before the installation.
    expect(await catchUpDigests(deps)).toEqual([]);
    expect(await harness.queued(SECTION)).toEqual([]);
    // The next morning's daily is the first digest; the week and the month wait for their own day.
    now = new Date('2025-05-08T01:00:00Z');
    const results = await catchUpDigests(deps);
    expect(results.map((r) => [r.status, r.periodKey])).toEqual([
      ['sent', periodKey('daily', new Date('2025-05-08T00:30:00Z'))],
    ]);
    expect(await runsOf('weekly')).toEqual([]);
    expect(await runsOf('monthly')).toEqual([]);
  });

  it('a chat bound on the first start of a new installation gets nothing from before that start', async () => {
    now = new Date('2025-06-02T02:00:00Z'); // Monday 10:00: the weekly (09:00) and monthly (the 1st) are past
    await bind(now.toISOString());
    expect(await catchUpDigests(deps)).toEqual([]);
    expect(await harness.db.select().from(digestRuns)).toEqual([]);
  });

  it('after a day of downtime the latest missed daily digest goes out once', async () => {
    now = new Date('2025-04-01T00:00:00Z');
    await firstStartOf(harness.db, now);
    await bind(now.toISOString());
    await runDigest(deps, 'daily', new Date('2025-05-06T00:30:00Z'));
    // Down from 05-06 09:00 until 05-08 10:00: the 05-07 digest was missed, then the 05-08 one.
    now = new Date('2025-05-08T02:00:00Z');
    const results = await catchUpDigests(deps);
    const missedDaily = periodKey('daily', new Date('2025-05-08T00:30:00Z'));
    expect(results.filter((r) => r.periodKey === missedDaily).map((r) => r.status)).toEqual(['sent']);
    expect((await runsOf('daily')).sort()).toEqual([
      periodKey('daily', new Date('2025-05-06T00:30:00Z')),
      periodKey('daily', new Date('2025-05-08T00:30:00Z')),
    ]);
    const dailies = (await harness.queued(SECTION)).filter((m) => m.text.includes('干部监督日报'));
    expect(dailies).toHaveLength(2);
    expect(await catchUpDigests(deps)).toEqual([]);
  });

  it('moving the section chat later does not move the horizon: the first binding counts', async () => {
    now = new Date('2025-04-01T00:00:00Z');
    await firstStartOf(harness.db, now);
    await harness.db.insert(auditLog).values({
      at: new Date('2025-04-02T00:00:00Z'),
      actorId: 1,
      action: 'section_chat.bound',
      details: { chatId: -1 },
    });
    await bind('2025-05-08T01:50:00Z'); // moved to this group ten minutes ago
    now = new Date('2025-05-08T02:00:00Z');
    const results = await catchUpDigests(deps);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('an installation from before the first start was recorded dates it from its earliest trace', async () => {
    await insertItem(harness.db, { createdAt: new Date('2025-01-10T04:00:00Z') });
    const first = await firstStartOf(harness.db, new Date('2025-05-08T02:00:00Z'));
    expect(first.toISOString()).toBe('2025-01-10T04:00:00.000Z');
    // Recorded once: a later call does not move it.
    expect((await firstStartOf(harness.db, new Date('2026-01-01T00:00:00Z'))).toISOString()).toBe(
      '2025-01-10T04:00:00.000Z',
    );
  });
});

describe('scheduled digests: the daily run creates the two-yearly audits nobody opened /talks for', () => {
  let harness: Harness;
  let deps: DigestDeps;

  beforeAll(async () => {
    harness = await createHarness();
    deps = {
      db: harness.db,
      config: harness.config,
      logger: createLogger('silent'),
      botUsername: () => 'liaison_test_bot',
      now: () => new Date('2027-06-10T02:00:00Z'),
      wake: () => {},
    };
    await setSectionChat(harness.db, {
      chatId: SECTION,
      title: '干部科',
      boundBy: 1,
      boundAt: '2025-01-01T00:00:00.000Z',
    });
    await harness.db.update(units).set({ auditClass: 'A' }).where(eq(units.code, 'HPZ'));
    const recorded = await recordHeadChange(
      harness.db,
      { unitCode: 'HPZ', name: '张伟', title: null, from: '2025-06-02' },
      { actorId: 1, now: new Date('2025-06-02T02:00:00Z'), timeZone: 'Asia/Shanghai' },
    );
    if (recorded.kind !== 'recorded') throw new Error(recorded.kind);
  });
  afterAll(() => harness.close());

  const twoYearly = async () =>
    (await loadObligations(harness.db)).filter((o) => o.kind === 'audit' && o.reason === 'two_yearly');

  it('a daily digest before the audit shows creates none; the one after its due day creates it and lists it overdue, once', async () => {
    await runDigest(deps, 'daily', new Date('2027-03-01T00:30:00Z'));
    expect(await twoYearly()).toEqual([]);
    // Nobody opened /talks: the daily run itself creates the audit due on 2027-06-02 and lists it overdue.
    const result = await runDigest(deps, 'daily', new Date('2027-06-10T00:30:00Z'));
    expect(result.status).toBe('sent');
    const audits = await twoYearly();
    expect(audits.map((o) => [o.unitCode, o.dueOn, o.createdOn])).toEqual([['HPZ', '2027-06-02', '2027-06-10']]);
    const daily = (await harness.queued(SECTION)).find((m) => m.text.includes('2027-06-10'));
    // Besides the post-change talk of 2025 nobody settled.
    expect(daily?.text).toContain('逾期未办的谈话与审计 2 项');
    expect(daily?.text).toContain('经济责任审计·两年一审 · 鹤浦镇（HPZ） 张伟 · ⚠ 截止 2027-06-02');
    // The next day's run finds it open and creates no second one.
    await runDigest(deps, 'daily', new Date('2027-06-11T00:30:00Z'));
    expect(await twoYearly()).toHaveLength(1);
  });
});

describe('the first daily digest after the section chat is bound (issue 18)', () => {
  it('counts what came in since the installation started as new, and says nothing came in only when nothing did', async () => {
    const harness = await createHarness();
    try {
      // Installed on 20 April; four must-investigate tips came in before the chat was bound on 6 May.
      await putSetting(harness.db, FIRST_START_SETTING, '2025-04-20T00:00:00.000Z');
      for (const [index, domain] of (['F', 'F', 'P', 'D'] as const).entries()) {
        await insertItem(harness.db, {
          domain,
          mustInvestigate: true,
          createdAt: new Date(Date.UTC(2025, 3, 28 + index, 3)),
          triageDueAt: new Date('2025-05-20T00:00:00Z'),
        });
      }
      await setSectionChat(harness.db, {
        chatId: SECTION,
        title: '干部科',
        boundBy: 1,
        boundAt: '2025-05-06T00:00:00.000Z',
      });
      const deps: DigestDeps = {
        db: harness.db,
        config: harness.config,
        logger: createLogger('silent'),
        botUsername: () => 'liaison_test_bot',
        now: () => new Date('2025-05-08T02:00:00Z'),
        wake: () => {},
      };
      const texts = async () =>
        (await harness.queued(SECTION)).filter((m) => m.method === 'sendMessage').map((m) => m.text);

      expect((await runDigest(deps, 'daily', new Date('2025-05-07T00:30:00Z'))).status).toBe('sent');
      const [first] = await texts();
      expect(first).toContain('统计时段：04-20 08:00（系统启用）至 05-07 08:30，这是第一份日报');
      expect(first).toContain('新收 4 件');
      expect(first).not.toContain('没有新收');
      expect(first).toContain('<b>其余必查事项尚未分办 4 件（期限在 3 天后或未定）</b>');

      // The next day nothing came in: it says so for its period, and the four still waiting are listed.
      await harness.db.delete(outbox);
      await runDigest(deps, 'daily', new Date('2025-05-08T00:30:00Z'));
      const [second] = await texts();
      expect(second).toContain('统计时段：05-07 08:30 至 05-08 08:30');
      expect(second).toContain('本时段没有新收事项。');
      expect(second).toContain('#1 F-HPZ · 待分办');
    } finally {
      await harness.close();
    }
  });
});
