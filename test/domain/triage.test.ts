import { describe, expect, it } from 'vitest';
import { MEASURES, validateConclusion } from '../../src/domain/item-state.js';
import {
  type ConclusionDraft,
  canAssign,
  clampPage,
  DEFAULT_FILTER,
  decodeFilter,
  draftConclusion,
  EMPTY_DRAFT,
  encodeFilter,
  isOverdue,
  measuresFor,
  parseDraft,
  statusesFor,
  toggleInvestigated,
  toggleMeasure,
  wizardStep,
} from '../../src/domain/triage.js';

describe('queue filter encoding', () => {
  it('encodes the default as an empty argument', () => {
    expect(encodeFilter(DEFAULT_FILTER)).toBe('');
    expect(decodeFilter('')).toEqual(DEFAULT_FILTER);
  });

  it('round-trips every dimension and fits a callback argument', () => {
    const filter = { status: 'verifying', domain: 'F', unit: 'HPZ', mine: true, overdue: true } as const;
    const encoded = encodeFilter(filter);
    expect(encoded).toBe('sverifying.dF.uHPZ.m.o');
    expect(encoded).toMatch(/^[\w.-]{0,40}$/);
    expect(decodeFilter(encoded)).toEqual(filter);
  });

  it('rejects forged or malformed filters', () => {
    for (const bad of ['sdone', 'dX', 'uhpz', 'x', 'm.', 'snew..o']) expect(decodeFilter(bad)).toBeNull();
  });

  it('maps status filters to statuses', () => {
    expect(statusesFor('open')).toEqual(['new', 'accepted', 'verifying']);
    expect(statusesFor('all')).toHaveLength(8);
    expect(statusesFor('filed')).toEqual(['filed']);
  });
});

describe('isOverdue', () => {
  const now = new Date('2025-03-10T00:00:00Z');
  const past = new Date('2025-03-09T00:00:00Z');
  const future = new Date('2025-03-11T00:00:00Z');

  it('a new item is late after its triage date', () => {
    expect(isOverdue({ status: 'new', triageDueAt: past, concludeDueAt: future }, now)).toBe(true);
    expect(isOverdue({ status: 'new', triageDueAt: future, concludeDueAt: past }, now)).toBe(false);
  });

  it('an item being handled is late after its conclusion date', () => {
    expect(isOverdue({ status: 'accepted', triageDueAt: past, concludeDueAt: past }, now)).toBe(true);
    expect(isOverdue({ status: 'verifying', triageDueAt: past, concludeDueAt: future }, now)).toBe(false);
  });

  it('finished items are never late', () => {
    for (const status of ['concluded', 'closed', 'filed', 'forwarded', 'merged']) {
      expect(isOverdue({ status, triageDueAt: past, concludeDueAt: past }, now)).toBe(false);
    }
  });
});

describe('clampPage and canAssign', () => {
  it('clamps stale pages', () => {
    expect(clampPage(1, 0)).toEqual({ page: 1, pages: 1 });
    expect(clampPage(5, 17, 8)).toEqual({ page: 3, pages: 3 });
    expect(clampPage(0, 17, 8)).toEqual({ page: 1, pages: 3 });
  });

  it('only open items can be assigned', () => {
    expect(canAssign('new')).toBe(true);
    expect(canAssign('accepted')).toBe(true);
    expect(canAssign('concluded')).toBe(false);
    expect(canAssign('merged')).toBe(false);
  });
});

describe('conclusion wizard', () => {
  it('walks finding → measures → points → note → confirm', () => {
    let draft = { ...EMPTY_DRAFT };
    expect(wizardStep(draft)).toBe('finding');
    draft = { ...draft, finding: 'substantiated' };
    expect(wizardStep(draft)).toBe('measures');
    draft = toggleMeasure(toggleMeasure(draft, 'talk'), 'points');
    draft = { ...draft, measuresDone: true };
    expect(wizardStep(draft)).toBe('points');
    draft = { ...draft, points: 1.5 };
    expect(wizardStep(draft)).toBe('note');
    expect(draftConclusion(draft)).toBeNull();
    draft = { ...draft, note: '' };
    expect(wizardStep(draft)).toBe('confirm');
    const conclusion = draftConclusion(draft);
    expect(conclusion).toEqual({
      finding: 'substantiated',
      measures: ['talk', 'points'],
      points: 1.5,
      note: '',
    });
    expect(conclusion && validateConclusion(conclusion)).toEqual({ ok: true });
  });

  it('skips the points step without the points measure', () => {
    const draft = {
      ...EMPTY_DRAFT,
      finding: 'partly' as const,
      measures: ['talk' as const],
      measuresDone: true,
    };
    expect(wizardStep(draft)).toBe('note');
  });

  it('toggling points off drops the points', () => {
    const draft = { ...EMPTY_DRAFT, finding: 'partly' as const, measures: ['points' as const], points: 2 };
    expect(toggleMeasure(draft, 'points')).toMatchObject({ measures: [], points: null });
  });

  it('offers no sanctions after an unsubstantiated finding, so every finished draft validates', () => {
    expect(measuresFor('unsubstantiated')).toEqual(['talk', 'referred']);
    expect(measuresFor('substantiated')).toEqual([...MEASURES]);
    const draft = toggleMeasure({ ...EMPTY_DRAFT, finding: 'unsubstantiated' }, 'demoted');
    expect(draft.measures).toEqual([]);
  });

  it('keeps measures in canonical order', () => {
    const start: ConclusionDraft = { ...EMPTY_DRAFT, finding: 'substantiated' };
    const draft = toggleMeasure(toggleMeasure(start, 'removed'), 'talk');
    expect(draft.measures).toEqual(['talk', 'removed']);
  });

  it('records 被执纪执法部门查处 only after a finding at least partly true, and only then puts it on the conclusion', () => {
    const untrue: ConclusionDraft = { ...EMPTY_DRAFT, finding: 'unsubstantiated' };
    expect(toggleInvestigated(untrue)).toEqual(untrue);
    const partly = toggleInvestigated({ ...EMPTY_DRAFT, finding: 'partly' });
    expect(partly.investigated).toBe(true);
    expect(toggleInvestigated(partly).investigated).toBe(false);
    const done = { ...partly, measuresDone: true, note: '' };
    expect(draftConclusion(done)).toEqual({
      finding: 'partly',
      measures: [],
      points: null,
      note: '',
      investigated: true,
    });
    expect(
      validateConclusion(
        draftConclusion(done) ?? { finding: 'partly', measures: [], points: null, note: '' },
      ),
    ).toEqual({ ok: true });
    // Not recorded: the conclusion has no such field (as those stored before it existed).
    expect(draftConclusion({ ...done, investigated: false })).not.toHaveProperty('investigated');
    expect(parseDraft({ finding: 'partly', investigated: true }).investigated).toBe(true);
    expect(parseDraft({ finding: 'unsubstantiated', investigated: true }).investigated).toBe(false);
    expect(
      validateConclusion({
        finding: 'unsubstantiated',
        measures: [],
        points: null,
        note: '',
        investigated: true,
      }),
    ).toEqual({ ok: false, reason: 'investigated_without_finding' });
  });

  it('parses stored drafts defensively', () => {
    expect(parseDraft(null)).toEqual(EMPTY_DRAFT);
    expect(parseDraft({ finding: 'maybe', measures: ['talk', 'bribe'], points: '2', note: 3 })).toEqual({
      ...EMPTY_DRAFT,
      measures: ['talk'],
    });
  });
});
