/**
 * Sends the scheduled digests to the section chat exactly once per (kind, period): the period is
 * recorded in digest_runs in the same transaction that queues the messages, and the unique key
 * (kind, period_key) decides which process — or which restart — sends it.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { sql } from 'drizzle-orm';
import { translatorFor } from '../bot/i18n.js';
import { appendAudit } from '../audit.js';
import type { AppConfig } from '../config.js';
import { type Db, type Queryable, queryRows } from '../db/client.js';
import { digestRuns } from '../db/schema.js';
import { type DigestKind, latestOccurrence, periodKey } from '../domain/periods.js';
import type { Logger } from '../logger.js';
import { getSectionChat } from '../settings.js';
import { OutboxBuffer, writeOutbox } from '../telegram/outbox.js';
import { buildDigest, queueDigest } from './compose.js';

/** The three kinds, in the order they are checked at start. */
export const DIGEST_KINDS: readonly DigestKind[] = ['daily', 'weekly', 'monthly'];

/** The section chat reads Chinese: it is the cadre section's own group. */
const SECTION_LANGUAGE = 'zh-CN';

/** What a digest run needs. */
export interface DigestDeps {
  db: Db;
  config: Pick<AppConfig, 'timeZone' | 'digestSchedules'>;
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
 * With no section chat bound nothing is recorded, so the period is sent by the next catch-up after binding.
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
    const since = await latestRunAt(tx, kind, occurrence);
    const digest = await buildDigest(
      tx,
      kind,
      {
        at: occurrence,
        since,
        timeZone: deps.config.timeZone,
        botUsername: deps.botUsername(),
        includeAdminsOnly: false,
      },
      translatorFor(SECTION_LANGUAGE),
    );
    const out = new OutboxBuffer();
    queueDigest(out, digest, chat.chatId, { ref: `digest:${key}` });
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

/** The occurrence of the latest digest of `kind` recorded before `before`, or null if none. */
export async function latestRunAt(db: Queryable, kind: DigestKind, before: Date): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | string | null }>(
    db,
    sql`select max(occurrence_at) as at from digest_runs
        where kind = ${kind} and occurrence_at < ${before.toISOString()}::timestamptz`,
  );
  return row?.at ? new Date(row.at) : null;
}

/**
 * For each kind, sends the latest occurrence ≤ now if it has no run yet and is later than the latest run
 * recorded: a period missed while the bot was down (or had no section chat) goes out once; older ones are skipped.
 */
export async function catchUpDigests(deps: DigestDeps): Promise<DigestRunResult[]> {
  const results: DigestRunResult[] = [];
  const now = deps.now();
  for (const kind of DIGEST_KINDS) {
    const occurrence = latestOccurrence(deps.config.digestSchedules[kind], now, deps.config.timeZone);
    if (!occurrence) continue;
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
              'no section chat bound: digest not sent (will be sent once bound)',
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
