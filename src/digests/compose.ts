/**
 * Builds a digest from the database: runs its aggregate queries, turns them into text (content.ts)
 * and, for the weekly one, the chart. Used by the scheduler, the /digest preview and the CLI alike,
 * so what is previewed is what would be sent.
 */
import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import type { Queryable } from '../db/client.js';
import { comparisonWindows, type DigestKind, type Window } from '../domain/periods.js';
import { languageFor, translatorFor } from '../i18n.js';
import { liaisonsOf } from '../people/store.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { type ChartImage, renderWeeklyChart } from './chart.js';
import {
  buildAgencyCirculation,
  buildDailyDigest,
  buildMonthlyDigest,
  buildPreviewNote,
  buildWeeklyDigest,
  chartCaption,
  digestMarkup,
} from './content.js';
import type { DigestMessage } from './model.js';
import * as q from './queries.js';

/** When and for whom a digest is built. */
export interface DigestOptions {
  /** The digest's instant: the cron occurrence, or now for a preview. */
  at: Date;
  /** Daily only: start of "new since" (the previous daily digest); one local day before `at` when absent. */
  since?: Date | null;
  /** What `since` is: the previous daily digest (the default) or, before the first one, the installation's start. */
  sinceFrom?: 'last_digest' | 'first_start';
  timeZone: string;
  botUsername: string;
  /** The section chat is seen by officers, so it never counts items reserved for admins. */
  includeAdminsOnly: boolean;
  /** ADMIN_ONLY_UNITS, whose talks and audits only the admins' own view lists. */
  adminOnlyUnits: readonly string[];
}

/** A private message to one liaison (monthly circulation). */
export interface AgencyMessage {
  chatId: number;
  agency: string;
  message: DigestMessage;
}

/** A built digest: the section's message, the weekly chart, and the monthly agency messages. */
export interface BuiltDigest {
  kind: DigestKind;
  /** The note a preview starts with, naming the period the digest covers (HTML, the translator's language). */
  preview: string;
  main: DigestMessage;
  chart: (ChartImage & { caption: string }) | null;
  agencyMessages: AgencyMessage[];
}

/** The window "new" items of a daily digest are counted in. */
export function dailyWindow(at: Date, since: Date | null | undefined, timeZone: string): Window {
  const fallback = comparisonWindows('daily', at, timeZone).current.start;
  const start = since && since.getTime() < at.getTime() ? since : fallback;
  return { start, end: at };
}

