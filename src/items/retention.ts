/**
 * Retention: an item closed long ago loses everything a person wrote or that could lead to the
 * reporter — text, reference, the conclusion's note, additions, attachments, links, the reporter
 * link and its entry in the reporter's ledger — while the row keeps its number, code, domain, unit,
 * source kind and agency, status, dates and flags. Every count, digest and export over past periods
 * therefore stays right: the kept row IS the anonymised count.
 */

import { and, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import cron from 'node-cron';
import { appendAudit } from '../audit.js';
import type { AppConfig } from '../config.js';
import type { Db } from '../db/client.js';
import { itemAdditions, itemAttachments, itemLinks, items } from '../db/schema.js';
import type { ItemStatus } from '../domain/item-state.js';
import { forgetOldEditNotices } from '../edit-notices.js';
import type { Logger } from '../logger.js';
import { purgeSpentInvites } from '../people/invites.js';
import { deletePeople, peopleRevokedBefore } from '../people/store.js';
import { forgetLedger, forgetPurgedItems } from './ledger.js';
import { reporterIdOf } from './reporter-link.js';

/** Statuses whose items retention purges: the matter is over. */
export const PURGEABLE_STATUSES: readonly ItemStatus[] = ['concluded', 'filed', 'merged', 'closed'];

/** What a purge run did (or, dry, would do). */
export interface PurgeResult {
  /** Items whose last change is before this instant are purged. */
  cutoff: Date;
  items: number;
  dryRun: boolean;
}

/** The instant `years` calendar years before `now`. */
export function retentionCutoff(now: Date, years: number): Date {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ years }).toJSDate();
}

// An item's age counts from the end of the matter: its conclusion, or its last change (filed, merged, closed).
const expired = (cutoff: Date) =>
  and(
    inArray(items.status, [...PURGEABLE_STATUSES]),
    isNull(items.purgedAt),
    or(lt(items.concludedAt, cutoff), and(isNull(items.concludedAt), lt(items.updatedAt, cutoff))),
  );

/**
 * Purges the content of items that ended more than `years` years before `now`, in batches, each in
 * its own transaction; idempotent and safe beside another run (rows in use are skipped, then taken
 * by the next batch or run). Appends one audit row per run: how many, the cutoff.
 */
export async function purgeExpiredItems(
  db: Db,
  options: { now: Date; years: number; dryRun?: boolean; batchSize?: number },
): Promise<PurgeResult> {
  const cutoff = retentionCutoff(options.now, options.years);
  const dryRun = options.dryRun ?? false;
  if (dryRun) {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(items).where(expired(cutoff));
    return { cutoff, items: Number(row?.n ?? 0), dryRun };
  }
  const batchSize = options.batchSize ?? 200;
  let purged = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: items.id, conclusion: items.conclusion, reporterSealed: items.reporterSealed })
        .from(items)
        .where(expired(cutoff))
        .orderBy(items.id)
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return 0;
      const ids = rows.map((row) => row.id);
      await tx.delete(itemAdditions).where(inArray(itemAdditions.itemId, ids));
      await tx.delete(itemAttachments).where(inArray(itemAttachments.itemId, ids));
      await tx.delete(itemLinks).where(or(inArray(itemLinks.itemId, ids), inArray(itemLinks.relatedId, ids)));
      for (const row of rows) {
        // The finding and measures stay (they are codes the statistics use); the free-text note goes.
        const { note: _note, ...conclusion } = row.conclusion ?? {};
        await tx
          .update(items)
          .set({
            text: '',
            reference: null,
            conclusion: row.conclusion ? conclusion : null,
            reporterRef: null,
            reporterSealed: null,
            legacyReporterId: null,
            contentHash: null,
            purgedAt: options.now,
          })
          .where(sql`${items.id} = ${row.id}`);
      }
      // The reporters' ledgers forget these items; a ledger left with none is deleted.
      const reporters = new Set(rows.map(reporterIdOf).filter((id): id is number => id !== null));
      for (const reporterId of reporters) await forgetPurgedItems(tx, reporterId);
      return rows.length;
    });
    purged += done;
    if (done < batchSize) break;
  }
  await appendAudit(db, {
    actorId: null,
    action: 'retention.purged',
    details: { items: purged, cutoff: cutoff.toISOString(), years: options.years },
  });
  return { cutoff, items: purged, dryRun };
}

/** What purgeFormerPeople removed. */
export interface PeoplePurgeResult {
  people: number;
  invites: number;
}

/**
 * Removes what is kept about people past its use: the rows (and item ledgers) of people whose access
 * ended more than `years` before `now`, and invites spent more than 30 days ago. Audited with counts
 * only, never who.
 */
export async function purgeFormerPeople(
  db: Db,
  options: { now: Date; years: number },
): Promise<PeoplePurgeResult> {
  const cutoff = retentionCutoff(options.now, options.years);
  const result = await db.transaction(async (tx) => {
    const former = await peopleRevokedBefore(tx, cutoff);
    for (const telegramId of former) await forgetLedger(tx, telegramId);
    return { people: await deletePeople(tx, former), invites: await purgeSpentInvites(tx, options.now) };
  });
  if (result.people + result.invites > 0) {
    await appendAudit(db, { actorId: null, action: 'retention.people_purged', details: { ...result } });
  }
  return result;
}

/** When the retention job runs: daily at 03:15 in the configured zone, a quiet hour. */
export const RETENTION_SCHEDULE = '15 3 * * *';

/** Starts the daily purge; returns how to stop it (waiting for a run in progress). */
export function startRetentionJob(
  db: Db,
  config: Pick<AppConfig, 'retentionYears' | 'timeZone'>,
  logger: Logger,
  now: () => Date = () => new Date(),
): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const task = cron.createTask(
    RETENTION_SCHEDULE,
    () => {
      if (running) return;
      running = purgeExpiredItems(db, { now: now(), years: config.retentionYears })
        .then(async (result) => {
          const edits = await forgetOldEditNotices(db);
          const former = await purgeFormerPeople(db, { now: now(), years: config.retentionYears });
          logger.info(
            { items: result.items, cutoff: result.cutoff, edits, ...former },
            'retention purge done',
          );
        })
        .catch((error: unknown) => logger.error({ err: error }, 'retention purge failed'))
        .finally(() => {
          running = null;
        });
    },
    { timezone: config.timeZone, name: 'retention' },
  );
  task.start();
  return {
    async stop() {
      await task.stop();
      await running;
    },
  };
}
