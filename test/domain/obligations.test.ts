import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCalendar, isWorkingDate, parseCalendarCsv } from '../../src/domain/calendar.js';
import { type Person, recordHead, type Tenure } from '../../src/domain/heads.js';
import type { Conclusion } from '../../src/domain/item-state.js';
import { addCalendarDays } from '../../src/domain/local-date.js';
import {
  AUDIT_REASONS,
  completeObligation,
  DEPARTURE_AUDIT_WORKING_DAYS,
  dismissObligation,
  hasSeriousFindings,
  isAuditRelated,
  isObligationOverdue,
  manualTalk,
  type Obligation,
  type ObligationPlan,
  obligationsForConclusion,
  obligationsForHandling,
  obligationsForHeadChange,
  overdueObligations,
  planTwoYearlyAudits,
  reopenObligation,
  startsHandling,
  supersedeObligation,
  TALK_DUE_WORKING_DAYS,
  TALK_OCCASIONS,
  worklist,
} from '../../src/domain/obligations.js';

const parsed = parseCalendarCsv(
  readFileSync(new URL('./fixtures/holidays-2026.csv', import.meta.url), 'utf8'),
);
if (!parsed.ok) throw new Error('the 2026 fixture must parse');
const CN2026 = buildCalendar(parsed.entries);

const ZHANG = 'p-zhang';
const LI = 'p-li';
const WANG = 'p-wang';

function headChange(
  state: { persons: Person[]; tenures: Tenure[] },
  unitCode: string,
  name: string,
  from: string,
  key: string,
  same?: string,
) {
  const r = recordHead(state, {
    unitCode,
    name,
    title: null,
    from,
    newPersonKey: key,
    ...(same ? { identity: { kind: 'same' as const, personKey: same } } : {}),
  });
  if (r.kind !== 'recorded') throw new Error(`expected recorded: ${JSON.stringify(r)}`);
  return r;
}

function keys(p: ObligationPlan): string[] {
  return p.create.map((o) => o.key);
}

const conclusion = (c: Partial<Conclusion>): Conclusion => ({
  finding: 'substantiated',
  measures: [],
  points: null,
  note: '',
  ...c,
});

describe('the eight talk occasions and three audit reasons', () => {
  it('are all there, in the document’s order, each talk with a due period', () => {
    expect(TALK_OCCASIONS).toEqual([
      'post_adjusted',
      'assessment_feedback',
      'team_disunity',
      'commendation',
      'setback',
      'head_requested',
      'integrity_reports',
      'other',
    ]);
    expect(AUDIT_REASONS).toEqual(['departure', 'two_yearly', 'follow_up']);
    for (const o of TALK_OCCASIONS) expect(TALK_DUE_WORKING_DAYS[o]).toBeGreaterThan(0);
  });
});

