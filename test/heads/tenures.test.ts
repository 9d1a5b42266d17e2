import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { auditLog, headTenures } from '../../src/db/schema.js';
import { insertDeduction, insertMarks, loadObligations } from '../../src/heads/store.js';
import { headKeyForItem, itemHead, listHeads, recordHeadChange } from '../../src/heads/tenures.js';
import { createHarness, type Harness } from '../support/harness.js';

const ZONE = 'Asia/Shanghai';
const acting = (iso: string) => ({ actorId: 1, now: new Date(iso), timeZone: ZONE });

describe('heads with tenure on a real database', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('records a head, then a successor: the previous tenure ends the day before, talks and a departure audit follow, audited', async () => {
    const first = await recordHeadChange(
      harness.db,
      { unitCode: 'hpz', name: '张伟', title: '党委书记', from: '2025-01-06' },
      acting('2025-01-06T02:00:00Z'),
    );
    expect(first).toMatchObject({
      kind: 'recorded',
      started: { unitCode: 'HPZ', name: '张伟', title: '党委书记', from: '2025-01-06', to: null },
      ended: [],
      obligations: 1,
    });
    const second = await recordHeadChange(
      harness.db,
      { unitCode: 'HPZ', name: '李强', title: null, from: '2025-03-03' },
      acting('2025-03-03T02:00:00Z'),
    );
    expect(second).toMatchObject({
      kind: 'recorded',
      started: { name: '李强', from: '2025-03-03' },
      ended: [{ name: '张伟', unitCode: 'HPZ', from: '2025-01-06', to: '2025-03-02' }],
      obligations: 3,
    });
    const open = await loadObligations(harness.db, { openOnly: true });
    expect(open.map((o) => [o.kind, o.kind === 'talk' ? o.occasion : o.reason, o.dueOn])).toEqual([
      // Ten working days for a talk; twenty for commissioning the departure audit (Mon–Fri).
      ['talk', 'post_adjusted', '2025-01-20'],
      ['talk', 'post_adjusted', '2025-03-17'],
      ['talk', 'post_adjusted', '2025-03-17'],
      ['audit', 'departure', '2025-03-31'],
    ]);
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'head.recorded'));
    expect(audits).toHaveLength(2);
  });

  it('refuses a start on or before the current head’s, a head recorded twice, and an unknown unit', async () => {
    expect(
      await recordHeadChange(
        harness.db,
        { unitCode: 'HPZ', name: '王五', title: null, from: '2025-03-03' },
        acting('2025-03-04T02:00:00Z'),
      ),
    ).toMatchObject({ kind: 'refused', reason: 'starts_before_current', conflict: { name: '李强' } });
    expect(
      await recordHeadChange(
        harness.db,
        { unitCode: 'HPZ', name: '李强', title: null, from: '2025-04-01' },
        acting('2025-04-01T02:00:00Z'),
      ),
    ).toMatchObject({ kind: 'ask_same_person' });
    expect(
      await recordHeadChange(
        harness.db,
        { unitCode: 'NOPE', name: '王五', title: null, from: null },
        acting('2025-04-01T02:00:00Z'),
      ),
    ).toEqual({ kind: 'unknown_unit' });
    // The database keeps one head in office per unit whatever a caller does.
    await expect(
      harness.db.execute(
        sql`insert into head_tenures (person_key, unit_code, from_date) values ('x', 'HPZ', '2026-01-01')`,
      ),
    ).rejects.toThrow();
  });

  it('a namesake is a question; "same person" moves them with their record, "new" keeps two people apart', async () => {
    const asked = await recordHeadChange(
      harness.db,
      { unitCode: 'DXZ', name: '张伟', title: '镇长', from: '2025-05-06' },
      acting('2025-05-06T02:00:00Z'),
    );
    if (asked.kind !== 'ask_same_person') throw new Error(`asked: ${asked.kind}`);
    expect(asked.candidates.map((c) => [c.person.name, c.tenures.map((t) => t.unitCode)])).toEqual([
      ['张伟', ['HPZ']],
    ]);
    const zhangKey = asked.candidates[0]?.person.key ?? '';
    const moved = await recordHeadChange(
      harness.db,
      {
        unitCode: 'DXZ',
        name: '张伟',
        title: '镇长',
        from: '2025-05-06',
        identity: { kind: 'same', personKey: zhangKey },
      },
      acting('2025-05-06T02:00:00Z'),
    );
    expect(moved).toMatchObject({ kind: 'recorded', started: { personKey: zhangKey, unitCode: 'DXZ' } });
    const namesake = await recordHeadChange(
      harness.db,
      { unitCode: 'JXJD', name: '张 伟', title: null, from: '2025-05-06', identity: { kind: 'new' } },
      acting('2025-05-06T02:00:00Z'),
    );
    if (namesake.kind !== 'recorded') throw new Error(namesake.kind);
    expect(namesake.started.personKey).not.toBe(zhangKey);
    const rows = await harness.db.select().from(headTenures).where(eq(headTenures.personKey, zhangKey));
    expect(rows.map((r) => [r.unitCode, r.fromDate, r.toDate])).toEqual([
      ['HPZ', '2025-01-06', '2025-03-02'],
      ['DXZ', '2025-05-06', null],
    ]);
  });

  it('an item is about the head on the day it arrived in the county, else the unit’s unknown head', async () => {
    // 2025-03-02T17:00Z is 3 March in Shanghai: 李强's first day.
    const li = await headKeyForItem(harness.db, 'HPZ', new Date('2025-03-02T17:00:00Z'), ZONE);
    const zhang = await headKeyForItem(harness.db, 'HPZ', new Date('2025-03-02T15:00:00Z'), ZONE);
    expect(li).not.toBe(zhang);
    expect(await headKeyForItem(harness.db, 'HPZ', new Date('2024-01-01T02:00:00Z'), ZONE)).toBe(
      'unknown:HPZ',
    );
    const head = await itemHead(
      harness.db,
      { unitCode: 'HPZ', headPersonKey: null, createdAt: new Date('2025-03-02T15:00:00Z') },
      { now: new Date('2025-06-01T02:00:00Z'), timeZone: ZONE, includeAdminsOnly: false },
    );
    expect(head).toMatchObject({ personKey: zhang, name: '张伟', title: '党委书记', card: { yearTotal: 0 } });
  });

  it('/heads: current heads with their cards; a unit’s heads over time; 必下 only for admins', async () => {
    const [zhang] = await queryRows<{ person_key: string }>(
      harness.db,
      sql`select person_key from head_tenures where unit_code = 'DXZ'`,
    );
    const key = zhang?.person_key ?? '';
    await insertDeduction(harness.db, {
      personKey: key,
      unitCode: 'HPZ',
      headName: '张伟',
      year: 2025,
      points: 2,
      itemId: 1,
    });
    await insertMarks(harness.db, [
      {
        key: 'must_remove:discipline_or_law_violation:item:1',
        personKey: key,
        unitCode: 'DXZ',
        reason: 'discipline_or_law_violation',
        raisedOn: '2025-05-20',
        itemId: 1,
        status: { state: 'pending' },
      },
    ]);
    const context = { now: new Date('2025-06-01T02:00:00Z'), timeZone: ZONE };
    const officerView = await listHeads(harness.db, { unitCode: null }, { ...context, admin: false });
    if (officerView.kind !== 'listed') throw new Error(officerView.kind);
    expect(officerView.lines.map((l) => [l.unitCode, l.name, l.card.yearTotal, l.mustRemove.length])).toEqual(
      [
        ['DXZ', '张伟', 2, 0],
        ['HPZ', '李强', 0, 0],
        ['JXJD', '张 伟', 0, 0],
      ],
    );
    const adminView = await listHeads(harness.db, { unitCode: 'hpz' }, { ...context, admin: true });
    if (adminView.kind !== 'listed') throw new Error(adminView.kind);
    expect(adminView.lines.map((l) => [l.name, l.from, l.to, l.card.yearTotal, l.mustRemove.length])).toEqual(
      [
        ['张伟', '2025-01-06', '2025-03-02', 2, 1],
        ['李强', '2025-03-03', null, 0, 0],
      ],
    );
    expect(await listHeads(harness.db, { unitCode: 'NOPE' }, { ...context, admin: true })).toEqual({
      kind: 'unknown_unit',
    });
  });
});
