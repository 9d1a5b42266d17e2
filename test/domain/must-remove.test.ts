import { describe, expect, it } from 'vitest';
import { MEASURES } from '../../src/domain/item-state.js';
import {
  conclusionMarksMustRemove,
  isMarkedMustRemove,
  MANUAL_MUST_REMOVE_REASONS,
  MUST_REMOVE_OUTCOMES,
  MUST_REMOVE_REASONS,
  marksForConclusion,
  outcomeEndsTenure,
  pendingMustRemoves,
  recordMustRemove,
  reopenMustRemove,
  resolveMustRemove,
} from '../../src/domain/must-remove.js';

const ZHANG = 'p-zhang';
const base = { itemId: 12, personKey: ZHANG, unitCode: 'HPZ', on: '2026-11-20', existing: [] };

describe('四个必下: the rule', () => {
  it('has the four reasons in the document’s order; three are recorded by hand', () => {
    expect(MUST_REMOVE_REASONS).toEqual([
      'incompetent_in_assessment',
      'style_problem_in_publicity',
      'failed_probation',
      'discipline_or_law_violation',
    ]);
    expect(MANUAL_MUST_REMOVE_REASONS).not.toContain('discipline_or_law_violation');
    expect(MANUAL_MUST_REMOVE_REASONS).toHaveLength(3);
  });

  it('a referral to discipline inspection, or an enforcement investigation, marks the head', () => {
    expect(MEASURES).toContain('referred');
    expect(conclusionMarksMustRemove({ measures: ['talk', 'referred'] })).toBe(true);
    expect(conclusionMarksMustRemove({ measures: ['points'], investigatedByEnforcement: true })).toBe(true);
    for (const m of MEASURES.filter((x) => x !== 'referred')) {
      expect(conclusionMarksMustRemove({ measures: [m] })).toBe(false);
    }
    expect(conclusionMarksMustRemove({ measures: [], investigatedByEnforcement: false })).toBe(false);
  });

  it('marksForConclusion raises one pending mark, keyed by the item', () => {
    const r = marksForConclusion({ ...base, measures: ['referred'] });
    expect(r).toEqual({
      create: [
        {
          key: 'must_remove:discipline_or_law_violation:item:12',
          personKey: ZHANG,
          unitCode: 'HPZ',
          reason: 'discipline_or_law_violation',
          raisedOn: '2026-11-20',
          itemId: 12,
          status: { state: 'pending' },
        },
      ],
      alreadyPending: [],
    });
    // The same conclusion handled again marks nothing more.
    expect(marksForConclusion({ ...base, measures: ['referred'], existing: r.create }).create).toEqual([]);
    // Another referral about the same head while one is pending joins it.
    expect(marksForConclusion({ ...base, itemId: 13, measures: ['referred'], existing: r.create })).toEqual({
      create: [],
      alreadyPending: ['must_remove:discipline_or_law_violation:item:12'],
    });
    expect(marksForConclusion({ ...base, measures: ['talk'] })).toEqual({ create: [], alreadyPending: [] });
  });
});

describe('四个必下: outcomes', () => {
  const mark = recordMustRemove({
    personKey: ZHANG,
    unitCode: 'HPZ',
    reason: 'failed_probation',
    on: '2026-11-02',
    nonce: 'u7',
  });

  it('a mark by hand stays pending (shown as 必下) until an admin records the outcome', () => {
    expect(mark).toMatchObject({
      key: 'must_remove:failed_probation:p-zhang:manual:u7',
      status: { state: 'pending' },
    });
    expect(isMarkedMustRemove([mark], ZHANG)).toBe(true);
    expect(isMarkedMustRemove([mark], 'p-li')).toBe(false);
    const r = resolveMustRemove(mark, { outcome: 'removed', on: '2026-11-30', note: ' 县委常委会决定 ' });
    expect(r).toEqual({
      ok: true,
      mark: {
        ...mark,
        status: { state: 'resolved', outcome: 'removed', on: '2026-11-30', note: '县委常委会决定' },
      },
    });
    if (!r.ok) return;
    expect(isMarkedMustRemove([r.mark], ZHANG)).toBe(false);
    expect(pendingMustRemoves([r.mark, mark], ZHANG)).toEqual([mark]);
    expect(resolveMustRemove(r.mark, { outcome: 'demoted', on: '2026-12-01' })).toEqual({
      ok: false,
      reason: 'not_pending',
    });
    expect(reopenMustRemove(r.mark)).toEqual({ ok: true, mark });
    expect(reopenMustRemove(mark)).toEqual({ ok: false, reason: 'already_pending' });
  });

  it('refuses unknown outcomes, bad days and overlong notes', () => {
    expect(resolveMustRemove(mark, { outcome: 'fired' as never, on: '2026-11-30' })).toEqual({
      ok: false,
      reason: 'unknown_outcome',
    });
    expect(resolveMustRemove(mark, { outcome: 'cleared', on: '2026-11-31' })).toEqual({
      ok: false,
      reason: 'invalid_date',
    });
    expect(
      resolveMustRemove(mark, { outcome: 'cleared', on: '2026-11-30', note: '长'.repeat(2001) }),
    ).toEqual({
      ok: false,
      reason: 'note_too_long',
    });
  });

  it('every outcome but "cleared" means the head left the post', () => {
    expect(MUST_REMOVE_OUTCOMES.filter(outcomeEndsTenure)).toEqual([
      'removed',
      'demoted',
      'ordered_to_resign',
      'transferred',
    ]);
  });
});
