/**
 * The text of the scheduled digests, built from plain aggregated data: no SQL, no telegraf.
 * A digest names items only by number, code, unit, status and dates — never a tip's text,
 * never who reported. Every line is self-contained HTML, so a split at any line break is valid.
 */

import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import { AGENCY_CODES } from '../domain/agencies.js';
import type { DigestKind, Window } from '../domain/periods.js';
import { RELATED_WINDOW_DAYS, SOURCE_KINDS } from '../domain/routing.js';
import { DOMAINS } from '../domain/tip-code.js';
import { escapeHtml } from '../i18n.js';
import { agencyName, domainName, sourceKindName, statusName, unitName } from '../labels.js';
import { deepLink } from '../links.js';
import {
  type AgencyCirculationData,
  type DailyDigestData,
  type DigestItem,
  type DigestMessage,
  type DigestObligation,
  type DomainCounts,
  type ItemList,
  MAX_LISTED,
  type MonthlyDigestData,
  type UnitName,
  type UrlButton,
  type WeeklyDigestData,
} from './model.js';

// The domain's orders: domains with the three powers first, agencies and sources as the documents list them.
const DOMAIN_ORDER: readonly string[] = DOMAINS;
const AGENCY_ORDER: readonly string[] = AGENCY_CODES;
const SOURCE_ORDER: readonly string[] = SOURCE_KINDS;
/**
 * Items the daily digest lists, each with its URL button (`/start show-<n>`, well under Telegram's 64
 * characters): four rows of five, the most urgent first. The rest are counted, with a pointer to /queue.
 */
export const MAX_BUTTONS = 20;
const BUTTONS_PER_ROW = 5;

function isEnglish(t: TFunction): boolean {
  // A fixed translator carries its language; the digest needs it for unit names.
  return String((t as unknown as { lng?: string }).lng ?? '').startsWith('en');
}

function unitLabel(t: TFunction, unit: UnitName): string {
  const name = unitName(unit, isEnglish(t) ? 'en' : 'zh-CN');
  return name ? t('digests:unit_named', { code: unit.code, name }) : escapeHtml(unit.code);
}

function day(date: Date, timeZone: string, format = 'yyyy-MM-dd'): string {
  return DateTime.fromJSDate(date, { zone: timeZone }).toFormat(format);
}

/** A local date in the reader's words (5月4日 / 4 May), from the locale's luxon format. */
function localDate(t: TFunction, date: Date, timeZone: string, formatKey: string): string {
  return DateTime.fromJSDate(date, { zone: timeZone })
    .setLocale(isEnglish(t) ? 'en' : 'zh-CN')
    .toFormat(t(formatKey));
}

/** A local day: 5月5日 / 5 May (with its year when asked). */
function dayLabel(t: TFunction, date: Date, timeZone: string, withYear = false): string {
  return localDate(t, date, timeZone, withYear ? 'digests:format_day_year' : 'digests:format_day');
}

/**
 * The days a half-open window [start, end) covers, first to last: 4月28日—5月4日 / 28 Apr – 4 May.
 * With `withYear`, the year is named once; a window across the new year always names both years.
 */
function rangeLabel(t: TFunction, window: Window, timeZone: string, withYear = false): string {
  const lastInstant = new Date(Math.max(window.start.getTime(), window.end.getTime() - 1));
  const first = DateTime.fromJSDate(window.start, { zone: timeZone });
  const last = DateTime.fromJSDate(lastInstant, { zone: timeZone });
  if (first.year !== last.year) {
    return t('digests:range', {
      start: dayLabel(t, window.start, timeZone, true),
      end: dayLabel(t, lastInstant, timeZone, true),
    });
  }
  const start = dayLabel(t, window.start, timeZone);
  const end = dayLabel(t, lastInstant, timeZone);
  return withYear
    ? t('digests:range_in_year', { start, end, year: first.year })
    : t('digests:range', { start, end });
}

function sortedDomains(counts: DomainCounts): string[] {
  const known = DOMAIN_ORDER.filter((d) => (counts[d] ?? 0) > 0);
  const other = Object.keys(counts)
    .filter((d) => !DOMAIN_ORDER.includes(d) && (counts[d] ?? 0) > 0)
    .sort();
  return [...known, ...other];
}

function domainLabel(t: TFunction, domain: string): string {
  return domainName(t, domain);
}

function sourceLabel(t: TFunction, sourceKind: string, agency: string | null): string {
  if (sourceKind === 'liaison')
    return agency ? agencyName(t, agency, 'short') : sourceKindName(t, 'liaison', 'group');
  return SOURCE_ORDER.includes(sourceKind) ? sourceKindName(t, sourceKind, 'group') : escapeHtml(sourceKind);
}

