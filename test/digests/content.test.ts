import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../src/i18n.js';
import { MAX_MESSAGE_LENGTH, splitHtml } from '../../src/telegram/html.js';
import { parseTelegramHtml } from '../support/telegram-html.js';
import {
  MAX_BUTTONS,
  buildAgencyCirculation,
  buildDailyDigest,
  buildMonthlyDigest,
  buildWeeklyDigest,
} from '../../src/digests/content.js';
import type {
  AgencyCirculationData,
  DailyDigestData,
  MonthlyDigestData,
  WeeklyDigestData,
} from '../../src/digests/model.js';

const zh = translatorFor('zh-CN');
const en = translatorFor('en');
const tz = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);

const daily: DailyDigestData = {
  timeZone: tz,
  botUsername: 'liaison_bot',
  since: { start: at('2025-05-05T00:30:00Z'), end: at('2025-05-06T00:30:00Z') },
  sinceFrom: 'last_digest',
  newByDomain: { F: 3, D: 2, I: 1 },
  newBySource: [
    { sourceKind: 'hotline', agency: null, count: 1 },
    { sourceKind: 'liaison', agency: 'AUD', count: 2 },
    { sourceKind: 'monitor', agency: null, count: 3 },
  ],
  mustUntriaged: {
    total: 1,
    items: [{ id: 14, domain: 'P', unitCode: 'DXZ', status: 'new', dueAt: null, mustInvestigate: true }],
  },
  overdue: {
    total: 1,
    items: [
      {
        id: 9,
        domain: 'D',
        unitCode: 'JXJD',
        status: 'accepted',
        dueAt: at('2025-05-04T10:00:00Z'),
        mustInvestigate: false,
      },
    ],
  },
  dueSoon: {
    total: 1,
    items: [
      {
        id: 12,
        domain: 'F',
        unitCode: 'HPZ',
        status: 'new',
        dueAt: at('2025-05-06T10:00:00Z'),
        mustInvestigate: true,
      },
    ],
  },
  officerLoad: [
    { officerId: 501, name: '王<科员>', open: 5, overdue: 1 },
    { officerId: 502, name: null, open: 2, overdue: 0 },
  ],
  unassignedOpen: 4,
  overdueObligations: {
    total: 1,
    entries: [
      {
        id: 3,
        kind: 'talk',
        occasion: 'post_adjusted',
        unit: { code: 'HPZ', nameZh: '鹤浦镇', nameEn: 'Hepu Town' },
        head: '张<伟>',
        itemId: null,
        dueOn: '2025-05-05',
        overdue: true,
      },
    ],
  },
};

const weekly: WeeklyDigestData = {
  timeZone: tz,
  botUsername: 'liaison_bot',
  at: at('2025-05-05T01:00:00Z'),
  week: { start: at('2025-04-27T16:00:00Z'), end: at('2025-05-04T16:00:00Z') },
  previousWeek: { start: at('2025-04-20T16:00:00Z'), end: at('2025-04-27T16:00:00Z') },
  thisWeek: { F: 4, P: 1 },
  weekBefore: { F: 1, D: 2 },
  repeatSubjects: [{ unit: { code: 'HPZ', nameZh: '鹤浦镇', nameEn: 'Hepu Town' }, count: 4 }],
  pointsCrossed: [
    {
      unit: { code: 'DXZ', nameZh: '大徐镇', nameEn: 'Daxu Town' },
      head: '李强',
      yearTotal: 6.5,
      twoYearTotal: 8,
      threeYearTotal: 8,
      flags: ['no_commendation', 'half_bonus_withheld'],
    },
  ],
  obligations: {
    total: 2,
    entries: [
      {
        id: 5,
        kind: 'talk',
        occasion: 'integrity_reports',
        unit: { code: 'HPZ', nameZh: '鹤浦镇', nameEn: 'Hepu Town' },
        head: '张伟',
        itemId: 21,
        dueOn: '2025-05-15',
        overdue: false,
      },
      {
        id: 6,
        kind: 'audit',
        occasion: 'departure',
        unit: { code: 'DXZ', nameZh: '大徐镇', nameEn: 'Daxu Town' },
        head: null,
        itemId: null,
        dueOn: '2025-05-20',
        overdue: false,
      },
    ],
  },
  mustRemove: [
    { unit: { code: 'DXZ', nameZh: '大徐镇', nameEn: 'Daxu Town' }, head: '李强', raisedOn: '2025-05-02' },
  ],
  silent: [
    { role: 'monitor', place: '丹东社区', count: 1 },
    { role: 'liaison', place: 'AUD', count: 2 },
  ],
  meanTriage: { days: 1.25, count: 8 },
  meanConclude: { days: null, count: 0 },
  reveals: 2,
  chartWeeks: { window: { start: at('2025-02-09T16:00:00Z'), end: at('2025-05-04T16:00:00Z') }, total: 17 },
};

