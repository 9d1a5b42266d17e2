import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemAdditions, obligations, people, pointsDeductions } from '../../src/db/schema.js';
import { type DigestDeps, runDigest } from '../../src/digests/scheduler.js';
import { createLogger } from '../../src/logger.js';
import { setSectionChat } from '../../src/settings.js';
import { linkReporter } from '../bot/features/queue/fixtures.js';
import { insertItem } from '../support/digest-fixtures.js';
import { createHarness, type Harness, type QueuedMessage } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

const MARK = 'LEAKMARK';
const SECTION = -100777;
const REPORTERS = [880011, 880012, 880013];

describe('digests never carry tip text or reporters', () => {
  let harness: Harness;
  let deps: DigestDeps;
  const now = new Date('2025-06-02T02:00:00Z'); // Monday 10:00 in Shanghai

  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: '900' });
    harness.clock.set(now);
    deps = {
      db: harness.db,
      config: harness.config,
      logger: createLogger('silent'),
      botUsername: () => 'liaison_test_bot',
      now: () => now,
      wake: () => {},
    };
    await setSectionChat(harness.db, {
      chatId: SECTION,
      title: '干部科',
      boundBy: 900,
      boundAt: now.toISOString(),
    });
    await harness.db.insert(people).values([
      {
        telegramId: REPORTERS[0] as number,
        role: 'monitor',
        community: '丹东社区',
        displayName: `${MARK}-monitor-name`,
        username: `${MARK}_m`,
        lastReportedAt: new Date('2025-01-01T00:00:00Z'),
      },
      {
        telegramId: REPORTERS[1] as number,
        role: 'liaison',
        agency: 'CDI',
        displayName: `${MARK}-liaison-name`,
        username: `${MARK}_l`,
        language: 'en',
      },
      {
        telegramId: REPORTERS[2] as number,
        role: 'liaison',
        agency: 'AUD',
        displayName: `${MARK}-aud-name`,
        username: `${MARK}_a`,
      },
      { telegramId: 501, role: 'officer', displayName: 'Officer Wang' },
    ]);
    const spread = [2, 5, 9, 20, 35, 60, 80]; // days before now: every window sees some
    let n = 0;
    for (const daysAgo of spread) {
      for (const [domain, source, agency, reporter] of [
        ['F', 'monitor', null, REPORTERS[0]],
        ['I', 'liaison', 'CDI', REPORTERS[1]],
        ['P', 'hotline', null, null],
      ] as const) {
        n += 1;
        const created = new Date(now.getTime() - daysAgo * 86_400_000);
        const id = await insertItem(harness.db, {
          kind: source === 'liaison' ? 'notice' : source === 'hotline' ? 'report' : 'tip',
          sourceKind: source,
          sourceAgency: agency,
          signed: n % 2 === 0,
          domain,
          unitCode: 'HPZ',
          text: `${MARK}-text-${n} 镇长 ${MARK}`,
          reference: `${MARK}-ref-${n}`,
          status: n % 4 === 0 ? 'forwarded' : n % 3 === 0 ? 'accepted' : 'new',
          forwardedAgency: n % 4 === 0 ? 'CDI' : null,
          mustInvestigate: n % 2 === 0,
          reasons: ['signed_or_contactable'],
          assigneeId: n % 3 === 0 ? 501 : null,
          triageDueAt: new Date(created.getTime() + 86_400_000),
          concludeDueAt: new Date(created.getTime() + 30 * 86_400_000),
          triagedAt: n % 3 === 0 ? new Date(created.getTime() + 3_600_000) : null,
          conclusion: { note: `${MARK}-conclusion` },
          createdAt: created,
        });
        if (reporter) await linkReporter(harness.db, id, reporter);
        await harness.db
          .insert(itemAdditions)
          .values({ itemId: id, kind: 'addition', authorId: reporter, text: `${MARK}-addition` });
        if (n === 3) {
          await harness.db.insert(obligations).values({
            key: `talk:integrity_reports:item:${id}`,
            kind: 'talk',
            occasion: 'integrity_reports',
            personKey: 'unknown:HPZ',
            unitCode: 'HPZ',
            itemId: id,
            createdOn: '2025-05-20',
            startsOn: '2025-05-20',
            dueOn: '2025-06-03',
            createdAt: created,
          });
          await harness.db.insert(pointsDeductions).values({
            unitCode: 'HPZ',
            // The name recorded before heads existed is never shown: the points are the unit's unknown head's.
            headName: `${MARK}-head`,
            personKey: 'unknown:HPZ',
            year: 2025,
            points: 2,
            itemId: id,
            createdAt: new Date('2025-05-27T00:00:00Z'),
          });
          await harness.db.insert(pointsDeductions).values({
            unitCode: 'HPZ',
            // The name recorded before heads existed is never shown: the points are the unit's unknown head's.
            headName: `${MARK}-head`,
            personKey: 'unknown:HPZ',
            year: 2025,
            points: 2,
            itemId: id,
            createdAt: new Date('2025-05-28T00:00:00Z'),
          });
        }
      }
    }
  });
  afterAll(() => harness.close());

  function assertClean(messages: QueuedMessage[]): void {
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) {
      // The address is not content: an agency message is addressed to its liaison's own chat.
      const { chat_id: _address, ...content } = message.payload;
      const serialized = JSON.stringify(content);
      expect(serialized).not.toContain(MARK);
      for (const id of REPORTERS) expect(serialized).not.toContain(String(id));
      expect(serialized).not.toContain('镇长');
    }
  }

  it('keeps every scheduled digest, section and agency messages, free of markers', async () => {
    const results = [
      await runDigest(deps, 'daily', new Date('2025-06-02T00:30:00Z')),
      await runDigest(deps, 'weekly', new Date('2025-06-02T01:00:00Z')),
      await runDigest(deps, 'monthly', new Date('2025-06-01T01:00:00Z')),
    ];
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    const queued = await harness.queued();
    assertClean(queued);
    const section = queued.filter((m) => m.chatId === SECTION);
    expect(section.some((m) => m.text.includes('新收'))).toBe(true);
    expect(section.some((m) => m.method === 'sendPhoto')).toBe(true);
    expect(section.some((m) => m.text.includes('八必谈'))).toBe(true);
    expect(section.some((m) => m.text.includes('丹东社区'))).toBe(true);
    expect(section.some((m) => m.text.includes('当年不得评先评优'))).toBe(true);
    // The CDI liaison (English) gets the items forwarded to CDI; the AUD liaison, with none, gets nothing.
    const toCdi = queued.filter((m) => m.chatId === REPORTERS[1]);
    expect(toCdi).toHaveLength(1);
    expect(toCdi[0]?.text).toContain('Discipline Inspection');
    expect(toCdi[0]?.text).toMatch(/#\d+ I-HPZ · forwarded/);
    expect(queued.filter((m) => m.chatId === REPORTERS[2])).toHaveLength(0);
  });

  it('keeps the /digest previews free of markers', async () => {
    const before = (await harness.queued()).length;
    for (const kind of ['daily', 'weekly', 'monthly']) {
      await harness.send(textMessage(user(900), `/digest ${kind}`));
      await harness.send(textMessage(user(501, { lang: 'en' }), `/digest ${kind}`));
    }
    const previews = (await harness.queued()).slice(before);
    assertClean(previews);
    expect(previews.every((m) => m.chatId === 900 || m.chatId === 501)).toBe(true);
  });
});