function statusLabel(t: TFunction, status: string): string {
  return statusName(t, status, 'short');
}

function sourceRank(sourceKind: string, agency: string | null): number {
  const kind = SOURCE_ORDER.indexOf(sourceKind);
  const agencyRank = agency ? AGENCY_ORDER.indexOf(agency) : -1;
  return (kind < 0 ? 99 : kind) * 100 + (agencyRank < 0 ? 50 : agencyRank);
}

function total(counts: DomainCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function domainBreakdown(t: TFunction, counts: DomainCounts): string {
  return sortedDomains(counts)
    .map((d) => t('digests:count_of', { label: domainLabel(t, d), count: counts[d] ?? 0 }))
    .join(t('digests:separator'));
}

function itemLine(t: TFunction, item: DigestItem, timeZone: string, markMust: boolean): string {
  const code = `${item.domain}-${item.unitCode}`;
  const status =
    markMust && item.mustInvestigate
      ? `${statusLabel(t, item.status)}${t('digests:separator')}${t('digests:must_mark')}`
      : statusLabel(t, item.status);
  return item.dueAt
    ? t('digests:item_line_due', { id: item.id, code, status, due: day(item.dueAt, timeZone, 'MM-dd') })
    : t('digests:item_line', { id: item.id, code, status });
}

/**
 * One heading of the daily digest's item lists and as many of its items as `room` allows (at most
 * MAX_LISTED), then "and n more". Returns the lines and the numbers listed, each of which gets a button.
 */
function itemSection(
  t: TFunction,
  heading: string,
  list: ItemList,
  timeZone: string,
  room: number,
  markMust: boolean,
): { lines: string[]; ids: number[] } {
  if (list.total === 0) return { lines: [], ids: [] };
  const lines = [`<b>${heading}</b>`];
  const shown = list.items.slice(0, Math.max(0, Math.min(MAX_LISTED, room)));
  for (const item of shown) lines.push(itemLine(t, item, timeZone, markMust));
  if (list.total > shown.length) lines.push(t('digests:and_more', { count: list.total - shown.length }));
  return { lines, ids: shown.map((item) => item.id) };
}

function buttonRows(botUsername: string, ids: readonly number[]): UrlButton[][] {
  const rows: UrlButton[][] = [];
  ids.forEach((id, index) => {
    if (index % BUTTONS_PER_ROW === 0) rows.push([]);
    rows[rows.length - 1]?.push({ text: `#${id}`, url: deepLink(botUsername, 'show', id) });
  });
  return rows;
}

/** The daily digest's window line, by where the window starts. */
const WINDOW_KEYS: Record<DailyDigestData['sinceFrom'], string> = {
  last_digest: 'digests:window',
  first_start: 'digests:window_first_start',
  one_day: 'digests:window_one_day',
};

/** The daily digest: what came in since the last one, what must be triaged, what is late or due soon, who carries what. */
export function buildDailyDigest(data: DailyDigestData, t: TFunction): DigestMessage {
  const tz = data.timeZone;
  const lines = [
    `<b>${t('digests:daily_title', { date: day(data.since.end, tz) })}</b>`,
    t(WINDOW_KEYS[data.sinceFrom], {
      start: day(data.since.start, tz, 'MM-dd HH:mm'),
      end: day(data.since.end, tz, 'MM-dd HH:mm'),
    }),
  ];
  const newTotal = total(data.newByDomain);
  const quiet =
    newTotal === 0 &&
    data.mustUntriaged.total === 0 &&
    data.overdue.total === 0 &&
    data.dueSoon.total === 0 &&
    data.overdueObligations.total === 0;
  if (quiet) {
    lines.push(t('digests:daily_nothing_new'));
    return { text: lines.join('\n'), buttons: [] };
  }
  if (newTotal === 0) {
    lines.push(t('digests:new_none'));
  } else {
    lines.push(t('digests:new_total', { count: newTotal }));
    lines.push(t('digests:by_domain', { list: domainBreakdown(t, data.newByDomain) }));
    const sources = [...data.newBySource]
      .filter((s) => s.count > 0)
      .sort((a, b) => sourceRank(a.sourceKind, a.agency) - sourceRank(b.sourceKind, b.agency))
      .map((s) => t('digests:count_of', { label: sourceLabel(t, s.sourceKind, s.agency), count: s.count }));
    lines.push(t('digests:by_source', { list: sources.join(t('digests:separator')) }));
  }
  // Most urgent first; the lists are disjoint (queries.ts), so each item is listed once. Every listed
  // item gets a button and no more than MAX_BUTTONS are listed: the rest are counted, and /queue shows them.
  const sections: Array<[string, ItemList, boolean]> = [
    [t('digests:overdue_title', { count: data.overdue.total }), data.overdue, true],
    [t('digests:due_soon_title', { count: data.dueSoon.total }), data.dueSoon, true],
    [t('digests:must_untriaged_title', { count: data.mustUntriaged.total }), data.mustUntriaged, false],
  ];
  const listed: number[] = [];
  let unlisted = 0;
  for (const [heading, list, markMust] of sections) {
    const section = itemSection(t, heading, list, tz, MAX_BUTTONS - listed.length, markMust);
    lines.push(...section.lines);
    listed.push(...section.ids);
    unlisted += list.total - section.ids.length;
  }
  if (data.overdueObligations.total > 0) {
    lines.push(`<b>${t('digests:obligations_overdue_title', { count: data.overdueObligations.total })}</b>`);
    lines.push(...obligationLines(t, data.overdueObligations));
  }
  if (data.officerLoad.length > 0 || data.unassignedOpen > 0) {
    lines.push(`<b>${t('digests:load_title')}</b>`);
    for (const officer of data.officerLoad) {
      const name = officer.name ?? t('digests:officer_unnamed', { id: officer.officerId });
      lines.push(
        officer.overdue > 0
          ? t('digests:load_line_overdue', { name, count: officer.open, overdue: officer.overdue })
          : t('digests:load_line', { name, count: officer.open }),
      );
    }
    if (data.unassignedOpen > 0) lines.push(t('digests:load_unassigned', { count: data.unassignedOpen }));
  }
  if (unlisted > 0) lines.push(t('digests:not_listed', { listed: listed.length, count: unlisted }));
  return { text: lines.join('\n'), buttons: buttonRows(data.botUsername, listed) };
}

function formatDays(days: number): string {
  return (Math.round(days * 10) / 10).toFixed(1);
}

/** How last week's count compares with the week before's, in words (no bare "(0)" or "(+2)"). */
function weekChange(t: TFunction, diff: number): string {
  if (diff > 0) return t('digests:change_up', { count: diff });
  if (diff < 0) return t('digests:change_down', { count: -diff });
  return t('digests:change_none');
}

/**
 * The weekly digest. Each heading names the period it covers: last week (the week before the one it
 * is sent in) against the week before that, repeat subjects over 90 days, and the worklist and silent
 * reporters as of the digest's day.
 */
export function buildWeeklyDigest(data: WeeklyDigestData, t: TFunction): DigestMessage {
  const tz = data.timeZone;
  const thisTotal = total(data.thisWeek);
  const beforeTotal = total(data.weekBefore);
  const week = rangeLabel(t, data.week, tz);
  const before = rangeLabel(t, data.previousWeek, tz);
  const asOf = dayLabel(t, data.at, tz);
  const lines = [`<b>${t('digests:weekly_title', { range: rangeLabel(t, data.week, tz, true) })}</b>`];
  if (thisTotal === 0 && beforeTotal === 0) {
    lines.push(t('digests:week_none', { range: week, before_range: before }));
  } else {
    lines.push(
      t('digests:week_vs_before', {
        range: week,
        count: thisTotal,
        before_range: before,
        before: beforeTotal,
        change: weekChange(t, thisTotal - beforeTotal),
      }),
    );
  }
  const domains = sortedDomains({ ...data.weekBefore, ...data.thisWeek });
  for (const d of domains) {
    lines.push(
      t('digests:week_domain_line', {
        domain: domainLabel(t, d),
        count: data.thisWeek[d] ?? 0,
        before: data.weekBefore[d] ?? 0,
      }),
    );
  }
  const repeatWindow = {
    start: new Date(data.week.end.getTime() - RELATED_WINDOW_DAYS * 24 * 60 * 60 * 1000),
    end: data.week.end,
  };
  lines.push(`<b>${t('digests:repeat_title', { range: rangeLabel(t, repeatWindow, tz) })}</b>`);
  if (data.repeatSubjects.length === 0) lines.push(t('digests:none'));
  for (const r of data.repeatSubjects.slice(0, MAX_LISTED)) {
    lines.push(t('digests:repeat_line', { unit: unitLabel(t, r.unit), count: r.count }));
  }
  if (data.repeatSubjects.length > MAX_LISTED) {
    lines.push(t('digests:and_more', { count: data.repeatSubjects.length - MAX_LISTED }));
  }
  lines.push(`<b>${t('digests:points_title')}</b>`);
  if (data.pointsCrossed.length === 0) lines.push(t('digests:none'));
  for (const p of data.pointsCrossed) {
    const consequences = p.flags.map((f) => t(`digests:flag_${f}`)).join(t('digests:separator'));
    lines.push(
      t('digests:points_line', {
        unit: unitLabel(t, p.unit),
        head: headName(t, p.head),
        year: formatPoints(p.yearTotal),
        two: formatPoints(p.twoYearTotal),
        three: formatPoints(p.threeYearTotal),
        consequences,
      }),
    );
  }
  lines.push(`<b>${t('digests:obligations_title', { date: asOf, count: data.obligations.total })}</b>`);
  if (data.obligations.total === 0) lines.push(t('digests:none'));
  lines.push(...obligationLines(t, data.obligations));
  if (data.mustRemove.length > 0) {
    lines.push(`<b>${t('digests:must_remove_title', { date: asOf, count: data.mustRemove.length })}</b>`);
    for (const m of data.mustRemove) {
      lines.push(
        t('digests:must_remove_line', {
          unit: unitLabel(t, m.unit),
          head: headName(t, m.head),
          since: m.raisedOn,
        }),
      );
    }
  }
  lines.push(`<b>${t('digests:silent_title', { date: asOf })}</b>`);
  if (data.silent.length === 0) lines.push(t('digests:none'));
  for (const s of data.silent) {
    const place =
      s.role === 'liaison'
        ? s.place
          ? agencyName(t, s.place, 'short')
          : t('digests:place_unknown')
        : s.place
          ? escapeHtml(s.place)
          : t('digests:place_unknown');
    lines.push(t(`digests:silent_${s.role}`, { place, count: s.count }));
  }
  lines.push(`<b>${t('digests:speed_title')}</b>`);
  lines.push(
    data.meanTriage.days === null
      ? t('digests:triage_none')
      : t('digests:triage_mean', { days: formatDays(data.meanTriage.days), count: data.meanTriage.count }),
  );
  lines.push(
    data.meanConclude.days === null
      ? t('digests:conclude_none')
      : t('digests:conclude_mean', {
          days: formatDays(data.meanConclude.days),
          count: data.meanConclude.count,
        }),
  );
  lines.push(t('digests:reveals', { count: data.reveals }));
  // An empty chart is a blank frame: without data none is sent, and the text says why.
  if (data.chartWeeks.total === 0) {
    lines.push(t('digests:chart_none', { range: rangeLabel(t, data.chartWeeks.window, tz) }));
  }
  const reminderIds = data.obligations.entries.flatMap((o) => (o.itemId === null ? [] : [o.itemId]));
  return { text: lines.join('\n'), buttons: buttonRows(data.botUsername, [...new Set(reminderIds)]) };
}

function headName(t: TFunction, head: string | null): string {
  return head ?? t('heads:unknown_head');
}

/** One line per talk or audit: number, what, unit, head, due day; then "and n more". */
function obligationLines(
  t: TFunction,
  list: { total: number; entries: readonly DigestObligation[] },
): string[] {
  const lines = list.entries.slice(0, MAX_LISTED).map((o) =>
    t(o.overdue ? 'digests:obligation_line_overdue' : 'digests:obligation_line', {
      id: o.id,
      what:
        o.kind === 'talk'
          ? t('heads:talk_what', { occasion: t(`heads:occasion_${o.occasion}`) })
          : t('heads:audit_what', { reason: t(`heads:audit_${o.occasion}`) }),
      unit: unitLabel(t, o.unit),
      head: headName(t, o.head),
      due: o.dueOn,
    }),
  );
  const shown = Math.min(MAX_LISTED, list.entries.length);
  if (list.total > shown) lines.push(t('digests:and_more', { count: list.total - shown }));
  return lines;
}

function formatPoints(points: number): string {
  return Number.isInteger(points) ? String(points) : points.toFixed(1);
}

/** A month: 2025年4月 / April 2025, or without its year 4月 / April. */
function monthLabel(t: TFunction, month: Window, timeZone: string, withYear = true): string {
  return localDate(t, month.start, timeZone, withYear ? 'digests:format_month_year' : 'digests:format_month');
}

/**
 * The monthly joint-meeting circulation for the section: last month's new items by source agency and
 * domain, and the items of the last year forwarded to each agency, by their status now.
 */
export function buildMonthlyDigest(data: MonthlyDigestData, t: TFunction): DigestMessage {
  const lines = [`<b>${t('digests:monthly_title', { month: monthLabel(t, data.month, data.timeZone) })}</b>`];
  const all: DomainCounts = {};
  for (const source of data.bySource) {
    for (const [d, n] of Object.entries(source.byDomain)) all[d] = (all[d] ?? 0) + n;
  }
  const monthTotal = total(all);
  const month = monthLabel(t, data.month, data.timeZone, false);
  if (monthTotal === 0) {
    lines.push(t('digests:month_nothing_new', { month }));
  } else {
    lines.push(t('digests:month_total', { month, count: monthTotal }));
    lines.push(t('digests:by_domain', { list: domainBreakdown(t, all) }));
    lines.push(`<b>${t('digests:by_source_title')}</b>`);
    const sources = [...data.bySource]
      .filter((s) => total(s.byDomain) > 0)
      .sort((a, b) => sourceRank(a.sourceKind, a.agency) - sourceRank(b.sourceKind, b.agency));
    for (const s of sources) {
      lines.push(
        t('digests:source_domain_line', {
          source: sourceLabel(t, s.sourceKind, s.agency),
          count: total(s.byDomain),
          list: domainBreakdown(t, s.byDomain),
        }),
      );
    }
  }
  lines.push(
    `<b>${t('digests:forwarded_title', { range: rangeLabel(t, data.forwardedWindow, data.timeZone, true) })}</b>`,
  );
  const forwarded = [...data.forwarded]
    .filter((f) => total(f.byStatus) > 0)
    .sort((a, b) => sourceRank('liaison', a.agency) - sourceRank('liaison', b.agency));
  if (forwarded.length === 0) lines.push(t('digests:none'));
  for (const f of forwarded) {
    const statuses = Object.entries(f.byStatus)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => t('digests:count_of', { label: statusLabel(t, status), count: n }))
      .join(t('digests:separator'));
    lines.push(
      t('digests:forwarded_line', {
        agency: agencyName(t, f.agency, 'short'),
        count: total(f.byStatus),
        list: statuses,
      }),
    );
  }
  return { text: lines.join('\n'), buttons: [] };
}