describe('obligationsForHeadChange', () => {
  const first = headChange({ persons: [], tenures: [] }, 'HPZ', '张伟', '2026-03-02', ZHANG);

  it('a first head: a post-adjustment talk with them, due in 10 working days', () => {
    const p = obligationsForHeadChange({ ...first, recordedOn: '2026-03-02', existing: [] });
    expect(p.create).toEqual([
      {
        kind: 'talk',
        occasion: 'post_adjusted',
        key: 'talk:post_adjusted:p-zhang:2026-03-02',
        personKey: ZHANG,
        unitCode: 'HPZ',
        itemId: null,
        createdOn: '2026-03-02',
        startsOn: '2026-03-02',
        dueOn: '2026-03-16',
        status: { state: 'open' },
      },
    ]);
    expect(p.supersede).toEqual([]);
  });

  it('a successor: talks with the incoming and the outgoing head, and a departure audit of the outgoing', () => {
    const second = headChange(first, 'HPZ', '李强', '2026-09-01', LI);
    const p = obligationsForHeadChange({
      ...second,
      recordedOn: '2026-09-01',
      existing: [],
      calendar: CN2026,
    });
    expect(
      p.create.map((o) => [o.kind, o.kind === 'talk' ? o.occasion : o.reason, o.personKey, o.unitCode]),
    ).toEqual([
      ['talk', 'post_adjusted', LI, 'HPZ'],
      ['talk', 'post_adjusted', ZHANG, 'HPZ'],
      ['audit', 'departure', ZHANG, 'HPZ'],
    ]);
    const audit = p.create[2]!;
    expect(audit.key).toBe('audit:departure:p-zhang:HPZ:2026-08-31');
    // 20 working days after 1 Sep 2026: the make-up Sunday 20 Sep counts, 中秋节 25 Sep does not.
    expect(audit.dueOn).toBe('2026-09-29');
    expect(DEPARTURE_AUDIT_WORKING_DAYS).toBe(20);
  });

  it('the same change handled twice creates nothing the second time', () => {
    const second = headChange(first, 'HPZ', '李强', '2026-09-01', LI);
    const once = obligationsForHeadChange({ ...second, recordedOn: '2026-09-01', existing: [] });
    const twice = obligationsForHeadChange({ ...second, recordedOn: '2026-09-01', existing: once.create });
    expect(twice.create).toEqual([]);
  });

  it('a head who moves into a unit with a head: one talk for the mover, two departures', () => {
    let s = headChange(first, 'DXZ', '王芳', '2026-04-01', WANG);
    s = headChange(s, 'DXZ', '张伟', '2027-01-04', 'unused', ZHANG);
    const p = obligationsForHeadChange({ ...s, recordedOn: '2027-01-04', existing: [] });
    expect(keys(p)).toEqual([
      'talk:post_adjusted:p-zhang:2027-01-04',
      'talk:post_adjusted:p-wang:2027-01-04',
      'audit:departure:p-wang:DXZ:2027-01-03',
      'audit:departure:p-zhang:HPZ:2027-01-03',
    ]);
    expect(p.create[0]!.unitCode).toBe('DXZ'); // the talk is about the new post
  });

  it('a change recorded late starts the clock when the section learned of it', () => {
    const p = obligationsForHeadChange({ ...first, recordedOn: '2026-04-01', existing: [] });
    expect(p.create[0]).toMatchObject({ createdOn: '2026-04-01', dueOn: '2026-04-15' });
    // Recorded ahead of time: the clock starts on the first day in office.
    const early = obligationsForHeadChange({ ...first, recordedOn: '2026-02-20', existing: [] });
    expect(early.create[0]).toMatchObject({ createdOn: '2026-03-02', dueOn: '2026-03-16' });
  });

  it('the departure audit supersedes the leaver’s open two-yearly audit at that unit', () => {
    const twoYearly: Obligation = {
      kind: 'audit',
      reason: 'two_yearly',
      key: 'audit:two_yearly:p-zhang:HPZ:2028-03-02',
      personKey: ZHANG,
      unitCode: 'HPZ',
      itemId: null,
      createdOn: '2028-01-02',
      startsOn: '2028-01-02',
      dueOn: '2028-03-02',
      status: { state: 'open' },
    };
    const second = headChange(first, 'HPZ', '李强', '2028-02-01', LI);
    const p = obligationsForHeadChange({ ...second, recordedOn: '2028-02-01', existing: [twoYearly] });
    expect(p.supersede).toEqual([{ key: twoYearly.key, byKey: 'audit:departure:p-zhang:HPZ:2028-01-31' }]);
  });
});

