import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  type Conclusion,
  ITEM_ACTIONS,
  ITEM_STATUSES,
  type ItemAction,
  type ItemStatus,
  nextStatus,
  reporterStatus,
  validateConclusion,
} from '../../src/domain/item-state.js';

const ALLOWED: Record<string, ItemStatus> = {
  'new/accept': 'accepted',
  'new/verify': 'verifying',
  'new/file': 'filed',
  'new/forward': 'forwarded',
  'new/merge': 'merged',
  'verifying/accept': 'accepted',
  'verifying/conclude': 'concluded',
  'verifying/file': 'filed',
  'verifying/forward': 'forwarded',
  'accepted/conclude': 'concluded',
  'concluded/close': 'closed',
  'filed/reopen': 'new',
};

const pairs = ITEM_STATUSES.flatMap((s) => ITEM_ACTIONS.map((a) => [s, a] as [ItemStatus, ItemAction]));

describe('nextStatus', () => {
  it.each(pairs)('%s + %s as admin', (status, action) => {
    const to = ALLOWED[`${status}/${action}`];
    expect(nextStatus(status, action, { admin: true })).toEqual(
      to === undefined ? { ok: false, reason: 'not_allowed' } : { ok: true, status: to },
    );
  });

  it.each(pairs)('%s + %s as officer', (status, action) => {
    const to = action === 'reopen' ? undefined : ALLOWED[`${status}/${action}`];
    expect(nextStatus(status, action)).toEqual(
      to === undefined ? { ok: false, reason: 'not_allowed' } : { ok: true, status: to },
    );
  });
});

describe('allowedActions', () => {
  it('lists exactly the allowed transitions', () => {
    expect(allowedActions('new')).toEqual(['accept', 'verify', 'file', 'forward', 'merge']);
    expect(allowedActions('verifying')).toEqual(
      ['accept', 'verify', 'file', 'forward', 'conclude'].filter((a) => a !== 'verify'),
    );
    expect(allowedActions('accepted')).toEqual(['conclude']);
    expect(allowedActions('concluded')).toEqual(['close']);
    expect(allowedActions('filed')).toEqual([]);
    expect(allowedActions('filed', { admin: true })).toEqual(['reopen']);
    for (const s of ['forwarded', 'merged', 'closed'] as const)
      expect(allowedActions(s, { admin: true })).toEqual([]);
  });
});

describe('reporterStatus', () => {
  it.each([
    ['new', 'received'],
    ['accepted', 'in_progress'],
    ['verifying', 'in_progress'],
    ['forwarded', 'in_progress'],
    ['merged', 'in_progress'],
    ['filed', 'filed'],
    ['concluded', 'concluded'],
    ['closed', 'concluded'],
  ] as const)('%s → %s', (s, r) => {
    expect(reporterStatus(s)).toBe(r);
  });
});

describe('validateConclusion', () => {
  const base: Conclusion = { finding: 'substantiated', measures: [], points: null, note: '' };

  it('accepts a plain conclusion and each legal points value', () => {
    expect(validateConclusion(base)).toEqual({ ok: true });
    for (const points of [0.5, 1, 1.5, 2]) {
      expect(validateConclusion({ ...base, measures: ['points', 'talk'], points })).toEqual({ ok: true });
    }
  });

  it.each([0, 0.25, 0.75, 2.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s points', (points) => {
    expect(validateConclusion({ ...base, measures: ['points'], points })).toEqual({
      ok: false,
      reason: 'points_out_of_range',
    });
  });

  it('requires points iff the points measure', () => {
    expect(validateConclusion({ ...base, measures: ['points'] })).toEqual({
      ok: false,
      reason: 'measure_without_points',
    });
    expect(validateConclusion({ ...base, measures: ['talk'], points: 1 })).toEqual({
      ok: false,
      reason: 'points_without_measure',
    });
  });

  it('refuses sanctions on an unsubstantiated finding but allows a talk or referral', () => {
    expect(
      validateConclusion({ ...base, finding: 'unsubstantiated', measures: ['talk', 'referred'] }),
    ).toEqual({
      ok: true,
    });
    expect(validateConclusion({ ...base, finding: 'unsubstantiated', measures: ['criticism'] })).toEqual({
      ok: false,
      reason: 'sanction_without_finding',
    });
    expect(validateConclusion({ ...base, finding: 'partly', measures: ['demoted'] })).toEqual({ ok: true });
  });

  it('refuses unknown or duplicate values and long notes', () => {
    expect(validateConclusion({ ...base, finding: 'maybe' as never })).toEqual({
      ok: false,
      reason: 'unknown_finding',
    });
    expect(validateConclusion({ ...base, measures: ['fine' as never] })).toEqual({
      ok: false,
      reason: 'unknown_measure',
    });
    expect(validateConclusion({ ...base, measures: ['talk', 'talk'] })).toEqual({
      ok: false,
      reason: 'duplicate_measure',
    });
    expect(validateConclusion({ ...base, note: '廉'.repeat(2000) })).toEqual({ ok: true });
    expect(validateConclusion({ ...base, note: '😀'.repeat(2000) })).toEqual({ ok: true });
    expect(validateConclusion({ ...base, note: '廉'.repeat(2001) })).toEqual({
      ok: false,
      reason: 'note_too_long',
    });
  });
});