/** Runs the queries of `kind` on `db` and builds its messages in the translator's language. */
export async function buildDigest(
  db: Queryable,
  kind: DigestKind,
  options: DigestOptions,
  t: TFunction,
): Promise<BuiltDigest> {
  const scope = { includeAdminsOnly: options.includeAdminsOnly, adminOnlyUnits: options.adminOnlyUnits };
  const today = DateTime.fromJSDate(options.at, { zone: options.timeZone }).toISODate() ?? '';
  const { at, timeZone, botUsername } = options;
  if (kind === 'daily') {
    const since = dailyWindow(at, options.since, timeZone);
    const counts = await q.newItemCounts(db, since, scope);
    const open = await q.openItemsOverview(db, at, scope);
    const main = buildDailyDigest(
      {
        timeZone,
        botUsername,
        since,
        sinceFrom:
          options.since && since.start.getTime() === options.since.getTime()
            ? (options.sinceFrom ?? 'last_digest')
            : 'one_day',
        newByDomain: counts.byDomain,
        newBySource: counts.bySource,
        mustUntriaged: open.mustUntriaged,
        overdue: open.overdue,
        dueSoon: open.dueSoon,
        officerLoad: open.officers,
        unassignedOpen: open.unassigned,
        overdueObligations: await q.openObligations(db, today, scope, true),
      },
      t,
    );
    return {
      kind,
      preview: buildPreviewNote(kind, since, timeZone, t),
      main,
      chart: null,
      agencyMessages: [],
    };
  }
  if (kind === 'weekly') {
    const { current, previous } = comparisonWindows('weekly', at, timeZone);
    const compared = await q.domainCountsCompared(db, current, previous, scope);
    const times = await q.meanTimes(db, current, scope);
    const year = DateTime.fromMillis(current.end.getTime() - 1, { zone: timeZone }).year;
    const series = await q.weeklySeries(db, current.end, timeZone, scope);
    const chartWeeks = {
      window: q.chartWindow(current.end, timeZone),
      total: Object.values(series.byDomain).reduce(
        (sum, counts) => sum + counts.reduce((a, b) => a + b, 0),
        0,
      ),
    };
    const main = buildWeeklyDigest(
      {
        timeZone,
        botUsername,
        at,
        week: current,
        previousWeek: previous,
        thisWeek: compared.current,
        weekBefore: compared.previous,
        repeatSubjects: await q.repeatSubjects(db, current.end, scope),
        pointsCrossed: await q.pointsCrossed(db, current, year, scope),
        obligations: await q.openObligations(db, today, scope, false),
        mustRemove: await q.pendingMustRemoves(db, scope),
        silent: await q.silentReporters(db, at),
        meanTriage: times.triage,
        meanConclude: times.conclude,
        reveals: await q.revealCount(db, current, scope),
        chartWeeks,
      },
      t,
    );
    // No chart of 12 empty weeks (a blank frame): the text says there was nothing to draw.
    const chart =
      chartWeeks.total === 0
        ? null
        : {
            ...(await renderWeeklyChart(series, t)),
            caption: chartCaption(chartWeeks.window, timeZone, t),
          };
    return { kind, preview: buildPreviewNote(kind, current, timeZone, t), main, chart, agencyMessages: [] };
  }
  const { current } = comparisonWindows('monthly', at, timeZone);
  const counts = await q.newItemCounts(db, current, scope);
  const forwarded = await q.forwardedCounts(db, current.end, scope);
  const forwardedWindow = q.forwardedWindow(current.end);
  const main = buildMonthlyDigest(
    { timeZone, month: current, forwardedWindow, bySource: counts.bySourceDomain, forwarded },
    t,
  );
  const agencyMessages: AgencyMessage[] = [];
  // Agencies see only their own forwarded items, never admin-reserved ones, whoever builds the digest.
  const agencyScope = { includeAdminsOnly: false };
  const liaisons = await liaisonsOf(
    db,
    forwarded.map((f) => f.agency),
  );
  for (const agency of [...new Set(liaisons.map((l) => l.agency))]) {
    const items = await q.forwardedItems(db, agency, current.end, agencyScope);
    if (items.total === 0) continue;
    for (const liaison of liaisons.filter((l) => l.agency === agency)) {
      const liaisonT = translatorFor(languageFor(liaison.language));
      agencyMessages.push({
        chatId: liaison.telegramId,
        agency,
        message: buildAgencyCirculation(
          { timeZone, month: current, forwardedWindow, agency, forwarded: items },
          liaisonT,
        ),
      });
    }
  }
  return { kind, preview: buildPreviewNote(kind, current, timeZone, t), main, chart: null, agencyMessages };
}

/** Sends (through the outbox) a built digest: the main message (and chart) to `chatId`, and, unless `mainOnly`, the agency messages. */
export function sendDigest(
  out: OutboxBuffer,
  digest: BuiltDigest,
  chatId: number,
  options: { mainOnly?: boolean; ref?: string } = {},
): void {
  out.sendText(chatId, digest.main.text, digestMarkup(digest.main), options.ref);
  if (digest.chart) {
    out.sendFile(
      chatId,
      'sendPhoto',
      { field: 'photo', name: `digest-${digest.kind}.png`, bytes: digest.chart.png },
      { caption: digest.chart.caption },
    );
  }
  if (options.mainOnly) return;
  for (const agencyMessage of digest.agencyMessages) {
    out.sendText(agencyMessage.chatId, agencyMessage.message.text, digestMarkup(agencyMessage.message));
  }
}
