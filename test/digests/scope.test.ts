// Issue #15: one scope rule for everything the section group and officers receive. With an item of
// an admins-only unit present — its counts, its points, a reveal of its reporter, its must-talk —
// every digest as the group receives it is identical to the same data without it; the admins' own
// view does change, which shows the admins-only data would have shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import { auditLog, heads, mustRemoveMarks, obligations, pointsDeductions } from '../../src/db/schema.js';
import { buildDigest } from '../../src/digests/compose.js';
import type { DigestKind } from '../../src/domain/periods.js';
import { DEFAULT_FILTER } from '../../src/domain/triage.js';
import { translatorFor } from '../../src/i18n.js';
import { listQueue, unitsInQueue } from '../../src/items/store.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { insertItem } from '../support/digest-fixtures.js';

const at = new Date('2025-06-02T01:00:00Z'); // Monday 09:00 in Shanghai
const monthly = new Date('2025-06-01T01:00:00Z');
const KINDS: Array<[DigestKind, Date]> = [
  ['daily', at],
  ['weekly', at],
  ['monthly', monthly],
];
const zh = translatorFor('zh-CN');

async function itemWithEverything(db: Database['db'], unitCode: string, adminsOnly: boolean): Promise<void> {
  const created = new Date(at.getTime() - 2 * 86_400_000);
  const id = await insertItem(db, {
    domain: 'I',
    unitCode,
    adminsOnly,
    status: 'forwarded',
    forwardedAgency: 'CDI',
    mustInvestigate: true,
    reasons: ['specific_content'],
    triageDueAt: new Date(created.getTime() + 86_400_000),
    concludeDueAt: new Date(created.getTime() + 30 * 86_400_000),
    createdAt: created,
  });
  const personKey = `head-${unitCode}`;
  await db.insert(heads).values({ personKey, name: `某部长${unitCode}` });
  await db.insert(pointsDeductions).values([
    {
      unitCode,
      personKey,
      headName: '某部长',
      year: 2025,
      points: 3,
      itemId: id,
      createdAt: new Date('2025-05-28T00:00:00Z'),
    },
    {
      unitCode,
      personKey,
      headName: '某部长',
      year: 2025,
      points: 3,
      itemId: id,
      createdAt: new Date('2025-05-29T00:00:00Z'),
    },
  ]);
  // An overdue talk the item raised, an overdue post-adjustment talk at the unit (no item: scoped by
  // ADMIN_ONLY_UNITS), and a 必下 mark (shown in the admins' own view only).
  const talk = {
    kind: 'talk' as const,
    personKey,
    unitCode,
    createdOn: '2025-05-01',
    startsOn: '2025-05-01',
  };
  await db.insert(obligations).values([
    {
      ...talk,
      key: `talk:integrity_reports:item:${id}`,
      occasion: 'integrity_reports',
      itemId: id,
      dueOn: '2025-05-15',
    },
    {
      ...talk,
      key: `talk:post_adjusted:${personKey}:2025-05-01`,
      occasion: 'post_adjusted',
      dueOn: '2025-05-15',
    },
  ]);
  await db.insert(mustRemoveMarks).values({
    key: `must_remove:discipline_or_law_violation:item:${id}`,
    personKey,
    unitCode,
    reason: 'discipline_or_law_violation',
    raisedOn: '2025-05-20',
    itemId: id,
  });
  await db
    .insert(auditLog)
    .values({ actorId: 900, action: 'item.revealed', itemId: id, at: new Date('2025-05-30T00:00:00Z') });
}

async function digests(db: Database['db'], includeAdminsOnly: boolean): Promise<string[]> {
  const texts: string[] = [];
  for (const [kind, when] of KINDS) {
    const built = await buildDigest(
      db,
      kind,
      {
        at: when,
        timeZone: 'Asia/Shanghai',
        botUsername: 'liaison_test_bot',
        includeAdminsOnly,
        adminOnlyUnits: ['ZZB'],
      },
      zh,
    );
    texts.push(JSON.stringify(built.main));
    // The weekly chart counts items too: compare its pixels.
    if (built.chart) texts.push(createHash('sha256').update(built.chart.png).digest('hex'));
    texts.push(...built.agencyMessages.map((message) => JSON.stringify(message)));
  }
  return texts;
}

/** The queue as an officer lists it: every page of every status, and the unit buttons. */
async function officerLists(db: Database['db']): Promise<string[]> {
  const officer = { telegramId: 501, admin: false };
  const all = { ...DEFAULT_FILTER, status: 'all' as const };
  const listed = await listQueue(db, all, officer, at, 1);
  return [JSON.stringify(listed), JSON.stringify(await unitsInQueue(db, all, officer, at))];
}

describe(`the admins-only scope of every digest on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    // Ordinary data every digest shows.
    await itemWithEverything(database.db, 'HPZ', false);
  });
  afterAll(() => database.close());

  it('the group and an officer see the same digests and lists with an admins-only item present as without it', async () => {
    const groupBefore = await digests(database.db, false);
    const adminsBefore = await digests(database.db, true);
    const officerBefore = await officerLists(database.db);
    await itemWithEverything(database.db, 'ZZB', true);
    expect(await digests(database.db, false)).toEqual(groupBefore);
    expect(await officerLists(database.db)).toEqual(officerBefore);
    // The admins' own view does count it: the data is there to leak.
    expect(await digests(database.db, true)).not.toEqual(adminsBefore);
  });
});