describe('obligationsForHandling (an integrity item accepted)', () => {
  const base = {
    itemId: 7,
    domain: 'I' as const,
    personKey: ZHANG,
    unitCode: 'HPZ',
    on: '2026-09-24',
    existing: [],
  };

  it('creates an integrity talk with the head the item is about, on working days', () => {
    const p = obligationsForHandling({ ...base, calendar: CN2026 });
    expect(p.create).toMatchObject([
      {
        kind: 'talk',
        occasion: 'integrity_reports',
        key: 'talk:integrity_reports:item:7',
        itemId: 7,
        personKey: ZHANG,
      },
    ]);
    // 10 working days from Thursday 24 Sep across 中秋节 and 国庆节, with the make-up Saturday 10 Oct.
    expect(p.create[0]!.dueOn).toBe('2026-10-15');
    expect(obligationsForHandling(base).create[0]!.dueOn).toBe('2026-10-08'); // Monday–Friday only
  });

  it('only for integrity items', () => {
    for (const domain of ['D', 'F', 'P', 'S', 'O'] as const) {
      expect(obligationsForHandling({ ...base, domain }).create).toEqual([]);
    }
  });

  it('a second integrity item while the talk is open joins it; once done, a new one creates a new talk', () => {
    const first = obligationsForHandling(base).create;
    const joined = obligationsForHandling({ ...base, itemId: 8, existing: first });
    expect(joined).toEqual({ create: [], supersede: [], alreadyOpen: ['talk:integrity_reports:item:7'] });
    const done = completeObligation(first[0]!, { on: '2026-10-01' });
    if (!done.ok) throw new Error('expected done');
    const again = obligationsForHandling({ ...base, itemId: 9, existing: [done.obligation] });
    expect(keys(again)).toEqual(['talk:integrity_reports:item:9']);
    // The same item accepted twice (verify, then accept) never creates a second talk.
    expect(obligationsForHandling({ ...base, existing: [done.obligation] }).create).toEqual([]);
  });

  it('handling starts when a new item is accepted or sent to verification', () => {
    expect(startsHandling('new', 'accepted')).toBe(true);
    expect(startsHandling('new', 'verifying')).toBe(true);
    expect(startsHandling('verifying', 'accepted')).toBe(false);
    expect(startsHandling('new', 'filed')).toBe(false);
  });

  it('an item about a unit with no head recorded is about its unknown head', () => {
    const p = obligationsForHandling({ ...base, personKey: 'unknown:HPZ' });
    expect(p.create[0]!.personKey).toBe('unknown:HPZ');
  });
});

describe('obligationsForConclusion (follow-up audit)', () => {
  const base = {
    itemId: 3,
    auditRelated: true,
    conclusion: conclusion({ measures: ['points'], points: 2 }),
    personKey: ZHANG,
    unitCode: 'JSJ',
    on: '2026-11-20',
    existing: [] as Obligation[],
  };

  it('serious findings on an audit item: a follow-up audit of the unit next year', () => {
    expect(obligationsForConclusion(base).create).toEqual([
      {
        kind: 'audit',
        reason: 'follow_up',
        key: 'audit:follow_up:JSJ:2027',
        personKey: ZHANG,
        unitCode: 'JSJ',
        itemId: 3,
        createdOn: '2026-11-20',
        startsOn: '2027-01-01',
        dueOn: '2027-12-31',
        status: { state: 'open' },
      },
    ]);
  });

  it('one per unit and year however many serious conclusions', () => {
    const first = obligationsForConclusion(base).create;
    expect(obligationsForConclusion({ ...base, itemId: 4, existing: first }).create).toEqual([]);
  });

  it('nothing for minor findings, unsubstantiated ones, or items not from audit work', () => {
    expect(
      obligationsForConclusion({ ...base, conclusion: conclusion({ measures: ['talk', 'criticism'] }) })
        .create,
    ).toEqual([]);
    expect(
      obligationsForConclusion({
        ...base,
        conclusion: conclusion({ finding: 'unsubstantiated', measures: ['referred'] }),
      }).create,
    ).toEqual([]);
    expect(obligationsForConclusion({ ...base, auditRelated: false }).create).toEqual([]);
    // The officer's own word overrides the heuristic, both ways.
    expect(
      obligationsForConclusion({
        ...base,
        conclusion: conclusion({ measures: ['criticism'] }),
        serious: true,
      }).create,
    ).toHaveLength(1);
    expect(obligationsForConclusion({ ...base, serious: false }).create).toEqual([]);
  });

  it('serious findings and audit-related items', () => {
    expect(hasSeriousFindings(conclusion({ finding: 'partly', measures: ['demoted'] }))).toBe(true);
    expect(hasSeriousFindings(conclusion({ measures: [] }))).toBe(false);
    expect(isAuditRelated({ sourceAgency: 'AUD' })).toBe(true);
    expect(isAuditRelated({ sourceAgency: 'FIN' })).toBe(false);
    expect(isAuditRelated({ sourceAgency: null })).toBe(false);
  });
});