const monthly: MonthlyDigestData = {
  timeZone: tz,
  month: { start: at('2025-03-31T16:00:00Z'), end: at('2025-04-30T16:00:00Z') },
  forwardedWindow: { start: at('2024-04-30T16:00:00Z'), end: at('2025-04-30T16:00:00Z') },
  bySource: [
    { sourceKind: 'monitor', agency: null, byDomain: { F: 2, S: 1 } },
    { sourceKind: 'liaison', agency: 'CDI', byDomain: { I: 1 } },
    { sourceKind: 'liaison', agency: 'AUD', byDomain: { F: 3 } },
  ],
  forwarded: [{ agency: 'CDI', byStatus: { forwarded: 2 } }],
};

const agency: AgencyCirculationData = {
  timeZone: tz,
  month: monthly.month,
  forwardedWindow: monthly.forwardedWindow,
  agency: 'CDI',
  forwarded: {
    total: 2,
    items: [
      { id: 30, domain: 'I', unitCode: 'HPZ', status: 'forwarded', dueAt: null },
      { id: 33, domain: 'F', unitCode: 'SPZ', status: 'forwarded', dueAt: null },
    ],
  },
};

describe('daily digest content', () => {
  it('matches the golden Chinese text', () => {
    const digest = buildDailyDigest(daily, zh);
    expect(digest.text).toBe(
      [
        '<b>干部监督日报 · 2025-05-06</b>',
        '统计时段：05-05 08:30 至 05-06 08:30',
        '新收 6 件',
        '按领域：事权 2 · 财权 3 · 廉洁 1',
        '按来源：社区干部监督信息员 3 · 审计局 2 · 监督电话 1',
        '<b>已超期 1 件</b>',
        '#9 D-JXJD · 已受理 · 期限 05-04',
        '<b>3 天内到期 1 件</b>',
        '#12 F-HPZ · 待分办 · 必查 · 期限 05-06',
        '<b>其余必查事项尚未分办 1 件（期限在 3 天后或未定）</b>',
        '#14 P-DXZ · 待分办',
        '<b>逾期未办的谈话与审计 1 项</b>',
        '#3 八必谈·职务调整 · 鹤浦镇（HPZ） 张&lt;伟&gt; · ⚠ 截止 2025-05-05',
        '<b>各干部在办事项</b>',
        '王&lt;科员&gt;：5 件（其中超期 1 件）',
        '干部 502：2 件',
        '尚未分派：4 件',
      ].join('\n'),
    );
    expect(digest.buttons).toEqual([
      [
        { text: '#9', url: 'https://t.me/liaison_bot?start=show-9' },
        { text: '#12', url: 'https://t.me/liaison_bot?start=show-12' },
        { text: '#14', url: 'https://t.me/liaison_bot?start=show-14' },
      ],
    ]);
  });

  it('matches the golden English text', () => {
    expect(buildDailyDigest(daily, en).text).toBe(
      [
        '<b>Daily supervision digest · 2025-05-06</b>',
        'Period: 05-05 08:30 to 05-06 08:30',
        'New items: 6',
        'By domain: decision power 2 · financial power 3 · integrity 1',
        'By source: community monitors 3 · Audit Bureau 2 · supervision hotline 1',
        '<b>Overdue: 1</b>',
        '#9 D-JXJD · accepted · due 05-04',
        '<b>Due within 3 days: 1</b>',
        '#12 F-HPZ · new · must investigate · due 05-06',
        '<b>Other must-investigate items not yet triaged (due after 3 days or no due date): 1</b>',
        '#14 P-DXZ · new',
        '<b>Talks and audits overdue: 1</b>',
        '#3 Talk (八必谈): post adjusted · Hepu Town (HPZ) 张&lt;伟&gt; · ⚠ due 2025-05-05',
        '<b>Open items per officer</b>',
        '王&lt;科员&gt;: 5 (1 overdue)',
        'officer 502: 2',
        'Not assigned: 4',
      ].join('\n'),
    );
  });

  it('still says something on a day with nothing new', () => {
    const quiet: DailyDigestData = {
      ...daily,
      newByDomain: {},
      newBySource: [],
      mustUntriaged: { total: 0, items: [] },
      overdue: { total: 0, items: [] },
      dueSoon: { total: 0, items: [] },
      officerLoad: [],
      unassignedOpen: 0,
      overdueObligations: { total: 0, entries: [] },
    };
    const digest = buildDailyDigest(quiet, zh);
    expect(digest.text).toBe(
      '<b>干部监督日报 · 2025-05-06</b>\n统计时段：05-05 08:30 至 05-06 08:30\n本时段没有新收事项，也没有已超期、3 天内到期或尚未分办的必查事项。',
    );
    expect(digest.buttons).toEqual([]);
    expect(buildDailyDigest(quiet, en).text).toContain(
      'Nothing was received in this period, and nothing is overdue, due within 3 days or must-investigate awaiting triage.',
    );
  });

  it('names where its window starts: the first daily digest counts from the installation’s start (issue 18)', () => {
    const first: DailyDigestData = {
      ...daily,
      since: { start: at('2025-04-20T00:00:00Z'), end: at('2025-05-06T00:30:00Z') },
      sinceFrom: 'first_start',
    };
    expect(buildDailyDigest(first, zh).text.split('\n')[1]).toBe(
      '统计时段：04-20 08:00（系统启用）至 05-06 08:30，这是第一份日报',
    );
    expect(buildDailyDigest(first, en).text.split('\n')[1]).toBe(
      'Period: 04-20 08:00 (when the bot was set up) to 05-06 08:30; this is the first daily digest',
    );
    const oneDay: DailyDigestData = { ...daily, sinceFrom: 'one_day' };
    expect(buildDailyDigest(oneDay, zh).text.split('\n')[1]).toBe(
      '统计时段：05-05 08:30 至 05-06 08:30（此前没有日报，按过去一天统计）',
    );
  });

  it('gives a button for every item it lists, and says how many more there are and where to see them (issue 18)', () => {
    const items = (from: number, n: number, status: string) =>
      Array.from({ length: n }, (_, i) => ({
        id: from + i,
        domain: 'F',
        unitCode: 'HPZ',
        status,
        dueAt: at('2025-05-04T10:00:00Z'),
        mustInvestigate: false,
      }));
    const crowded: DailyDigestData = {
      ...daily,
      overdue: { total: 14, items: items(100, 14, 'accepted') },
      dueSoon: { total: 14, items: items(200, 14, 'verifying') },
      mustUntriaged: { total: 55, items: items(300, 15, 'new') },
      overdueObligations: { total: 0, entries: [] },
    };
    for (const t of [zh, en]) {
      const digest = buildDailyDigest(crowded, t);
      const listed = digest.text
        .split('\n')
        .flatMap((line) => (/^#(\d+) /.exec(line)?.[1] ? [Number(/^#(\d+) /.exec(line)?.[1])] : []));
      const buttons = digest.buttons.flat();
      expect(buttons.map((b) => b.text)).toEqual(listed.map((id) => `#${id}`));
      expect(listed).toHaveLength(MAX_BUTTONS);
      expect(new Set(listed).size).toBe(listed.length);
      for (const button of buttons) {
        expect(new URL(button.url).searchParams.get('start')?.length).toBeLessThanOrEqual(64);
      }
      expect(digest.buttons.every((row) => row.length <= 5)).toBe(true);
    }
    const zhText = buildDailyDigest(crowded, zh).text;
    // 14 overdue, then 6 of the 14 due soon; none of the 55 must-investigate items fit.
    expect(zhText).toContain('<b>3 天内到期 14 件</b>');
    expect(zhText).toContain('……另有 8 件');
    expect(zhText).toContain('……另有 55 件');
    expect(zhText.split('\n').at(-1)).toBe('本日报列出 20 件，另有 63 件未列出：请私聊本机器人发送 /queue 查看。');
    expect(buildDailyDigest(crowded, en).text.split('\n').at(-1)).toBe(
      '20 items are listed here and 63 more are not: send /queue to the bot in a private chat to see them.',
    );
  });
});
describe('long digests', () => {
  it("split under Telegram's limit into pieces of whole, balanced HTML lines", () => {
    const officerLoad = Array.from({ length: 300 }, (_, i) => ({
      officerId: 1000 + i,
      name: `干部<${i}>`,
      open: i + 1,
      overdue: i % 2,
    }));
    const digest = buildDailyDigest({ ...daily, officerLoad }, zh);
    const pieces = splitHtml(digest.text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
      expect(piece.split('<b>').length).toBe(piece.split('</b>').length);
      expect(piece).not.toMatch(/<(?!\/?b>)/);
      expect(parseTelegramHtml(piece).ok).toBe(true);
    }
    expect(pieces.join('\n')).toBe(digest.text);
  });
});

describe('weekly digest content', () => {
  it('matches the golden Chinese text', () => {
    const digest = buildWeeklyDigest(weekly, zh);
    expect(digest.text).toBe(
      [
        '<b>干部监督周报 · 2025年4月28日—5月4日</b>',
        '上周（4月28日—5月4日）新收 5 件；前一周（4月21日—4月27日）3 件，增加 2 件',
        '事权：上周 0，前一周 2',
        '财权：上周 4，前一周 1',
        '用人权：上周 1，前一周 0',
        '<b>近 90 天（2月4日—5月4日）反映 3 件及以上的单位</b>',
        '鹤浦镇（HPZ）：4 件',
        '<b>上周达到廉政监督扣分档次的一把手</b>',
        '大徐镇（DXZ） 一把手 李强：本年 6.5 分，两年 8 分，三年 8 分 → 当年不得评先评优 · 扣发当年目标考核奖 50%',
        '<b>截至5月5日待办的谈话与审计（八必谈、经济责任审计）2 项</b>',
        '#5 八必谈·廉洁情况有反映 · 鹤浦镇（HPZ） 张伟 · 截止 2025-05-15',
        '#6 经济责任审计·逢离必审 · 大徐镇（DXZ） 一把手（未登记） · 截止 2025-05-20',
        '<b>四个必下：截至5月5日待记录处理结果 1 人（仅管理员可见）</b>',
        '大徐镇（DXZ） 一把手 李强 · 必下 · 2025-05-02 起',
        '<b>截至5月5日已 30 天未报送信息的信息员和联络员（请走访）</b>',
        '社区干部监督信息员 · 丹东社区：1 人',
        '联席会议成员单位联络员 · 审计局：2 人',
        '<b>办理时效（上周）</b>',
        '平均分办用时 1.3 天（8 件）',
        '上周没有办结的事项',
        '上周管理员查看举报人身份 2 次',
      ].join('\n'),
    );
    expect(digest.buttons).toEqual([[{ text: '#21', url: 'https://t.me/liaison_bot?start=show-21' }]]);
  });

  it('matches the golden English text', () => {
    expect(buildWeeklyDigest(weekly, en).text).toBe(
      [
        '<b>Weekly supervision digest · 28 Apr – 4 May 2025</b>',
        'Last week (28 Apr – 4 May): 5 new items; the week before (21 Apr – 27 Apr): 3; up 2',
        'decision power: 0 last week, 2 the week before',
        'financial power: 4 last week, 1 the week before',
        'personnel power: 1 last week, 0 the week before',
        '<b>Repeat subjects: units with 3 or more items in 90 days (4 Feb – 4 May)</b>',
        'Hepu Town (HPZ): 4 items',
        '<b>Unit heads who reached an integrity-card threshold last week</b>',
        "Daxu Town (DXZ), head 李强: 6.5 points this year, 8 over two years, 8 over three years → no commendation this year · 50% of this year's target bonus withheld",
        '<b>Talks and audits open on 5 May (八必谈, economic-responsibility audits): 2</b>',
        '#5 Talk (八必谈): reports on integrity · Hepu Town (HPZ) 张伟 · due 2025-05-15',
        '#6 Economic-responsibility audit: on leaving (逢离必审) · Daxu Town (DXZ) head (not recorded) · due 2025-05-20',
        '<b>四个必下: heads marked must-remove, outcome not yet recorded on 5 May: 1 (admins only)</b>',
        'Daxu Town (DXZ), head 李强 · must remove · since 2025-05-02',
        '<b>Monitors and liaisons silent for 30 days as of 5 May (visit them)</b>',
        'Community monitor · 丹东社区: 1',
        'Agency liaison · Audit Bureau: 2',
        '<b>Speed (last week)</b>',
        'Mean time to triage: 1.3 days (8 items)',
        'No items were concluded last week',
        'Reporter identities revealed by admins last week: 2',
      ].join('\n'),
    );
  });
});

describe('weekly digest periods and changes (issue 18)', () => {
  const lines = (digest: { text: string }) => digest.text.split('\n');

  it('never says 本周 or this week: the week it covers is last week, named with its dates', () => {
    for (const t of [zh, en]) {
      const text = buildWeeklyDigest(weekly, t).text;
      expect(text).not.toMatch(/本周|this week/i);
    }
  });

  it('says what an unchanged count means instead of an unexplained (0)', () => {
    const same = { ...weekly, thisWeek: { F: 3 }, weekBefore: { F: 3 } };
    expect(lines(buildWeeklyDigest(same, zh))[1]).toBe(
      '上周（4月28日—5月4日）新收 3 件；前一周（4月21日—4月27日）3 件，持平',
    );
    expect(lines(buildWeeklyDigest(same, en))[1]).toBe(
      'Last week (28 Apr – 4 May): 3 new items; the week before (21 Apr – 27 Apr): 3; unchanged',
    );
    const fewer = { ...weekly, thisWeek: { F: 1 }, weekBefore: { F: 4 } };
    expect(lines(buildWeeklyDigest(fewer, zh))[1]).toBe(
      '上周（4月28日—5月4日）新收 1 件；前一周（4月21日—4月27日）4 件，减少 3 件',
    );
    expect(lines(buildWeeklyDigest(fewer, en))[1]).toBe(
      'Last week (28 Apr – 4 May): 1 new item; the week before (21 Apr – 27 Apr): 4; down 3',
    );
    for (const t of [zh, en]) {
      for (const data of [same, fewer, { ...weekly, thisWeek: {}, weekBefore: {} }]) {
        expect(buildWeeklyDigest(data, t).text).not.toMatch(/[（(][+-]?\d+[)）]/);
      }
    }
  });

  it('says plainly when neither week had a new item, and lists no domain lines', () => {
    const empty = { ...weekly, thisWeek: {}, weekBefore: {} };
    expect(lines(buildWeeklyDigest(empty, zh)).slice(1, 3)).toEqual([
      '上周（4月28日—5月4日）和前一周（4月21日—4月27日）都没有新收事项',
      '<b>近 90 天（2月4日—5月4日）反映 3 件及以上的单位</b>',
    ]);
    expect(lines(buildWeeklyDigest(empty, en))[1]).toBe(
      'No new items last week (28 Apr – 4 May) or the week before (21 Apr – 27 Apr)',
    );
  });

  it('names both years when the week spans the new year', () => {
    const newYear = {
      ...weekly,
      at: at('2026-01-05T01:00:00Z'),
      week: { start: at('2025-12-28T16:00:00Z'), end: at('2026-01-04T16:00:00Z') },
      previousWeek: { start: at('2025-12-21T16:00:00Z'), end: at('2025-12-28T16:00:00Z') },
    };
    expect(lines(buildWeeklyDigest(newYear, zh))[0]).toBe('<b>干部监督周报 · 2025年12月29日—2026年1月4日</b>');
    expect(lines(buildWeeklyDigest(newYear, en))[0]).toBe(
      '<b>Weekly supervision digest · 29 Dec 2025 – 4 Jan 2026</b>',
    );
  });
});

describe('weekly digest without chart data (issue 18)', () => {
  it('says in a line that the 12 weeks had no new items, instead of an empty chart', () => {
    const none = { ...weekly, chartWeeks: { ...weekly.chartWeeks, total: 0 } };
    expect(buildWeeklyDigest(none, zh).text.split('\n').at(-1)).toBe(
      '近 12 周（2月10日—5月4日）没有新收事项，不附图表。',
    );
    expect(buildWeeklyDigest(none, en).text.split('\n').at(-1)).toBe(
      'No new items in the last 12 weeks (10 Feb – 4 May), so no chart.',
    );
    // With data, the chart is attached and no such line is written.
    expect(buildWeeklyDigest(weekly, zh).text).not.toContain('不附图表');
  });
});

describe('monthly periods (issue 18)', () => {
  it('never says 本月 or this month for the month before', () => {
    for (const t of [zh, en]) {
      expect(buildMonthlyDigest(monthly, t).text).not.toMatch(/本月|this month/i);
      const quiet = buildMonthlyDigest({ ...monthly, bySource: [] }, t).text;
      expect(quiet).not.toMatch(/本月|this month/i);
    }
    expect(buildMonthlyDigest({ ...monthly, bySource: [] }, zh).text.split('\n')[1]).toBe(
      '上月（4月）没有新收事项。',
    );
    expect(buildMonthlyDigest({ ...monthly, bySource: [] }, en).text.split('\n')[1]).toBe(
      'No new items last month (April).',
    );
  });
});

describe('monthly circulation content', () => {
  it('matches the golden Chinese text for the section', () => {
    expect(buildMonthlyDigest(monthly, zh).text).toBe(
      [
        '<b>联席会议信息通报 · 2025年4月</b>',
        '上月（4月）新收 7 件',
        '按领域：财权 5 · 作风 1 · 廉洁 1',
        '<b>上月按来源单位和领域</b>',
        '社区干部监督信息员：3 件（财权 2 · 作风 1）',
        '县纪委：1 件（廉洁 1）',
        '审计局：3 件（财权 3）',
        '<b>近一年（2024年5月1日—2025年4月30日）收到并转交各成员单位办理的事项（按目前状态）</b>',
        '县纪委：2 件（已转办 2）',
      ].join('\n'),
    );
  });

  it('matches the golden English text for the section', () => {
    expect(buildMonthlyDigest(monthly, en).text).toBe(
      [
        '<b>Joint-meeting circulation (联席会议信息通报) · April 2025</b>',
        'New last month (April): 7',
        'By domain: financial power 5 · work style 1 · integrity 1',
        '<b>Last month by source and domain</b>',
        'community monitors: 3 (financial power 2 · work style 1)',
        'Discipline Inspection: 1 (integrity 1)',
        'Audit Bureau: 3 (financial power 3)',
        '<b>Items received in the last year (1 May 2024 – 30 Apr 2025) and forwarded to member agencies, by current status</b>',
        'Discipline Inspection: 2 (forwarded 2)',
      ].join('\n'),
    );
  });

  it('gives an agency only numbers, codes and statuses, in both languages, without buttons', () => {
    const zhText = buildAgencyCirculation(agency, zh);
    expect(zhText.text).toBe(
      [
        '<b>联席会议信息通报 · 2025年4月 · 县纪委</b>',
        '近一年（2024年5月1日—2025年4月30日）转交贵单位办理的事项共 2 件，编号、编码和状态如下：',
        '#30 I-HPZ · 已转办',
        '#33 F-SPZ · 已转办',
      ].join('\n'),
    );
    expect(zhText.buttons).toEqual([]);
    expect(buildAgencyCirculation(agency, en).text).toBe(
      [
        '<b>Joint-meeting circulation · April 2025 · Discipline Inspection</b>',
        'Items forwarded to your agency in the last year (1 May 2024 – 30 Apr 2025): 2. Numbers, codes and statuses:',
        '#30 I-HPZ · forwarded',
        '#33 F-SPZ · forwarded',
      ].join('\n'),
    );
  });
});
