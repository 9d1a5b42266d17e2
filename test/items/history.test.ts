import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.js';
import { itemHistory } from '../../src/items/history.js';
import { REPORTER_ACTOR } from '../../src/items/reporter-link.js';
import { createHarness, type Harness } from '../support/harness.js';
import { ADMIN, insertItem, nameStaff, OFFICER_A, OFFICER_B } from '../bot/features/queue/fixtures.js';

const admin = { telegramId: ADMIN, admin: true };
const OTHER_MONITOR = 502;
const GONE = 777;
/** The item's reporter, no longer enrolled (left, or never was: a report logged for them). */
const ITEM_REPORTER = 888;

describe('itemHistory', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await harness.enrol(ADMIN, 'admin');
    await harness.enrol(OFFICER_A, 'officer');
    await harness.enrol(OFFICER_B, 'officer');
    await harness.enrol(OTHER_MONITOR, 'monitor', { community: '爵溪社区' });
    await nameStaff(harness.db, { [OFFICER_A]: '王科员' });
  });
  afterAll(() => harness.close());

  it('names staff, seals every reporter to the kind of source, and keeps status changes, oldest first', async () => {
    const id = await insertItem(harness.db, {
      kind: 'notice',
      sourceKind: 'liaison',
      sourceAgency: 'AUD',
      reporter: ITEM_REPORTER,
    });
    const at = (minute: number) => new Date(Date.UTC(2025, 5, 10, 2, minute));
    // Written directly, to give each entry its own time.
    await harness.db.insert(auditLog).values([
      { actorId: null, action: 'item.created', itemId: id, details: { ...REPORTER_ACTOR }, at: at(0) },
      { actorId: null, action: 'item.routed', itemId: id, details: { mustInvestigate: true }, at: at(1) },
      {
        actorId: OFFICER_A,
        action: 'item.accepted',
        itemId: id,
        details: { from: 'new', to: 'accepted' },
        at: at(2),
      },
      { actorId: OFFICER_B, action: 'item.assigned', itemId: id, details: { to: OFFICER_A }, at: at(3) },
      // The item's own reporter (not enrolled) acting under their id, and an enrolled reporter: both sealed.
      { actorId: ITEM_REPORTER, action: 'item.addition', itemId: id, at: at(4) },
      { actorId: OTHER_MONITOR, action: 'item.answer', itemId: id, at: at(5) },
      // Nobody enrolled by that id any more.
      {
        actorId: GONE,
        action: 'item.closed',
        itemId: id,
        details: { from: 'accepted', to: 'closed' },
        at: at(6),
      },
      { actorId: OFFICER_A, action: 'item.viewed', itemId: id, at: at(7) },
    ]);
    const history = await itemHistory(harness.db, id, admin);
    expect(history?.item.id).toBe(id);
    const reporter = { kind: 'reporter', source: { kind: 'liaison', noticeAgency: 'AUD' } };
    const wang = { kind: 'staff', role: 'officer', name: '王科员' };
    expect(history?.entries.map(({ action, actor, change }) => ({ action, actor, change }))).toEqual([
      { action: 'item.created', actor: reporter, change: null },
      { action: 'item.routed', actor: { kind: 'system' }, change: null },
      { action: 'item.accepted', actor: wang, change: { from: 'new', to: 'accepted' } },
      {
        action: 'item.assigned',
        actor: { kind: 'staff', role: 'officer', name: `#${OFFICER_B}` },
        change: null,
      },
      { action: 'item.addition', actor: reporter, change: null },
      { action: 'item.answer', actor: reporter, change: null },
      {
        action: 'item.closed',
        actor: { kind: 'staff', role: 'admin', name: `#${GONE}` },
        change: { from: 'accepted', to: 'closed' },
      },
      { action: 'item.viewed', actor: wang, change: null },
    ]);
    expect(history?.entries.map((entry) => entry.at.getTime())).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((m) => at(m).getTime()),
    );
    expect(JSON.stringify(history?.entries)).not.toMatch(new RegExp(`${ITEM_REPORTER}|${OTHER_MONITOR}`));
  });

  it('is null for an item the viewer cannot see, or that does not exist', async () => {
    const hidden = await insertItem(harness.db, { adminsOnly: true, unitCode: 'ZZB' });
    expect(await itemHistory(harness.db, hidden, { telegramId: OFFICER_A, admin: false })).toBeNull();
    expect(await itemHistory(harness.db, 999_999, admin)).toBeNull();
    expect(await itemHistory(harness.db, hidden, admin)).toEqual({
      item: expect.objectContaining({ id: hidden }),
      entries: [],
    });
  });
});
