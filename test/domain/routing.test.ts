import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  hasSpecificContent,
  isSeriousStyle,
  type RecentItem,
  type RoutingContext,
  type RoutingInput,
  route,
} from '../../src/domain/routing.js';

const SH = 'Asia/Shanghai';
// Shanghai is UTC+8 all year: local = UTC + 8 h.
const sh = (local: string) => new Date(`${local}+08:00`);

const base: RoutingInput = {
  itemKind: 'tip',
  sourceKind: 'monitor',
  sourceAgency: null,
  signed: false,
  domain: 'D',
  unitCode: 'HPZ',
  text: '听说领导不太好',
  attachmentCount: 0,
  createdAt: sh('2026-11-25T10:00:00'), // Wednesday
};
const ctx: RoutingContext = { timeZone: SH, recentItems: [], adminOnlyUnits: ['ZZB'] };

describe('hasSpecificContent', () => {
  it.each([
    '金额约300万元',
    '收了5000元',
    '约2亿',
    '三百万元',
    '3月5日在酒店',
    '上周五晚上',
    '2019年的事',
    '昨天晚上',
    '10点以后',
    '在防波堤工程中镇长指定施工方',
    '村里的书记',
    'KTV 局长',
    'paid $500 to the director',
    'on March 5 he met',
    'received 3 million yuan',
    'the mayor at the hotel',
    'yesterday at 10pm',
  ])('specific: %s', (text) => {
    expect(hasSpecificContent(text, 0)).toBe(true);
  });

  it.each(['听说领导不太好', '有一点问题', '工程有问题', '镇长作风不好', 'the head is bad'])(
    'vague: %s',
    (text) => {
      expect(hasSpecificContent(text, 0)).toBe(false);
    },
  );

  it('any attachment makes it specific', () => {
    expect(hasSpecificContent('', 1)).toBe(true);
  });
});

describe('isSeriousStyle', () => {
  it.each([
    '问题严重',
    '参与赌博',
    '嫖娼',
    '酒驾',
    '醉驾',
    '包养情妇',
    'serious misconduct',
    'drunk driving',
  ])('serious: %s', (t) => expect(isSeriousStyle(t)).toBe(true));
  it.each(['上班迟到', '态度不好', 'often late'])('not serious: %s', (t) =>
    expect(isSeriousStyle(t)).toBe(false),
  );
});

describe('route: the four rules', () => {
  it('no rule: normal, 3 working days', () => {
    const d = route(base, ctx);
    expect(d).toMatchObject({ mustInvestigate: false, reasons: [], priority: 'normal', adminsOnly: false });
  });

  it('domain O without reasons is low', () => {
    expect(route({ ...base, domain: 'O' }, ctx).priority).toBe('low');
  });

  it('(1) specific content alone', () => {
    const d = route({ ...base, text: '收了5000元' }, ctx);
    expect(d).toMatchObject({ mustInvestigate: true, reasons: ['specific_content'], priority: 'high' });
  });

  it('(2) signed alone', () => {
    expect(route({ ...base, signed: true }, ctx).reasons).toEqual(['signed_or_contactable']);
  });

  it('(3) personnel power alone, serious style alone, plain style not', () => {
    expect(route({ ...base, domain: 'P' }, ctx).reasons).toEqual(['personnel_or_serious_style']);
    expect(route({ ...base, domain: 'S', text: '作风严重' }, ctx).reasons).toEqual([
      'personnel_or_serious_style',
    ]);
    expect(route({ ...base, domain: 'S', text: '上班迟到' }, ctx).reasons).toEqual([]);
    expect(route({ ...base, domain: 'F', text: '作风严重' }, ctx).reasons).toEqual([]);
  });

  it('(4) found in inspection: ORG notice, or the text says so', () => {
    const orgNotice = { ...base, itemKind: 'notice', sourceKind: 'liaison', sourceAgency: 'ORG' } as const;
    expect(route(orgNotice, ctx).reasons).toEqual(['found_in_inspection']);
    expect(route({ ...orgNotice, sourceAgency: 'AUD' }, ctx).reasons).toEqual([]);
    expect(route({ ...orgNotice, itemKind: 'tip' }, ctx).reasons).toEqual([]);
    expect(route({ ...base, text: '干部考察时有人反映' }, ctx).reasons).toEqual(['found_in_inspection']);
    expect(route({ ...base, text: '年度考核' }, ctx).reasons).toEqual(['found_in_inspection']);
    expect(route({ ...base, text: '检查中发现问题' }, ctx).reasons).toEqual(['found_in_inspection']);
  });

  it('two reasons: high; three or more: urgent; all four in order', () => {
    expect(route({ ...base, signed: true, domain: 'P' }, ctx).priority).toBe('high');
    const three = route({ ...base, signed: true, domain: 'P', text: '收了5000元' }, ctx);
    expect(three.priority).toBe('urgent');
    const all = route({ ...base, signed: true, domain: 'P', text: '考核中发现收了5000元' }, ctx);
    expect(all.reasons).toEqual([
      'specific_content',
      'signed_or_contactable',
      'personnel_or_serious_style',
      'found_in_inspection',
    ]);
    expect(all.priority).toBe('urgent');
  });
});

