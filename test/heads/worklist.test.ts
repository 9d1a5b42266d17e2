import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { auditLog, units } from '../../src/db/schema.js';
import { loadMarks, loadObligations } from '../../src/heads/store.js';
import { recordHeadChange } from '../../src/heads/tenures.js';
import {
  addTalk,
  type ItemFacts,
  listWorklist,
  raiseOnConclusion,
  raiseOnHandling,
  resolveMark,
  settleObligation,
} from '../../src/heads/worklist.js';
import { createHarness, type Harness } from '../support/harness.js';

const ZONE = 'Asia/Shanghai';
const at = (iso: string) => ({ now: new Date(iso), timeZone: ZONE });
const officer = (iso: string) => ({ actorId: 7, ...at(iso), hiddenUnits: ['ZZB'] });
const admin = (iso: string) => ({ actorId: 8, ...at(iso), hiddenUnits: [] });

describe('the talks and audits worklist on a real database', () => {
  let harness: Harness;
  let zhang = '';
  const item = (id: number, values: Partial<ItemFacts> = {}): ItemFacts => ({
    id,
    domain: 'I',
    unitCode: 'HPZ',
    sourceAgency: null,
    headPersonKey: zhang,
    createdAt: new Date('2025-06-02T02:00:00Z'),
    ...values,
  });

  beforeAll(async () => {
    harness = await createHarness();
    const recorded = await recordHeadChange(
      harness.db,
      { unitCode: 'HPZ', name: '张伟', title: null, from: '2025-06-02' },
      { actorId: 1, ...at('2025-06-02T02:00:00Z') },
    );
    if (recorded.kind !== 'recorded') throw new Error(recorded.kind);
    zhang = recorded.started.personKey;
  });
  afterAll(() => harness.close());

  it('an integrity item taken up raises one integrity talk with its head; a second item joins it; other domains raise none', async () => {
    expect(await raiseOnHandling(harness.db, item(1), at('2025-06-03T02:00:00Z'))).toBe(1);
    expect(await raiseOnHandling(harness.db, item(1), at('2025-06-03T02:00:00Z'))).toBe(0);
    expect(await raiseOnHandling(harness.db, item(2), at('2025-06-04T02:00:00Z'))).toBe(0);
    expect(await raiseOnHandling(harness.db, item(3, { domain: 'F' }), at('2025-06-04T02:00:00Z'))).toBe(0);
    const talks = (await loadObligations(harness.db, { personKey: zhang })).filter(
      (o) => o.kind === 'talk' && o.occasion === 'integrity_reports',
    );
    expect(talks.map((o) => [o.itemId, o.createdOn, o.dueOn])).toEqual([[1, '2025-06-03', '2025-06-17']]);
  });

  it('a serious audit conclusion creates next year’s follow-up audit; a referral marks the head 必下', async () => {
    const raised = await raiseOnConclusion(
      harness.db,
      item(4, { domain: 'F', sourceAgency: 'AUD' }),
      { finding: 'substantiated', measures: ['points', 'referred'], points: 2, note: '' },
      at('2025-06-10T02:00:00Z'),
    );
    expect(raised).toEqual({ obligations: 1, mustRemove: true });
    const followUp = (await loadObligations(harness.db, { personKey: zhang })).find(
      (o) => o.kind === 'audit' && o.reason === 'follow_up',
    );
    expect(followUp).toMatchObject({
      unitCode: 'HPZ',
      itemId: 4,
      startsOn: '2026-01-01',
      dueOn: '2026-12-31',
    });
    expect(
      (await loadMarks(harness.db, { personKey: zhang })).map((m) => [m.reason, m.status.state]),
    ).toEqual([['discipline_or_law_violation', 'pending']]);
    // Not shown before next year.
    const now = await listWorklist(harness.db, { ...at('2025-06-10T02:00:00Z'), hiddenUnits: [] });
    expect(now.some((o) => o.key === followUp?.key)).toBe(false);
  });

  it('a conclusion recording that discipline or law-enforcement bodies investigated the head marks them 必下 without a referral', async () => {
    const li = await recordHeadChange(
      harness.db,
      { unitCode: 'SPZ', name: '李强', title: null, from: '2025-06-02' },
      { actorId: 1, ...at('2025-06-02T02:00:00Z') },
    );
    if (li.kind !== 'recorded') throw new Error(li.kind);
    const key = li.started.personKey;
    const raised = await raiseOnConclusion(
      harness.db,
      item(40, { domain: 'F', unitCode: 'SPZ', headPersonKey: key }),
      { finding: 'partly', measures: ['criticism'], points: null, note: '', investigated: true },
      at('2025-06-10T02:00:00Z'),
    );
    expect(raised.mustRemove).toBe(true);
    expect((await loadMarks(harness.db, { personKey: key })).map((m) => [m.reason, m.itemId])).toEqual([
      ['discipline_or_law_violation', 40],
    ]);
    // Without it (and without a referral), nothing.
    const plain = await raiseOnConclusion(
      harness.db,
      item(41, { domain: 'F', unitCode: 'SPZ', headPersonKey: key }),
      { finding: 'partly', measures: ['criticism'], points: null, note: '' },
      at('2025-06-10T02:00:00Z'),
    );
    expect(plain.mustRemove).toBe(false);
    expect(await loadMarks(harness.db, { personKey: key })).toHaveLength(1);
  });

  it('an admin records the 必下 outcome once; the mark is no longer pending, and the step is audited', async () => {
    const [mark] = await loadMarks(harness.db, { personKey: zhang, pendingOnly: true });
    if (!mark) throw new Error('no pending mark');
    const resolved = await resolveMark(
      harness.db,
      { id: mark.id, outcome: 'removed' },
      { actorId: 8, ...at('2025-06-12T02:00:00Z') },
    );
    expect(resolved).toMatchObject({
      kind: 'resolved',
      name: '张伟',
      mark: { status: { state: 'resolved', outcome: 'removed', on: '2025-06-12', note: null } },
    });
    expect(
      await resolveMark(
        harness.db,
        { id: mark.id, outcome: 'cleared' },
        { actorId: 8, ...at('2025-06-12T02:00:00Z') },
      ),
    ).toEqual({ kind: 'refused', reason: 'not_pending' });
    expect(await loadMarks(harness.db, { personKey: zhang, pendingOnly: true })).toEqual([]);
    const audits = await harness.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'head.must_remove_resolved'));
    expect(audits.map((a) => a.details)).toEqual([
      { id: mark.id, person: zhang, unit: 'HPZ', outcome: 'removed' },
    ]);
  });

  it('/talks add: a talk for any occasion with the head in office, once per request; ZZB is not an officer’s', async () => {
    const added = await addTalk(
      harness.db,
      { unitCode: 'hpz', occasion: 'team_disunity', nonce: '555' },
      officer('2025-06-05T02:00:00Z'),
    );
    expect(added).toMatchObject({
      kind: 'added',
      name: '张伟',
      obligation: { personKey: zhang, dueOn: '2025-06-19' },
    });
    expect(
      await addTalk(
        harness.db,
        { unitCode: 'HPZ', occasion: 'team_disunity', nonce: '555' },
        officer('2025-06-05T02:00:00Z'),
      ),
    ).toEqual({ kind: 'exists' });
    expect(
      await addTalk(
        harness.db,
        { unitCode: 'ZZB', occasion: 'setback', nonce: '556' },
        officer('2025-06-05T02:00:00Z'),
      ),
    ).toEqual({ kind: 'hidden' });
    const zzb = await addTalk(
      harness.db,
      { unitCode: 'ZZB', occasion: 'setback', nonce: '557' },
      admin('2025-06-05T02:00:00Z'),
    );
    expect(zzb).toMatchObject({ kind: 'added', name: null, obligation: { personKey: 'unknown:ZZB' } });
    const forOfficer = await listWorklist(harness.db, {
      ...at('2025-06-05T02:00:00Z'),
      hiddenUnits: ['ZZB'],
    });
    const forAdmin = await listWorklist(harness.db, { ...at('2025-06-05T02:00:00Z'), hiddenUnits: [] });
    expect(forOfficer.some((o) => o.unitCode === 'ZZB')).toBe(false);
    expect(forAdmin.some((o) => o.unitCode === 'ZZB')).toBe(true);
    // Oldest due first.
    const dues = forAdmin.map((o) => o.dueOn);
    expect(dues).toEqual([...dues].sort());
  });

  it('done with a sealed note, not needed with a required reason; each once; audited without the text', async () => {
    const list = await listWorklist(harness.db, { ...at('2025-06-20T02:00:00Z'), hiddenUnits: [] });
    const talk = list.find((o) => o.kind === 'talk' && o.occasion === 'integrity_reports');
    const post = list.find((o) => o.kind === 'talk' && o.occasion === 'post_adjusted');
    if (!talk || !post) throw new Error('missing obligations');
    expect(talk.overdue).toBe(true);
    const done = await settleObligation(
      harness.db,
      { id: talk.id, action: 'done', text: '已由县委副书记谈话，本人作了说明' },
      officer('2025-06-20T02:00:00Z'),
    );
    expect(done).toMatchObject({
      kind: 'settled',
      obligation: { status: { state: 'done', on: '2025-06-20', note: '已由县委副书记谈话，本人作了说明' } },
    });
    expect(
      await settleObligation(
        harness.db,
        { id: talk.id, action: 'done', text: null },
        officer('2025-06-20T02:00:00Z'),
      ),
    ).toEqual({ kind: 'refused', reason: 'not_open' });
    expect(
      await settleObligation(
        harness.db,
        { id: post.id, action: 'not_needed', text: '  ' },
        officer('2025-06-20T02:00:00Z'),
      ),
    ).toEqual({ kind: 'refused', reason: 'reason_required' });
    expect(
      await settleObligation(
        harness.db,
        { id: 999_999, action: 'done', text: null },
        officer('2025-06-20T02:00:00Z'),
      ),
    ).toEqual({ kind: 'not_found' });
    const after = await listWorklist(harness.db, { ...at('2025-06-20T02:00:00Z'), hiddenUnits: [] });
    expect(after.some((o) => o.id === talk.id)).toBe(false);
    const [stored] = await queryRows<{ note: string }>(
      harness.db,
      sql`select note from obligations where id = ${talk.id}`,
    );
    expect(stored?.note).not.toContain('谈话');
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'obligation.done'));
    expect(audits.map((a) => a.details)).toEqual([{ id: talk.id, key: talk.key, noted: true }]);
  });

  it('heads of A-class units get a two-yearly audit, shown 60 days before it is due', async () => {
    await harness.db.update(units).set({ auditClass: 'A' }).where(eq(units.code, 'HPZ'));
    const early = await listWorklist(harness.db, { ...at('2027-03-01T02:00:00Z'), hiddenUnits: [] });
    expect(early.some((o) => o.kind === 'audit' && o.reason === 'two_yearly')).toBe(false);
    const later = await listWorklist(harness.db, { ...at('2027-04-10T02:00:00Z'), hiddenUnits: [] });
    const audit = later.find((o) => o.kind === 'audit' && o.reason === 'two_yearly');
    // Two years after 2025-06-02 is a Wednesday: due that day.
    expect(audit).toMatchObject({ personKey: zhang, unitCode: 'HPZ', dueOn: '2027-06-02', name: '张伟' });
  });
});