/** One agency's private circulation: the numbers, codes and statuses of items forwarded to it; no buttons (liaisons cannot open items). */
export function buildAgencyCirculation(data: AgencyCirculationData, t: TFunction): DigestMessage {
  const lines = [
    `<b>${t('digests:agency_title', {
      month: monthLabel(t, data.month, data.timeZone),
      agency: agencyName(t, data.agency, 'short'),
    })}</b>`,
    t('digests:agency_intro', {
      range: rangeLabel(t, data.forwardedWindow, data.timeZone, true),
      count: data.forwarded.total,
    }),
  ];
  const shown = data.forwarded.items;
  for (const item of shown) {
    lines.push(
      t('digests:item_line', {
        id: item.id,
        code: `${item.domain}-${item.unitCode}`,
        status: statusLabel(t, item.status),
      }),
    );
  }
  if (data.forwarded.total > shown.length) {
    lines.push(t('digests:and_more', { count: data.forwarded.total - shown.length }));
  }
  return { text: lines.join('\n'), buttons: [] };
}

/**
 * The note above a preview (/digest, the CLI's dry run): which period the digest covers, so a preview
 * on a Wednesday is not read as this week's. `period` is the window the digest reports on: new items
 * since the previous daily digest, last week, or last month.
 */
export function buildPreviewNote(kind: DigestKind, period: Window, timeZone: string, t: TFunction): string {
  if (kind === 'daily') {
    return t('digests:preview_daily', {
      start: day(period.start, timeZone, 'MM-dd HH:mm'),
      end: day(period.end, timeZone, 'MM-dd HH:mm'),
    });
  }
  if (kind === 'weekly') return t('digests:preview_weekly', { range: rangeLabel(t, period, timeZone, true) });
  return t('digests:preview_monthly', { month: monthLabel(t, period, timeZone) });
}

/** The caption under the weekly chart, naming the 12 weeks it shows. */
export function chartCaption(window: Window, timeZone: string, t: TFunction): string {
  return t('digests:chart_caption', { range: rangeLabel(t, window, timeZone, true) });
}

/** Telegram `reply_markup` for a digest's buttons, or nothing when it has none. */
export function digestMarkup(message: DigestMessage): Record<string, unknown> {
  return message.buttons.length > 0 ? { reply_markup: { inline_keyboard: message.buttons } } : {};
}
