/**
 * Sends the scheduled digests to the section chat exactly once per (kind, period): the period is
 * recorded in digest_runs in the same transaction that queues the messages, and the unique key
 * (kind, period_key) decides which process — or which restart — sends it.
 */

import { sql } from 'drizzle-orm';
import cron, { type ScheduledTask } from 'node-cron';
import { appendAudit } from '../audit.js';
import type { AppConfig } from '../config.js';
import { type Db, type Queryable, queryRows } from '../db/client.js';
import { digestRuns } from '../db/schema.js';
import { localDateOf } from '../domain/local-date.js';
import { type DigestKind, latestOccurrence, periodKey } from '../domain/periods.js';
import { planAudits } from '../heads/worklist.js';
import { translatorFor } from '../i18n.js';
import type { Logger } from '../logger.js';
import { getSectionChat, getSetting, putSettingIfAbsent, type SectionChat } from '../settings.js';
import { OutboxBuffer, writeOutbox } from '../telegram/outbox.js';
import { buildDigest, sendDigest } from './compose.js';

/** The three kinds, in the order they are checked at start. */
export const DIGEST_KINDS: readonly DigestKind[] = ['daily', 'weekly', 'monthly'];

/** The section chat reads Chinese: it is the cadre section's own group. */
const SECTION_LANGUAGE = 'zh-CN';

/** What a digest run needs. */
export interface DigestDeps {
  db: Db;
  config: Pick<AppConfig, 'timeZone' | 'digestSchedules' | 'adminOnlyUnits'>;
  logger: Logger;
  botUsername(): string;
  now(): Date;
  /** Called after messages were queued, so the sender delivers them now. */
  wake(): void;
}

/** What one run did: sent (and how many messages), found the period already sent, or found no section chat. */
export type DigestRunResult =
  | { status: 'sent'; periodKey: string; messages: number }
  | { status: 'already_sent'; periodKey: string }
  | { status: 'no_section_chat'; periodKey: string };

/**
 * Sends the digest of `kind` for the period that occurred at `occurrence`, unless it was sent already.
 * With no section chat bound nothing is recorded; a period that ended before the first binding is
 * never sent afterwards (catchUpHorizon).
 */
export async function runDigest(
  deps: DigestDeps,
  kind: DigestKind,
  occurrence: Date,
): Promise<DigestRunResult> {
  const key = periodKey(kind, occurrence);
  const result = await deps.db.transaction(async (tx): Promise<DigestRunResult> => {
    const chat = await getSectionChat(tx);
    if (!chat) return { status: 'no_section_chat', periodKey: key };
    const inserted = await tx
      .insert(digestRuns)
      .values({ kind, periodKey: key, occurrenceAt: occurrence })
      .onConflictDoNothing()
      .returning({ id: digestRuns.id });
    if (inserted.length === 0) return { status: 'already_sent', periodKey: key };
    // The two-yearly audits (两年一审) are otherwise created only when someone opens /talks: create the
    // ones due to show by the digest's day first, so a digest that lists talks and audits misses none.
    if (kind === 'daily' || kind === 'weekly') {
      await planAudits(tx, localDateOf(occurrence, deps.config.timeZone));
    }
    const since = kind === 'daily' ? await dailySince(tx, occurrence) : null;
    const digest = await buildDigest(
      tx,
      kind,
      {
        at: occurrence,
        since: since?.at ?? null,
        sinceFrom: since?.from,
        timeZone: deps.config.timeZone,
        botUsername: deps.botUsername(),
        includeAdminsOnly: false,
        adminOnlyUnits: deps.config.adminOnlyUnits,
      },
      translatorFor(SECTION_LANGUAGE),
    );
    const out = new OutboxBuffer();
    sendDigest(out, digest, chat.chatId, { ref: `digest:${key}` });
    await writeOutbox(tx, out.messages);
    await appendAudit(tx, {
      actorId: null,
      action: 'digest_sent',
      details: { kind, periodKey: key, messages: out.size, agencyMessages: digest.agencyMessages.length },
    });
    return { status: 'sent', periodKey: key, messages: out.size };
  });
  if (result.status === 'sent') deps.wake();
  return result;
}