describe('route: related items and repeat subjects', () => {
  const at = base.createdAt.getTime();
  const daysAgo = (n: number) => new Date(at - n * 24 * 3600 * 1000);
  const recent: RecentItem[] = [
    { id: 1, domain: 'D', unitCode: 'HPZ', createdAt: daysAgo(10) },
    { id: 2, domain: 'F', unitCode: 'HPZ', createdAt: daysAgo(89) },
    { id: 3, domain: 'D', unitCode: 'HPZ', createdAt: daysAgo(91) },
    { id: 4, domain: 'D', unitCode: 'DXZ', createdAt: daysAgo(1) },
    { id: 5, domain: 'D', unitCode: 'hpz', createdAt: daysAgo(90) },
  ];

  it('relates same unit and domain within 90 days', () => {
    const d = route(base, { ...ctx, recentItems: recent });
    expect(d.relatedItemIds).toEqual([1, 5]);
    expect(d.repeatSubject).toBe(true); // 1, 2, 5 and this one
  });

  it('two items in the window is not yet a repeat subject (this one makes 3)', () => {
    expect(route(base, { ...ctx, recentItems: recent.slice(0, 1) }).repeatSubject).toBe(false);
    expect(route(base, { ...ctx, recentItems: recent.slice(0, 2) }).repeatSubject).toBe(true);
  });

  it('must-investigate on a repeat subject is urgent; a vague one stays normal', () => {
    const c = { ...ctx, recentItems: recent };
    expect(route({ ...base, signed: true }, c).priority).toBe('urgent');
    expect(route(base, c).priority).toBe('normal');
  });

  it('admin-only units', () => {
    expect(route({ ...base, unitCode: 'ZZB' }, ctx).adminsOnly).toBe(true);
    expect(route({ ...base, unitCode: 'zzb' }, ctx).adminsOnly).toBe(true);
    expect(route({ ...base, unitCode: 'ZZB' }, { ...ctx, adminOnlyUnits: [] }).adminsOnly).toBe(false);
  });
});

describe('due dates in Asia/Shanghai', () => {
  it('must-investigate: 1 working day, over a weekend', () => {
    const fri = route({ ...base, signed: true, createdAt: sh('2026-11-27T15:00:00') }, ctx);
    expect(fri.triageDueAt).toEqual(sh('2026-11-30T15:00:00')); // Monday
    const sat = route({ ...base, signed: true, createdAt: sh('2026-11-28T23:30:00') }, ctx);
    expect(sat.triageDueAt).toEqual(sh('2026-12-01T00:00:00')); // end of Monday
  });

  it('other: 3 working days, across a month end', () => {
    const d = route({ ...base, createdAt: sh('2026-11-27T09:00:00') }, ctx); // Friday
    expect(d.triageDueAt).toEqual(sh('2026-12-02T09:00:00')); // Wednesday
  });

  it('the zone decides the weekday: Sunday 23:00 UTC is Monday 07:00 in Shanghai', () => {
    const created = new Date('2026-11-29T23:00:00Z');
    expect(addWorkingDays(created, 1, SH)).toEqual(sh('2026-12-01T07:00:00'));
    expect(addWorkingDays(created, 1, 'UTC')).toEqual(new Date('2026-12-01T00:00:00Z'));
  });

  it('conclusion due 30 calendar days later, across a month end', () => {
    const d = route({ ...base, createdAt: sh('2026-11-27T09:00:00') }, ctx);
    expect(d.concludeDueAt).toEqual(sh('2026-12-27T09:00:00'));
  });

  it('addWorkingDays: 0 days, 5 days = one week, refusals', () => {
    expect(addWorkingDays(sh('2026-11-25T10:00:00'), 0, SH)).toEqual(sh('2026-11-25T10:00:00'));
    expect(addWorkingDays(sh('2026-11-29T10:00:00'), 0, SH)).toEqual(sh('2026-11-30T00:00:00'));
    expect(addWorkingDays(sh('2026-11-25T10:00:00'), 5, SH)).toEqual(sh('2026-12-02T10:00:00'));
    expect(() => addWorkingDays(base.createdAt, -1, SH)).toThrow(RangeError);
    expect(() => addWorkingDays(base.createdAt, 1, 'Mars/Olympus')).toThrow(RangeError);
  });

  it('keeps local time across a DST change (Europe/Berlin)', () => {
    // Friday 2026-03-27 10:00 CET (+01:00) → Monday 10:00 CEST (+02:00).
    expect(addWorkingDays(new Date('2026-03-27T09:00:00Z'), 1, 'Europe/Berlin')).toEqual(
      new Date('2026-03-30T08:00:00Z'),
    );
  });
});
