import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTED } from '../../src/digests/model.js';
import { openItemsOverview } from '../../src/digests/queries.js';
import { insertItem, insertPerson } from '../support/digest-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

const HOUR = 3_600_000;
const now = new Date('2026-05-06T02:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * HOUR);

describe('openItemsOverview: the daily digest’s open-item lists in one pass', () => {
  let harness: Harness;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    harness = await createHarness();
    const db = harness.db;
    await insertPerson(db, { telegramId: 501, role: 'officer', displayName: '王科员' });
    await insertPerson(db, { telegramId: 502, role: 'officer', username: 'li_officer' });
    // More overdue items than a list shows, so the total must come from the whole set.
    for (let index = 0; index < MAX_LISTED + 3; index += 1) {
      ids[`late${index}`] = await insertItem(db, {
        status: 'accepted',
        assigneeId: 501,
        concludeDueAt: at(-100 + index),
        triageDueAt: at(500),
      });
    }
    // New items are due by their triage date, whatever their conclusion date says.
    ids.mustLate = await insertItem(db, {
      status: 'new',
      mustInvestigate: true,
      triageDueAt: at(-200),
      concludeDueAt: at(500),
    });
    ids.mustSoon = await insertItem(db, {
      status: 'new',
      mustInvestigate: true,
      triageDueAt: at(10),
      concludeDueAt: at(-500),
      assigneeId: 502,
    });
    ids.mustNoDue = await insertItem(db, { status: 'new', mustInvestigate: true });
    ids.mustLater = await insertItem(db, { status: 'new', mustInvestigate: true, triageDueAt: at(24 * 5) });
    ids.verifyingSoon = await insertItem(db, { status: 'verifying', concludeDueAt: at(5), assigneeId: 502 });
    ids.farAway = await insertItem(db, { status: 'verifying', concludeDueAt: at(24 * 10) });
    // Neither closed items nor admins-only ones count for the section chat.
    await insertItem(db, { status: 'closed', concludeDueAt: at(-300), mustInvestigate: true });
    ids.hidden = await insertItem(db, {
      status: 'new',
      mustInvestigate: true,
      triageDueAt: at(-300),
      adminsOnly: true,
    });
  });
  afterAll(() => harness.close());

  it('lists overdue items most overdue first, with the full total', async () => {
    const open = await openItemsOverview(harness.db, now, { includeAdminsOnly: false });
    expect(open.overdue.total).toBe(MAX_LISTED + 4);
    expect(open.overdue.items).toHaveLength(MAX_LISTED);
    expect(open.overdue.items.slice(0, 3).map((item) => item.id)).toEqual([
      ids.mustLate,
      ids.late0,
      ids.late1,
    ]);
    expect(open.overdue.items[0]).toMatchObject({
      status: 'new',
      domain: 'F',
      unitCode: 'HPZ',
      mustInvestigate: true,
    });
    expect(open.overdue.items[0]?.dueAt?.toISOString()).toBe(at(-200).toISOString());
  });

  it('lists must-investigate items awaiting triage that are neither overdue nor due soon, earliest due first and undated last', async () => {
    const open = await openItemsOverview(harness.db, now, { includeAdminsOnly: false });
    // mustLate is overdue and mustSoon is due within three days: each is listed there (issue 18).
    expect(open.mustUntriaged.items.map((item) => item.id)).toEqual([ids.mustLater, ids.mustNoDue]);
    expect(open.mustUntriaged.total).toBe(2);
  });

  it('puts each item under one heading only, its most urgent: overdue, then due soon, then must-investigate (issue 18)', async () => {
    const open = await openItemsOverview(harness.db, now, { includeAdminsOnly: true });
    const listed = [open.overdue, open.dueSoon, open.mustUntriaged].flatMap((list) => list.items.map((i) => i.id));
    expect(new Set(listed).size).toBe(listed.length);
    expect(open.overdue.total + open.dueSoon.total + open.mustUntriaged.total).toBe(
      MAX_LISTED + 5 + 2 + 2,
    );
    expect(open.dueSoon.items.find((item) => item.id === ids.mustSoon)?.mustInvestigate).toBe(true);
    expect(open.dueSoon.items.find((item) => item.id === ids.verifyingSoon)?.mustInvestigate).toBe(false);
  });

  it('lists items due within three days, soonest first', async () => {
    const open = await openItemsOverview(harness.db, now, { includeAdminsOnly: false });
    expect(open.dueSoon.items.map((item) => item.id)).toEqual([ids.verifyingSoon, ids.mustSoon]);
    expect(open.dueSoon.total).toBe(2);
  });

  it('counts open and overdue items per officer, by name, and the unassigned ones', async () => {
    const open = await openItemsOverview(harness.db, now, { includeAdminsOnly: false });
    expect(open.officers).toEqual([
      { officerId: 501, name: '王科员', open: MAX_LISTED + 3, overdue: MAX_LISTED + 3 },
      { officerId: 502, name: '@li_officer', open: 2, overdue: 0 },
    ]);
    expect(open.unassigned).toBe(4);
  });

  it('includes admins-only items only when asked', async () => {
    const open = await openItemsOverview(harness.db, now, { includeAdminsOnly: true });
    expect(open.overdue.items[0]?.id).toBe(ids.hidden);
    expect(open.overdue.total).toBe(MAX_LISTED + 5);
    expect(open.unassigned).toBe(5);
  });

  it('returns empty lists and no load when nothing is open', async () => {
    const empty = await createHarness();
    try {
      const open = await openItemsOverview(empty.db, now, { includeAdminsOnly: true });
      expect(open).toEqual({
        mustUntriaged: { total: 0, items: [] },
        overdue: { total: 0, items: [] },
        dueSoon: { total: 0, items: [] },
        officers: [],
        unassigned: 0,
      });
    } finally {
      await empty.close();
    }
  });
});
