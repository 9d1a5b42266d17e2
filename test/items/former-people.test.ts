import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, invites, people } from '../../src/db/schema.js';
import { ledgerOf } from '../../src/items/ledger.js';
import { purgeFormerPeople } from '../../src/items/retention.js';
import { createHarness, type Harness } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

// Issue 14, "retention leaves nothing": what is kept about people is removed once past its use.
describe('purging former people and spent invites', () => {
  let harness: Harness;
  const now = new Date('2032-06-01T04:00:00Z');
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(7301, 'monitor', { community: '早已离开的社区' });
    await harness.enrol(7302, 'monitor', { community: '刚离开的社区' });
    await harness.enrol(7303, 'monitor', { community: '仍在的社区' });
    await harness.send(textMessage(user(7301), '/tip F-HPZ 镇长在防波堤工程中指定施工方'));
    await harness.db
      .update(people)
      .set({ revokedAt: new Date('2026-01-10T00:00:00Z') })
      .where(eq(people.telegramId, 7301));
    await harness.db
      .update(people)
      .set({ revokedAt: new Date('2032-01-10T00:00:00Z') })
      .where(eq(people.telegramId, 7302));
    const day = (iso: string) => new Date(iso);
    await harness.db.insert(invites).values([
      {
        tokenHash: 'used-long-ago',
        role: 'monitor',
        community: '甲社区',
        createdBy: 1,
        expiresAt: day('2032-04-03T00:00:00Z'),
        usedAt: day('2032-04-01T00:00:00Z'),
        usedBy: 7304,
      },
      {
        tokenHash: 'used-lately',
        role: 'monitor',
        community: '乙社区',
        createdBy: 1,
        expiresAt: day('2032-05-28T00:00:00Z'),
        usedAt: day('2032-05-25T00:00:00Z'),
        usedBy: 7305,
      },
      {
        tokenHash: 'expired-long-ago',
        role: 'officer',
        createdBy: 1,
        expiresAt: day('2032-03-01T00:00:00Z'),
      },
      { tokenHash: 'open', role: 'officer', createdBy: 1, expiresAt: day('2032-06-03T00:00:00Z') },
    ]);
  });
  afterAll(() => harness.close());

  it('deletes the rows and ledgers of people gone for longer than the retention period, and invites spent over 30 days ago, auditing counts only', async () => {
    expect(await ledgerOf(harness.db, 7301)).toHaveLength(1);
    expect(await purgeFormerPeople(harness.db, { now, years: 5 })).toEqual({ people: 1, invites: 2 });
    const left = await harness.db.select({ id: people.telegramId }).from(people);
    expect(left.map((row) => row.id).sort()).toEqual([7302, 7303]);
    expect(await ledgerOf(harness.db, 7301)).toEqual([]);
    const kept = await harness.db.select({ hash: invites.tokenHash }).from(invites);
    expect(kept.map((row) => row.hash).sort()).toEqual(['open', 'used-lately']);
    const [audit] = await harness.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'retention.people_purged'));
    expect(audit).toMatchObject({ actorId: null, details: { people: 1, invites: 2 } });
    expect(JSON.stringify(audit)).not.toMatch(/7301|早已离开/);
    // Nothing more to remove: nothing more audited.
    expect(await purgeFormerPeople(harness.db, { now, years: 5 })).toEqual({ people: 0, invites: 0 });
  });
});