/** Where a daily digest starts counting new items: the previous daily digest, or, for the first, the installation's start. */
export interface DailySince {
  at: Date;
  from: 'last_digest' | 'first_start';
}

/**
 * The start of the daily digest due at `before`: the previous daily digest's occurrence; for the first
 * one, the installation's first start, so what came in before the section chat was bound is counted
 * as new and not passed over as "nothing new". Null when neither is known (one local day is counted).
 */
export async function dailySince(db: Queryable, before: Date): Promise<DailySince | null> {
  const last = await latestRunAt(db, 'daily', before);
  if (last) return { at: last, from: 'last_digest' };
  const firstStart = await getSetting<string>(db, FIRST_START_SETTING);
  const at = firstStart ? new Date(firstStart) : null;
  return at && at.getTime() < before.getTime() ? { at, from: 'first_start' } : null;
}

/** The occurrence of the latest digest of `kind` recorded before `before`, or null if none. */
export async function latestRunAt(db: Queryable, kind: DigestKind, before: Date): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | string | null }>(
    db,
    sql`select max(occurrence_at) as at from digest_runs
        where kind = ${kind} and occurrence_at < ${before.toISOString()}::timestamptz`,
  );
  return row?.at ? new Date(row.at) : null;
}

/** The setting that records when this installation first started (ISO time). */
export const FIRST_START_SETTING = 'installation.first_start';

/**
 * When this installation first started, recorded once. On a new database that is `now`; on one that
 * ran before this was recorded (an upgrade), the earliest trace it holds — so an upgrade does not
 * lose the catch-up of a period missed while it was down.
 */
export async function firstStartOf(db: Queryable, now: Date): Promise<Date> {
  const recorded = await getSetting<string>(db, FIRST_START_SETTING);
  if (recorded) return new Date(recorded);
  const [trace] = await queryRows<{ at: Date | string | null }>(
    db,
    sql`select least(
          (select min(created_at) from items), (select min(enrolled_at) from people),
          (select min(occurrence_at) from digest_runs), (select min(at) from audit_log)) as at`,
  );
  const earliest = trace?.at ? new Date(trace.at) : now;
  const at = earliest.getTime() < now.getTime() ? earliest : now;
  await putSettingIfAbsent(db, FIRST_START_SETTING, at.toISOString());
  return new Date((await getSetting<string>(db, FIRST_START_SETTING)) ?? at.toISOString());
}

/** When the section chat was first bound: the first binding in the audit log, else the current one. */
async function firstBoundAt(db: Queryable, chat: SectionChat): Promise<Date> {
  const [first] = await queryRows<{ at: Date | string | null }>(
    db,
    sql`select min(at) as at from audit_log where action = 'section_chat.bound'`,
  );
  const bound = new Date(chat.boundAt);
  return first?.at && new Date(first.at).getTime() < bound.getTime() ? new Date(first.at) : bound;
}

/**
 * The earliest occurrence a catch-up may still send: a digest covers the period that ends at its
 * occurrence, and nobody wants a report on a period that ended before the installation first started
 * or before it had a section chat (a new installation bound today must not post last Monday's week).
 */
export async function catchUpHorizon(db: Queryable, now: Date, chat: SectionChat): Promise<Date> {
  const [installed, bound] = await Promise.all([firstStartOf(db, now), firstBoundAt(db, chat)]);
  return installed.getTime() > bound.getTime() ? installed : bound;
}

/**
 * For each kind, sends the latest occurrence ≤ now if it has no run yet, is later than the latest run
 * recorded, and ended after the installation's first start and the section chat's first binding: a
 * period missed while the bot was down goes out once; older ones, and any before the horizon, are skipped.
 */