describe('planTwoYearlyAudits (A-class units)', () => {
  const tenure: Tenure = { personKey: ZHANG, unitCode: 'HPZ', title: null, from: '2024-03-01', to: null };
  const A = new Set(['HPZ']);

  it('due on the second anniversary of the tenure’s start, moved off a Sunday, shown 60 days ahead', () => {
    const input = { tenures: [tenure], aClassUnits: A, existing: [] };
    expect(planTwoYearlyAudits({ ...input, today: '2025-12-31' }).create).toEqual([]);
    const p = planTwoYearlyAudits({ ...input, today: '2026-01-01' });
    expect(p.create).toEqual([
      {
        kind: 'audit',
        reason: 'two_yearly',
        key: 'audit:two_yearly:p-zhang:HPZ:2026-03-02',
        personKey: ZHANG,
        unitCode: 'HPZ',
        itemId: null,
        createdOn: '2026-01-01',
        startsOn: '2026-01-01',
        dueOn: '2026-03-02', // 1 March 2026 is a Sunday
        status: { state: 'open' },
      },
    ]);
    expect(planTwoYearlyAudits({ ...input, today: '2026-01-02', existing: p.create }).create).toEqual([]);
  });

  it('once done, the next is due two years after the audit', () => {
    const p = planTwoYearlyAudits({ tenures: [tenure], aClassUnits: A, existing: [], today: '2026-01-01' });
    const done = completeObligation(p.create[0]!, { on: '2026-03-10', note: '审计局 2026-12' });
    if (!done.ok) throw new Error('expected done');
    const input = { tenures: [tenure], aClassUnits: A, existing: [done.obligation] };
    expect(planTwoYearlyAudits({ ...input, today: '2028-01-09' }).create).toEqual([]);
    expect(planTwoYearlyAudits({ ...input, today: '2028-01-10' }).create).toMatchObject([
      { dueOn: '2028-03-10', startsOn: '2028-01-10' },
    ]);
  });

  it('nothing for other classes, for heads not in office, or while one is open (even overdue)', () => {
    expect(
      planTwoYearlyAudits({
        tenures: [tenure],
        aClassUnits: new Set(['DXZ']),
        existing: [],
        today: '2026-06-01',
      }).create,
    ).toEqual([]);
    const left = { ...tenure, to: '2025-12-31' };
    expect(
      planTwoYearlyAudits({ tenures: [left], aClassUnits: A, existing: [], today: '2026-06-01' }).create,
    ).toEqual([]);
    const p = planTwoYearlyAudits({ tenures: [tenure], aClassUnits: A, existing: [], today: '2026-01-01' });
    expect(
      planTwoYearlyAudits({ tenures: [tenure], aClassUnits: A, existing: p.create, today: '2027-06-01' })
        .create,
    ).toEqual([]);
  });
});

