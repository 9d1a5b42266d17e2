import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  attributeLegacyRecord,
  endTenure,
  type HeadChange,
  type HeadChangeOutcome,
  headAt,
  headAtInstant,
  isUnknownHeadKey,
  isValidPersonKey,
  normalizeName,
  type Person,
  personTenures,
  recordHead,
  subjectKeyAt,
  type Tenure,
  unitOfUnknownHead,
  unitTenures,
  unknownHeadKey,
  validateTenures,
} from '../../src/domain/heads.js';
import { addCalendarDays } from '../../src/domain/local-date.js';

type State = { persons: Person[]; tenures: Tenure[] };
const EMPTY: State = { persons: [], tenures: [] };

let keys = 0;
function change(unitCode: string, name: string, from: string, extra: Partial<HeadChange> = {}): HeadChange {
  keys += 1;
  return { unitCode, name, title: '党委书记', from, newPersonKey: `p${keys}`, ...extra };
}

function recorded(outcome: HeadChangeOutcome): Extract<HeadChangeOutcome, { kind: 'recorded' }> {
  if (outcome.kind !== 'recorded') throw new Error(`expected recorded, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function apply(state: State, c: HeadChange): State {
  const r = recorded(recordHead(state, c));
  return { persons: r.persons, tenures: r.tenures };
}

describe('recordHead', () => {
  it('records a first head in office, with a new person key', () => {
    const r = recorded(recordHead(EMPTY, change('HPZ', '张伟', '2026-03-01')));
    expect(r.personIsNew).toBe(true);
    expect(r.person.name).toBe('张伟');
    expect(r.person.key).toMatch(/^p\d+$/);
    expect(r.started).toEqual({
      personKey: r.person.key,
      unitCode: 'HPZ',
      title: '党委书记',
      from: '2026-03-01',
      to: null,
    });
    expect(r.ended).toEqual([]);
  });

  it("a new head ends the previous head's tenure the day before", () => {
    const s1 = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    const r = recorded(recordHead(s1, change('HPZ', '李强', '2026-09-01')));
    expect(r.ended).toEqual([{ ...s1.tenures[0], to: '2026-08-31' }]);
    expect(unitTenures(r.tenures, 'HPZ').map((t) => [t.from, t.to])).toEqual([
      ['2026-03-01', '2026-08-31'],
      ['2026-09-01', null],
    ]);
  });

  it('refuses a start on or before the current head’s start, and an overlap with a closed tenure', () => {
    const s1 = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    expect(recordHead(s1, change('HPZ', '李强', '2026-03-01'))).toMatchObject({
      kind: 'refused',
      reason: 'starts_before_current',
      conflict: { from: '2026-03-01' },
    });
    expect(recordHead(s1, change('HPZ', '李强', '2025-12-31'))).toMatchObject({
      reason: 'starts_before_current',
    });
    const closed = endTenure(s1.tenures, 'HPZ', '2026-06-30');
    if (closed.kind !== 'ended') throw new Error('expected ended');
    const s2 = { persons: s1.persons, tenures: closed.tenures };
    expect(recordHead(s2, change('HPZ', '李强', '2026-06-30'))).toMatchObject({ reason: 'overlaps_unit' });
    expect(recorded(recordHead(s2, change('HPZ', '李强', '2026-07-01'))).ended).toEqual([]); // vacancy filled
  });

  it('refuses recording the head in office again', () => {
    const s1 = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    const key = s1.persons[0]!.key;
    expect(
      recordHead(s1, change('HPZ', '张伟', '2026-05-01', { identity: { kind: 'same', personKey: key } })),
    ).toMatchObject({ kind: 'refused', reason: 'already_head' });
  });

  it('the same name at another unit is a question; the answer decides', () => {
    const s1 = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    const ask = recordHead(s1, change('DXZ', '张 伟', '2027-01-04'));
    expect(ask).toEqual({
      kind: 'ask_same_person',
      candidates: [{ person: s1.persons[0], tenures: s1.tenures }],
    });
    // "A different person": two people called 张伟 stay apart.
    const other = recorded(
      recordHead(s1, change('DXZ', '张伟', '2027-01-04', { identity: { kind: 'new' } })),
    );
    expect(other.personIsNew).toBe(true);
    expect(other.person.key).not.toBe(s1.persons[0]!.key);
    expect(other.ended).toEqual([]); // the HPZ 张伟 stays in office
    expect(other.persons).toHaveLength(2);
  });

  it('a person moving units keeps their key, and their old post ends the day before', () => {
    const s1 = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    const key = s1.persons[0]!.key;
    const moved = recorded(
      recordHead(
        s1,
        change('DXZ', '张伟', '2027-01-04', { title: '镇长', identity: { kind: 'same', personKey: key } }),
      ),
    );
    expect(moved.personIsNew).toBe(false);
    expect(moved.person.key).toBe(key);
    expect(moved.ended).toEqual([{ ...s1.tenures[0], to: '2027-01-03' }]);
    expect(personTenures(moved.tenures, key).map((t) => [t.unitCode, t.title, t.from, t.to])).toEqual([
      ['HPZ', '党委书记', '2026-03-01', '2027-01-03'],
      ['DXZ', '镇长', '2027-01-04', null],
    ]);
    expect(headAt(moved.tenures, 'HPZ', '2027-01-04')).toBeNull(); // HPZ is vacant until someone is recorded
  });

  it('a move into a unit with a head ends both tenures (two departures)', () => {
    let s = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    s = apply(s, change('DXZ', '王芳', '2026-04-01'));
    const key = s.persons[0]!.key;
    const r = recorded(
      recordHead(s, change('DXZ', '张伟', '2027-01-04', { identity: { kind: 'same', personKey: key } })),
    );
    expect(r.ended.map((t) => [t.unitCode, t.personKey, t.to])).toEqual([
      ['DXZ', s.persons[1]!.key, '2027-01-03'],
      ['HPZ', key, '2027-01-03'],
    ]);
  });

  it('refuses a move that would start before, or overlap, the person’s own tenure elsewhere', () => {
    const s1 = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    const same = { identity: { kind: 'same', personKey: s1.persons[0]!.key } } as const;
    expect(recordHead(s1, change('DXZ', '张伟', '2026-02-01', same))).toMatchObject({
      reason: 'overlaps_person',
    });
    const closed = endTenure(s1.tenures, 'HPZ', '2026-12-31');
    if (closed.kind !== 'ended') throw new Error('expected ended');
    expect(
      recordHead({ ...s1, tenures: closed.tenures }, change('DXZ', '张伟', '2026-12-31', same)),
    ).toMatchObject({ reason: 'overlaps_person' });
  });

  it('refuses bad input', () => {
    expect(recordHead(EMPTY, change('hpz!', '张伟', '2026-03-01'))).toMatchObject({ reason: 'invalid_unit' });
    expect(recordHead(EMPTY, change('HPZ', '张伟', '2026-02-30'))).toMatchObject({ reason: 'invalid_date' });
    expect(recordHead(EMPTY, change('HPZ', '  ', '2026-03-01'))).toMatchObject({ reason: 'invalid_name' });
    expect(recordHead(EMPTY, change('HPZ', '张伟', '2026-03-01', { title: '长'.repeat(41) }))).toMatchObject({
      reason: 'invalid_title',
    });
    expect(
      recordHead(EMPTY, change('HPZ', '张伟', '2026-03-01', { newPersonKey: 'unknown:HPZ' })),
    ).toMatchObject({ reason: 'invalid_person_key' });
    expect(
      recordHead(
        EMPTY,
        change('HPZ', '张伟', '2026-03-01', { identity: { kind: 'same', personKey: 'nobody' } }),
      ),
    ).toMatchObject({ reason: 'unknown_person' });
    const s1 = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
    expect(
      recordHead(
        s1,
        change('DXZ', '李强', '2027-01-04', { identity: { kind: 'same', personKey: s1.persons[0]!.key } }),
      ),
    ).toMatchObject({ reason: 'name_mismatch' });
    // A key already taken is never reused for a second person.
    expect(
      recordHead(s1, change('DXZ', '李强', '2027-01-04', { newPersonKey: s1.persons[0]!.key })),
    ).toMatchObject({ reason: 'invalid_person_key' });
  });
});

describe('headAt', () => {
  let s = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));
  s = apply(s, change('HPZ', '李强', '2026-09-01'));
  const [zhang, li] = s.persons.map((p) => p.key);

  it('at the boundaries: the last day of one tenure and the first of the next', () => {
    expect(headAt(s.tenures, 'HPZ', '2026-02-28')).toBeNull();
    expect(headAt(s.tenures, 'HPZ', '2026-03-01')?.personKey).toBe(zhang);
    expect(headAt(s.tenures, 'HPZ', '2026-08-31')?.personKey).toBe(zhang);
    expect(headAt(s.tenures, 'HPZ', '2026-09-01')?.personKey).toBe(li);
    expect(headAt(s.tenures, 'hpz', '2030-01-01')?.personKey).toBe(li);
    expect(headAt(s.tenures, 'DXZ', '2026-09-01')).toBeNull();
  });

  it('an item is about the head on the day it arrived in the county’s zone', () => {
    // 2026-08-31 17:30 UTC is already 1 September in Shanghai.
    const at = new Date('2026-08-31T17:30:00Z');
    expect(headAtInstant(s.tenures, 'HPZ', at, 'Asia/Shanghai')?.personKey).toBe(li);
    expect(headAtInstant(s.tenures, 'HPZ', at, 'UTC')?.personKey).toBe(zhang);
    const local = DateTime.fromISO('2026-08-31T23:59:59', { zone: 'Asia/Shanghai' }).toJSDate();
    expect(headAtInstant(s.tenures, 'HPZ', local, 'Asia/Shanghai')?.personKey).toBe(zhang);
  });

  it('a day with no head recorded belongs to the unknown head of the unit', () => {
    expect(subjectKeyAt(s.tenures, 'HPZ', '2026-01-15')).toBe('unknown:HPZ');
    expect(subjectKeyAt(s.tenures, 'HPZ', '2026-03-15')).toBe(zhang);
  });
});

describe('unknown heads and keys', () => {
  it('models "the unknown head of <unit>" as a reserved key', () => {
    expect(unknownHeadKey('hpz')).toBe('unknown:HPZ');
    expect(isUnknownHeadKey('unknown:HPZ')).toBe(true);
    expect(unitOfUnknownHead('unknown:HPZ')).toBe('HPZ');
    expect(unitOfUnknownHead('p-1')).toBeNull();
    expect(isValidPersonKey('unknown:HPZ')).toBe(false);
    expect(isValidPersonKey('0f8e2c1a-7b8d-4c7e-9a1d-3b2f6c5d4e3f')).toBe(true);
    expect(isValidPersonKey('')).toBe(false);
    expect(isValidPersonKey('a b')).toBe(false);
  });

  it('normalises names for the same-name question', () => {
    expect(normalizeName('张 伟')).toBe(normalizeName('张伟'));
    expect(normalizeName('阿依·古丽')).toBe(normalizeName('阿依古丽'));
    expect(normalizeName('Ｚｈａｎｇ Wei')).toBe(normalizeName('zhangwei'));
    expect(normalizeName('张伟')).not.toBe(normalizeName('张玮'));
  });
});

describe('endTenure', () => {
  const s = apply(EMPTY, change('HPZ', '张伟', '2026-03-01'));

  it('ends the head in office on a day, leaving the post vacant', () => {
    const r = endTenure(s.tenures, 'HPZ', '2026-03-01');
    expect(r).toMatchObject({ kind: 'ended', ended: { from: '2026-03-01', to: '2026-03-01' } });
    if (r.kind === 'ended') expect(headAt(r.tenures, 'HPZ', '2026-03-02')).toBeNull();
  });

  it('refuses without a head in office, before the start, or on a bad day', () => {
    expect(endTenure(s.tenures, 'DXZ', '2026-05-01')).toEqual({
      kind: 'refused',
      reason: 'no_head_in_office',
    });
    expect(endTenure(s.tenures, 'HPZ', '2026-02-28')).toEqual({
      kind: 'refused',
      reason: 'ends_before_start',
    });
    expect(endTenure(s.tenures, 'HPZ', '2026-02-30')).toEqual({ kind: 'refused', reason: 'invalid_date' });
  });
});

describe('validateTenures', () => {
  const t = (personKey: string, unitCode: string, from: string, to: string | null): Tenure => ({
    personKey,
    unitCode,
    title: null,
    from,
    to,
  });

  it('accepts a clean history, including a person who moved', () => {
    expect(
      validateTenures([
        t('a', 'HPZ', '2020-01-01', '2022-12-31'),
        t('b', 'HPZ', '2023-01-01', null),
        t('a', 'DXZ', '2023-01-01', null),
      ]),
    ).toEqual([]);
  });

  it('reports overlaps at a unit and of a person, bad dates and keys, once each, by position', () => {
    expect(
      validateTenures([
        t('a', 'HPZ', '2020-01-01', '2022-12-31'),
        t('b', 'HPZ', '2022-12-31', null),
        t('a', 'DXZ', '2022-06-01', null),
        t('c', 'SPZ', '2022-06-01', '2022-05-31'),
        t('d', 'SPZ', '2022-02-30', null),
        t('unknown:SPZ', 'SPZ', '2022-01-01', null),
        t('e', 'spz', '2022-01-01', null),
      ]),
    ).toEqual([
      { index: 1, problem: 'overlaps_unit', otherIndex: 0 },
      { index: 2, problem: 'overlaps_person', otherIndex: 0 },
      { index: 3, problem: 'ends_before_start' },
      { index: 4, problem: 'invalid_date' },
      { index: 5, problem: 'invalid_person_key' },
      { index: 6, problem: 'invalid_unit' },
    ]);
  });
});

describe('attributeLegacyRecord', () => {
  let s = apply(EMPTY, change('HPZ', '张伟', '2024-01-01'));
  s = apply(s, change('HPZ', '李强', '2025-01-01'));
  s = apply(s, change('DXZ', '张伟', '2024-01-01', { identity: { kind: 'new' } })); // another 张伟
  const [zhangHpz, li, zhangDxz] = s.persons.map((p) => p.key);

  it('no name recorded: the unknown head of the unit, even if a head is recorded for that day', () => {
    expect(
      attributeLegacyRecord({ unitCode: 'HPZ', headName: null, on: '2024-06-01' }, s.persons, s.tenures),
    ).toEqual({ kind: 'unknown_head', personKey: 'unknown:HPZ' });
  });

  it('the name recorded, matched against who headed that unit', () => {
    const on = (headName: string, day: string, unitCode = 'HPZ') =>
      attributeLegacyRecord({ unitCode, headName, on: day }, s.persons, s.tenures);
    expect(on('张伟', '2024-06-01')).toEqual({ kind: 'person', personKey: zhangHpz });
    expect(on('张伟', '2025-06-01')).toEqual({ kind: 'person', personKey: zhangHpz }); // recorded late
    expect(on('张伟', '2024-06-01', 'DXZ')).toEqual({ kind: 'person', personKey: zhangDxz });
    expect(on('李强', '2024-06-01')).toEqual({ kind: 'person', personKey: li });
    expect(on('王芳', '2024-06-01')).toEqual({ kind: 'name_only', name: '王芳' });
  });

  it('two namesakes who both headed the unit, on a day neither did: ambiguous', () => {
    let t = apply(EMPTY, change('HPZ', '张伟', '2020-01-01'));
    t = apply(t, change('HPZ', '李强', '2021-01-01'));
    t = apply(t, change('HPZ', '张伟', '2022-01-01', { identity: { kind: 'new' } }));
    const r = attributeLegacyRecord(
      { unitCode: 'HPZ', headName: '张伟', on: '2019-06-01' },
      t.persons,
      t.tenures,
    );
    expect(r).toMatchObject({ kind: 'ambiguous' });
    if (r.kind === 'ambiguous') expect(r.candidates).toHaveLength(2);
  });
});

describe('tenures never overlap (property)', () => {
  const op = fc.record({
    unit: fc.constantFrom('HPZ', 'DXZ', 'SPZ'),
    name: fc.constantFrom('张伟', '李强', '王芳', '刘洋'),
    offset: fc.integer({ min: -400, max: 1200 }),
    answer: fc.constantFrom('same', 'new'),
    pick: fc.nat(),
  });

  it('whatever sequence of /head changes is accepted, the result passes validateTenures', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        let state: State = EMPTY;
        ops.forEach((o, i) => {
          const c = change(o.unit, o.name, addCalendarDays('2024-01-01', o.offset), {
            newPersonKey: `k${i}`,
          });
          let outcome = recordHead(state, c);
          if (outcome.kind === 'ask_same_person') {
            const candidate = outcome.candidates[o.pick % outcome.candidates.length]!;
            const identity =
              o.answer === 'same'
                ? { kind: 'same' as const, personKey: candidate.person.key }
                : { kind: 'new' as const };
            outcome = recordHead(state, { ...c, identity });
          }
          if (outcome.kind === 'recorded') {
            state = { persons: outcome.persons, tenures: outcome.tenures };
            expect(headAt(state.tenures, o.unit, c.from)?.personKey).toBe(outcome.person.key);
          }
        });
        expect(validateTenures(state.tenures)).toEqual([]);
        // Every person key is unique, and every tenure's person exists.
        const keys = state.persons.map((p) => p.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const t of state.tenures) expect(keys).toContain(t.personKey);
      }),
      { numRuns: 300 },
    );
  });
});
