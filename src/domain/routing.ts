import { DateTime } from 'luxon';
import type { AgencyCode } from './agencies.js';
import { addWorkingDaysOn, EMPTY_CALENDAR, type WorkingCalendar } from './calendar.js';
import type { Domain } from './tip-code.js';

/** Where an item came from: a community monitor, an agency liaison, or a report the section logged. */
export const SOURCE_KINDS = ['monitor', 'liaison', 'hotline', 'mailbox'] as const;
/** One source kind. */
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** A tip (monitor or liaison), a notice (liaison, from the agency's own work) or a logged report. */
export const ITEM_KINDS = ['tip', 'notice', 'report'] as const;
/** One item kind. */
export type ItemKind = (typeof ITEM_KINDS)[number];

/** The four must-investigate rules (四个必查), one value each, in the document's order. */
export type MustInvestigateReason =
  | 'specific_content'
  | 'signed_or_contactable'
  | 'personnel_or_serious_style'
  | 'found_in_inspection';

/** Triage priorities, most pressing first. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
/** One triage priority. */
export type Priority = (typeof PRIORITIES)[number];

/** The facts about a new item that routing looks at. */
export interface RoutingInput {
  itemKind: ItemKind;
  sourceKind: SourceKind;
  sourceAgency: AgencyCode | null;
  signed: boolean;
  domain: Domain;
  unitCode: string;
  text: string;
  attachmentCount: number;
  createdAt: Date;
}

/** An item already stored, as routing needs it. */
export interface RecentItem {
  id: number;
  domain: Domain;
  unitCode: string;
  createdAt: Date;
}

/** What routing needs to know besides the item itself. */
export interface RoutingContext {
  timeZone: string;
  /** Items already stored, any unit; the caller may pass only the last 90 days. */
  recentItems: readonly RecentItem[];
  /** Units whose items only admins may see (default ['ZZB']: the Organization Department itself). */
  adminOnlyUnits: readonly string[];
  /** The official holidays and make-up days; without it, Monday to Friday are working days. */
  calendar?: WorkingCalendar;
}

/** The routing verdict for a new item. */
export interface RoutingDecision {
  mustInvestigate: boolean;
  /** In the document's order, no duplicates. */
  reasons: MustInvestigateReason[];
  priority: Priority;
  triageDueAt: Date;
  concludeDueAt: Date;
  /** Ids of recent items with the same unit and domain within RELATED_WINDOW_DAYS, ascending. */
  relatedItemIds: number[];
  repeatSubject: boolean;
  adminsOnly: boolean;
}

/** Default for RoutingContext.adminOnlyUnits: the Organization Department (县委组织部) is not triaged by its own officers. */
export const DEFAULT_ADMIN_ONLY_UNITS: readonly string[] = ['ZZB'];
/** How far back related items and repeat subjects are looked for. */
export const RELATED_WINDOW_DAYS = 90;
/** Items about one unit within the window (this one included) that make it a repeat subject. */
export const REPEAT_SUBJECT_THRESHOLD = 3;
/** Working days to first triage for must-investigate items. */
export const TRIAGE_DAYS_MUST = 1;
/** Working days to first triage for other items. */
export const TRIAGE_DAYS_OTHER = 3;
/** Calendar days from arrival to the conclusion deadline. */
export const CONCLUDE_DAYS = 30;

// Amounts: 300万元, 5000元, 约2亿, 三百万元, 2000块.
const ZH_AMOUNT =
  /[0-9０-９][0-9０-９,，.]*\s*(?:多|余)?\s*(?:[万亿千百]|万元|亿元)|[0-9０-９][0-9０-９,，.]*\s*(?:多|余)?\s*(?:元|块)|[一二两三四五六七八九十百千]+\s*(?:多|余)?\s*(?:万|亿)?\s*(?:元|块钱)/u;
// Dates and times: 2019年, 3月5日, 5号, 上周五, 星期三, 昨天晚上, 前天, 去年, 10点, 十点钟 (not 一点: "a little").
const ZH_DATE =
  /[0-9０-９]{2,4}\s*年|[0-9０-９一二三四五六七八九十]{1,3}\s*月(?:份|\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[日号])?|[0-9０-９]{1,2}\s*[日号]|[上下本这]个?(?:周|星期|礼拜)[一二三四五六日天末]?|(?:星期|礼拜)[一二三四五六日天]|周[一二三四五六日末]|[昨前今]天|[昨前今]晚|昨日|去年|前年|上个?月|[0-9０-９]{1,2}\s*[点时](?:半|[0-9０-９]{1,2}\s*分)?|[一二两三四五六七八九十]{1,3}点(?:钟|半)/u;
// Places and projects: where the conduct happened or what it concerned.
const ZH_PLACE = /工程|项目|酒店|饭店|宾馆|餐馆|KTV|会所|茶楼|棋牌室|农家乐|工地|公司|小区|大楼|路|街|村/iu;
// Titles of the unit heads and their deputies; combined with a place, the lead names someone somewhere.
const ZH_POSITION = /镇长|乡长|书记|局长|主任|部长|站长|所长|院长|校长|科长|主席|队长|经理/u;
const EN_AMOUNT =
  /[$¥￥€£]\s*\d|\d[\d,.]*\s*(?:k|m|bn|thousand|million|billion)?\s*(?:yuan|rmb|cny|dollars?|usd|eur)\b/iu;
const EN_DATE =
  /\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b(?:19|20)\d{2}\b|\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b|\b(?:yesterday|last\s+(?:night|week|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b|\bon\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b/iu;
const EN_PLACE =
  /\b(?:project|construction|hotel|restaurant|karaoke|ktv|club|road|street|village|site|company)\b/iu;
const EN_POSITION = /\b(?:mayor|secretary|director|chief|head|chairman|deputy)\b/iu;

/**
 * Whether a report has "clear leads or specific content" (反映问题有明确线索或具体内容): a transparent
 * heuristic, true when ANY holds: (a) at least one attachment; (b) an amount of money (300万元, 5000元,
 * 约2亿, 三百万元; $500, 3 million yuan); (c) a date or time (2019年, 3月5日, 上周五, 星期三, 昨天晚上,
 * 10点; March 5, 2019, 3/5, yesterday, last Friday, 10pm); (d) a place or project marker (工程 项目 酒店
 * 饭店 宾馆 KTV 会所 工地 公司 小区 路 街 村 …; project hotel road village …) together with a position
 * title (镇长 乡长 书记 局长 主任 部长 …; mayor secretary director …). It errs towards "specific": a
 * false positive costs an officer a look, a false negative could bury a real lead.
 */
export function hasSpecificContent(text: string, attachmentCount: number): boolean {
  if (attachmentCount > 0) return true;
  if (ZH_AMOUNT.test(text) || EN_AMOUNT.test(text)) return true;
  if (ZH_DATE.test(text) || EN_DATE.test(text)) return true;
  return (ZH_PLACE.test(text) && ZH_POSITION.test(text)) || (EN_PLACE.test(text) && EN_POSITION.test(text));
}

const SERIOUS_STYLE =
  /严重|恶劣|赌博|聚赌|参赌|嫖|酒驾|醉驾|酒后驾|包养|情妇|情人|二奶|吸毒|殴打|打人|公款吃喝|公款旅游|公款娱乐|\bserious(?:ly)?\b|gambl|prostitut|drunk[- ]?driv|drink[- ]?driv|mistress|\bdrugs?\b|assault/iu;

/**
 * Whether a style (作风) report describes a serious problem (严重思想作风问题): true when the text says
 * 严重/恶劣 (serious) or names gambling, prostitution, drunk driving, a kept mistress, drugs, violence or
 * public-money banqueting/travel. A keyword list, so officers can read why an item was flagged.
 */
export function isSeriousStyle(text: string): boolean {
  return SERIOUS_STYLE.test(text);
}

const FOUND_IN_INSPECTION =
  /考察|考核|检查中发现|检查时发现|巡察|\bfound\s+(?:during|in)\s+(?:the\s+)?(?:an?\s+)?(?:inspection|assessment|evaluation|check)/iu;

/** Whether the text says the problem came up in cadre inspection, assessment or checks (考察/考核/检查中发现/巡察). */
export function mentionsInspection(text: string): boolean {
  return FOUND_IN_INSPECTION.test(text);
}

/** The must-investigate reasons that hold for an item, in the document's order. */
export function mustInvestigateReasons(input: RoutingInput): MustInvestigateReason[] {
  const reasons: MustInvestigateReason[] = [];
  if (hasSpecificContent(input.text, input.attachmentCount)) reasons.push('specific_content');
  if (input.signed) reasons.push('signed_or_contactable');
  if (input.domain === 'P' || (input.domain === 'S' && isSeriousStyle(input.text))) {
    reasons.push('personnel_or_serious_style');
  }
  // A notice from the Organization Department comes out of its own inspection and assessment work.
  if ((input.itemKind === 'notice' && input.sourceAgency === 'ORG') || mentionsInspection(input.text)) {
    reasons.push('found_in_inspection');
  }
  return reasons;
}

function zoned(d: Date, timeZone: string): DateTime {
  const dt = DateTime.fromJSDate(d, { zone: timeZone });
  if (!dt.isValid) throw new RangeError(`invalid date or time zone: ${dt.invalidExplanation ?? timeZone}`);
  return dt;
}

/**
 * `from` plus `days` working days in `timeZone`, keeping the local time of day: Mon–Fri, or the official
 * `calendar` (holidays off, make-up days worked) when given. An instant on a day off first moves to
 * 00:00 local of the next working day, so a Saturday item with 1 day is due Tuesday 00:00, i.e. at the
 * end of Monday. Throws RangeError on a bad zone or a negative/fractional count.
 */
export function addWorkingDays(
  from: Date,
  days: number,
  timeZone: string,
  calendar: WorkingCalendar = EMPTY_CALENDAR,
): Date {
  return addWorkingDaysOn(from, days, timeZone, calendar);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Decides must-investigate, priority, due dates, related items and visibility for a new item. */
export function route(input: RoutingInput, ctx: RoutingContext): RoutingDecision {
  const reasons = mustInvestigateReasons(input);
  const mustInvestigate = reasons.length > 0;
  const unit = input.unitCode.toUpperCase();
  const created = input.createdAt.getTime();
  const windowStart = created - RELATED_WINDOW_DAYS * DAY_MS;
  const sameUnit = ctx.recentItems.filter((r) => {
    const t = r.createdAt.getTime();
    return r.unitCode.toUpperCase() === unit && t >= windowStart && t <= created;
  });
  const relatedItemIds = [
    ...new Set(sameUnit.filter((r) => r.domain === input.domain).map((r) => r.id)),
  ].sort((a, b) => a - b);
  const repeatSubject = new Set(sameUnit.map((r) => r.id)).size + 1 >= REPEAT_SUBJECT_THRESHOLD;

  let priority: Priority;
  if (reasons.length >= 3 || (mustInvestigate && repeatSubject)) priority = 'urgent';
  else if (mustInvestigate) priority = 'high';
  else if (input.domain === 'O') priority = 'low';
  else priority = 'normal';

  return {
    mustInvestigate,
    reasons,
    priority,
    triageDueAt: addWorkingDays(
      input.createdAt,
      mustInvestigate ? TRIAGE_DAYS_MUST : TRIAGE_DAYS_OTHER,
      ctx.timeZone,
      ctx.calendar,
    ),
    concludeDueAt: zoned(input.createdAt, ctx.timeZone).plus({ days: CONCLUDE_DAYS }).toJSDate(),
    relatedItemIds,
    repeatSubject,
    adminsOnly: ctx.adminOnlyUnits.some((u) => u.toUpperCase() === unit),
  };
}