describe('states: open, done, not needed', () => {
  const t = manualTalk({
    occasion: 'commendation',
    personKey: ZHANG,
    unitCode: 'HPZ',
    on: '2026-11-02',
    nonce: 'u42',
  });

  it('a talk by hand for any occasion, keyed by its request so a retry is one talk', () => {
    expect(t).toMatchObject({
      key: 'talk:commendation:p-zhang:manual:u42',
      dueOn: '2026-11-16',
      itemId: null,
    });
    expect(
      manualTalk({
        occasion: 'head_requested',
        personKey: ZHANG,
        unitCode: 'HPZ',
        on: '2026-11-02',
        nonce: 'u43',
      }).dueOn,
    ).toBe('2026-11-09');
  });

  it('done with an optional note; not needed with a reason; both only from open', () => {
    const done = completeObligation(t, { on: '2026-11-05', note: '  谈话已进行  ' });
    expect(done).toEqual({
      ok: true,
      obligation: { ...t, status: { state: 'done', on: '2026-11-05', note: '谈话已进行' } },
    });
    expect(completeObligation(t, { on: '2026-11-05', note: ' ' })).toMatchObject({
      obligation: { status: { note: null } },
    });
    if (!done.ok) return;
    expect(completeObligation(done.obligation, { on: '2026-11-06' })).toEqual({
      ok: false,
      reason: 'not_open',
    });
    expect(dismissObligation(done.obligation, { on: '2026-11-06', reason: 'x' })).toEqual({
      ok: false,
      reason: 'not_open',
    });
    expect(dismissObligation(t, { on: '2026-11-06', reason: '  ' })).toEqual({
      ok: false,
      reason: 'reason_required',
    });
    expect(dismissObligation(t, { on: '2026-11-06', reason: '已在考察反馈时谈过' })).toMatchObject({
      ok: true,
      obligation: { status: { state: 'not_needed', reason: { kind: 'stated', text: '已在考察反馈时谈过' } } },
    });
    expect(completeObligation(t, { on: '2026-11-31' })).toEqual({ ok: false, reason: 'invalid_date' });
    expect(completeObligation(t, { on: '2026-11-05', note: '长'.repeat(2001) })).toEqual({
      ok: false,
      reason: 'note_too_long',
    });
    expect(supersedeObligation(t, { on: '2026-11-05', byKey: 'k' })).toMatchObject({
      obligation: { status: { state: 'not_needed', reason: { kind: 'superseded', byKey: 'k' } } },
    });
  });

  it('reopen undoes a settled obligation, keeping its due day', () => {
    const done = completeObligation(t, { on: '2026-11-05' });
    if (!done.ok) throw new Error('expected done');
    expect(reopenObligation(done.obligation)).toEqual({ ok: true, obligation: t });
    expect(reopenObligation(t)).toEqual({ ok: false, reason: 'already_open' });
  });

  it('overdue = open past its due day; the worklist is open and showing, oldest due first; done ones leave', () => {
    expect(isObligationOverdue(t, '2026-11-16')).toBe(false);
    expect(isObligationOverdue(t, '2026-11-17')).toBe(true);
    const done = completeObligation(t, { on: '2026-11-20' });
    if (!done.ok) throw new Error('expected done');
    expect(isObligationOverdue(done.obligation, '2026-12-01')).toBe(false);

    const later = manualTalk({
      occasion: 'setback',
      personKey: LI,
      unitCode: 'DXZ',
      on: '2026-11-03',
      nonce: 'u44',
    });
    const future: Obligation = {
      ...later,
      key: 'audit:follow_up:JSJ:2027',
      kind: 'audit',
      reason: 'follow_up',
      startsOn: '2027-01-01',
      dueOn: '2027-12-31',
    } as Obligation;
    expect(worklist([later, future, t], '2026-11-20').map((o) => o.key)).toEqual([t.key, later.key]);
    expect(worklist([later, future, t], '2027-01-01').map((o) => o.key)).toEqual([
      t.key,
      later.key,
      future.key,
    ]);
    expect(worklist([later, done.obligation], '2026-11-20').map((o) => o.key)).toEqual([later.key]);
    expect(overdueObligations([later, future, t], '2026-11-17').map((o) => o.key)).toEqual([t.key]);
    expect(overdueObligations([later, future, done.obligation], '2026-11-18').map((o) => o.key)).toEqual([
      later.key,
    ]);
  });
});

describe('due dates (properties)', () => {
  it('every talk is due on a working day after the day it was created', () => {
    const day = fc.integer({ min: 0, max: 365 }).map((n) => addCalendarDays('2026-01-01', n));
    fc.assert(
      fc.property(fc.constantFrom(...TALK_OCCASIONS), day, (occasion, on) => {
        const o = manualTalk({
          occasion,
          personKey: ZHANG,
          unitCode: 'HPZ',
          on,
          nonce: 'n',
          calendar: CN2026,
        });
        expect(o.dueOn > on).toBe(true);
        expect(isWorkingDate(o.dueOn, CN2026)).toBe(true);
      }),
    );
  });
});