export async function catchUpDigests(deps: DigestDeps): Promise<DigestRunResult[]> {
  const results: DigestRunResult[] = [];
  const now = deps.now();
  const installed = await firstStartOf(deps.db, now);
  const chat = await getSectionChat(deps.db);
  const horizon = chat ? await catchUpHorizon(deps.db, now, chat) : installed;
  for (const kind of DIGEST_KINDS) {
    const occurrence = latestOccurrence(deps.config.digestSchedules[kind], now, deps.config.timeZone);
    if (!occurrence || occurrence.getTime() < horizon.getTime()) continue;
    const [latest] = await queryRows<{ at: Date | string | null }>(
      deps.db,
      sql`select max(occurrence_at) as at from digest_runs where kind = ${kind}`,
    );
    if (latest?.at && new Date(latest.at).getTime() >= occurrence.getTime()) continue;
    results.push(await runDigest(deps, kind, occurrence));
  }
  return results;
}

/** How often missed periods are looked for besides the cron ticks (a failed run, a chat bound late). */
export const CATCH_UP_INTERVAL_MS = 60_000;

/** Running digest schedules. */
export interface DigestScheduler {
  stop(): Promise<void>;
}

/** Starts one cron task per kind in the configured time zone, plus a catch-up at start and every minute. */
export function startDigestScheduler(
  deps: DigestDeps,
  options: { catchUpIntervalMs?: number } = {},
): DigestScheduler {
  const inFlight = new Set<Promise<unknown>>();
  // The catch-up retries every minute while no chat is bound; one warning per period is enough.
  const warned = new Set<string>();
  let stopped = false;
  const track = (work: () => Promise<unknown>, what: Record<string, unknown>) => {
    if (stopped) return;
    const promise = work()
      .then((result) => {
        const results = Array.isArray(result) ? result : [result];
        for (const r of results as DigestRunResult[]) {
          if (r.status === 'sent')
            deps.logger.info({ periodKey: r.periodKey, messages: r.messages }, 'digest queued');
          if (r.status === 'no_section_chat' && !warned.has(r.periodKey)) {
            warned.add(r.periodKey);
            deps.logger.warn(
              { periodKey: r.periodKey },
              'no section chat bound: no digest is sent until an admin sends /bindchat in the section group',
            );
          }
        }
      })
      .catch((error: unknown) =>
        deps.logger.error({ err: error, ...what }, 'digest run failed; will retry at catch-up'),
      )
      .finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  };
  const cronLogger = {
    info: () => {},
    debug: () => {},
    warn: (message: string) => deps.logger.warn({ source: 'node-cron' }, message),
    error: (message: string | Error) =>
      deps.logger.error({ source: 'node-cron', err: message }, 'cron error'),
  };
  const tasks: ScheduledTask[] = DIGEST_KINDS.map((kind) => {
    const expr = deps.config.digestSchedules[kind];
    return cron.createTask(
      expr,
      (context) => {
        // The scheduled instant, not the (slightly later) moment the callback runs, names the period.
        const at = new Date(Math.max(context.date.getTime(), deps.now().getTime()));
        const occurrence = latestOccurrence(expr, at, deps.config.timeZone);
        if (occurrence) track(() => runDigest(deps, kind, occurrence), { kind });
      },
      { timezone: deps.config.timeZone, name: `digest-${kind}`, logger: cronLogger },
    );
  });
  for (const task of tasks) void task.start();
  track(() => catchUpDigests(deps), { catchUp: true });
  const sweep = setInterval(
    () => track(() => catchUpDigests(deps), { catchUp: true }),
    options.catchUpIntervalMs ?? CATCH_UP_INTERVAL_MS,
  );
  sweep.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(sweep);
      for (const task of tasks) await task.destroy();
      await Promise.allSettled([...inFlight]);
    },
  };
}
