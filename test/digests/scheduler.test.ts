import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestRuns, outbox } from '../../src/db/schema.js';
import { latestOccurrence, periodKey } from '../../src/domain/periods.js';
import { catchUpDigests, type DigestDeps, runDigest } from '../../src/digests/scheduler.js';
import { createLogger } from '../../src/logger.js';
import { setSectionChat } from '../../src/settings.js';
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
    await setSectionChat(harness.db, {
      chatId: SECTION,
      title: '干部科',
      boundBy: 1,
      boundAt: new Date().toISOString(),
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
