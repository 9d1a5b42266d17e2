import { eq, sql } from 'drizzle-orm';
import type { Update } from 'telegraf/types';
import { backoffMs } from '../backoff.js';
import { columnPlace, unsealAt } from '../crypto/sealing.js';
import { type Database, queryRows, type Tx } from '../db/client.js';
import { DIRECTORY_VERSION, useReadCache } from '../db/read-cache.js';
import { inboxUpdates } from '../db/schema.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { OUTBOX_WAKE_SQL, OutboxBuffer, writeOutbox } from './outbox.js';

/** Tries before an update is parked as failed (visible to admins through the CLI). */
export const MAX_HANDLING_ATTEMPTS = 5;

/** Handles one update inside the given transaction, queueing what it sends in `out`. */
export type UpdateHandler = (update: Update, tx: Tx, out: OutboxBuffer, log: Logger) => Promise<void>;

/** Called when handling of an update finally failed, to tell the person who sent it. */
export type FailureNotifier = (update: Update, tx: Tx, out: OutboxBuffer) => Promise<void>;

/** Counters a metrics endpoint or a test can read. */
export interface ProcessorStats {
  handled: number;
  failures: number;
  parked: number;
}

/** 1 s, 2 s, 4 s, … up to a minute between tries of a failing update. */
export function defaultBackoffMs(attempts: number): number {
  return backoffMs(attempts - 1, { baseMs: 1000, maxMs: 60_000 });
}

interface ClaimedUpdate extends Record<string, unknown> {
  update_id: number | string;
  payload: Update | string;
  attempts: number;
  /** When the update was stored (milliseconds since the epoch, the database's clock). */
  received_ms: number | string;
  /** DIRECTORY_VERSION as this claim saw it (src/db/read-cache.ts). */
  directory_version: string;
}

/**
 * Works the inbox: takes the oldest due update whose sender has no earlier update waiting,
 * handles it in one transaction together with its outgoing messages and its "done" mark,
 * and on failure schedules a retry with backoff. A crash before commit leaves the update pending.
 */
export class UpdateProcessor {
  readonly stats: ProcessorStats = { handled: 0, failures: 0, parked: 0 };
  private running = false;
  private workers: Promise<void>[] = [];
  private wakeUps = new Set<() => void>();
  private pendingWake = false;

  constructor(
    private readonly database: Database,
    private readonly handle: UpdateHandler,
    private readonly notifyFailure: FailureNotifier,
    private readonly logger: Logger,
    private readonly onCommitted: () => void,
    private readonly backoffMs: (attempts: number) => number = defaultBackoffMs,
  ) {}

  /** Starts `database.concurrency` workers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (let index = 0; index < this.database.concurrency; index += 1) {
      this.workers.push(
        this.work().catch((error: unknown) => this.logger.fatal({ err: error }, 'update worker stopped')),
      );
    }
  }

  /**
   * Signals that `count` new updates were stored: wakes that many idle workers, not all of them (each
   * worker that wakes to find nothing costs a transaction of three statements; a worker that handled
   * an update looks for the next one anyway). When fewer are idle, the next worker to idle looks again.
   */
  wake(count = Number.POSITIVE_INFINITY): void {
    let woken = 0;
    for (const wakeUp of [...this.wakeUps]) {
      if (woken >= count) break;
      wakeUp();
      woken += 1;
    }
    if (woken < count) this.pendingWake = true;
  }

  /** Stops taking updates and waits for the ones in hand. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.workers);
    this.workers = [];
  }

  /** Handles due updates until none is left; returns how many were handled (used by tests and the CLI). */
  async drain(): Promise<number> {
    let count = 0;
    while (await this.processNext()) count += 1;
    return count;
  }

  private async work(): Promise<void> {
    while (this.running) {
      let processed = false;
      try {
        processed = await this.processNext();
      } catch (error) {
        // The database is away or refused: wait and try again; the update stays stored.
        this.logger.error({ err: error }, 'inbox processing failed; retrying');
        await this.idle(1000);
        continue;
      }
      if (!processed) await this.idle(1000);
    }
  }

  /**
   * Returns true if an update was taken (handled or scheduled for retry).
   *
   * A failed handling rolls its whole transaction back (claim included) and its failure is then
   * recorded in a second, short transaction. This replaced a savepoint around the handler, which
   * cost two extra statements on every update to save work only on the rare failing one. Between
   * the rollback and the record the row is pending again: another worker may claim it, which is
   * harmless — the record waits for that worker's lock and is skipped if it handled the update or
   * recorded a failure itself (status or attempts changed), and later updates of the same sender
   * stay behind it throughout, because it stays pending.
   */
  async processNext(): Promise<boolean> {
    let claimed: ClaimedUpdate | undefined;
    let update: Update | undefined;
    let failure: { error: unknown } | undefined;
    const out = new OutboxBuffer();
    try {
      await this.database.db.transaction(async (tx) => {
        const rows = await queryRows<ClaimedUpdate>(
          tx,
          sql`select update_id, payload, attempts, extract(epoch from received_at) * 1000 as received_ms,
                ${DIRECTORY_VERSION} as directory_version
              from ${inboxUpdates} u
              where u.status = 'pending' and u.next_attempt_at <= now()
                and not exists (
                  select 1 from ${inboxUpdates} earlier
                  where earlier.order_key = u.order_key and earlier.update_id < u.update_id
                    and earlier.status = 'pending')
              order by u.update_id
              limit 1
              for update skip locked`,
        );
        claimed = rows[0];
        if (!claimed) return;
        // The unit directory and settings are read from this process's cache while their version holds.
        useReadCache(this.database, tx, String(claimed.directory_version));
        update =
          // Raw SQL bypasses the column's mapper: the payload arrives sealed (src/crypto/sealing.ts).
          (
            typeof claimed.payload === 'string'
              ? JSON.parse(unsealAt(columnPlace('inbox_updates', 'payload'), claimed.payload))
              : claimed.payload
          ) as Update;
        try {
          await this.handle(update, tx, out, this.logger.child({ updateId: update.update_id }));
          // Dated by the update's arrival, so the sender's wait for a reply is the person's wait.
          await writeOutbox(tx, out.messages, {
            notify: false,
            createdAt: new Date(Number(claimed.received_ms)),
          });
        } catch (error) {
          failure = { error };
          throw error;
        }
        // The outbox notification rides on the "done" mark: one statement instead of two. The row
        // keeps its id (a redelivered update is recognised) but not whose it was: beside handled_at,
        // the sender's key would tie them to what this transaction wrote (issue 14).
        const wake = out.size > 0 ? sql`returning ${OUTBOX_WAKE_SQL}` : sql``;
        await tx.execute(
          sql`update ${inboxUpdates} set status = 'done', payload = null, order_key = '', handled_at = now(),
                last_error = null
              where update_id = ${update.update_id} ${wake}`,
        );
      });
    } catch (error) {
      // Only the handler's own failure is recorded against the update; a database failure around
      // it (claim, "done" mark, commit) leaves the update pending as it was, for the caller to retry.
      if (!failure || failure.error !== error || !claimed || !update) throw error;
    }
    if (!claimed || !update) return false;
    if (failure) {
      out.messages.length = 0;
      await this.recordFailure(update, Number(claimed.attempts), failure.error, out);
      if (out.size > 0) this.onCommitted();
      return true;
    }
    this.stats.handled += 1;
    if (out.size > 0) this.onCommitted();
    return true;
  }

  /** Records a failed try of an update claimed with `claimedAttempts`, unless someone moved it on since. */
  private async recordFailure(update: Update, claimedAttempts: number, error: unknown, out: OutboxBuffer) {
    const log = this.logger.child({ updateId: update.update_id });
    const attempts = claimedAttempts + 1;
    const parked = attempts >= MAX_HANDLING_ATTEMPTS;
    const delayMs = this.backoffMs(attempts);
    const described = describeError(error);
    const errorName = `${described.name}${described.code ? ` ${described.code}` : ''}: ${described.message}`;
    // Every failed try is counted and logged at once, recorded or not and before any retry can
    // succeed, so a failure is never invisible nor logged after its own retry's reply.
    this.stats.failures += 1;
    if (!parked) log.warn({ attempts, delayMs, err: error }, 'update handling failed; will retry');
    let recorded = false;
    await this.database.db.transaction(async (tx) => {
      const [still] = await queryRows<{ attempts: number }>(
        tx,
        sql`select attempts from ${inboxUpdates}
            where update_id = ${update.update_id} and status = 'pending' and attempts = ${claimedAttempts}
            for update`,
      );
      if (!still) return;
      recorded = true;
      if (parked) {
        try {
          // A savepoint here (parking only, rare) keeps the failure record if telling the sender fails.
          await tx.transaction(async (notifyTx) => {
            await this.notifyFailure(update, notifyTx, out);
            await writeOutbox(notifyTx, out.messages);
          });
        } catch (notifyError) {
          out.messages.length = 0;
          log.error({ err: notifyError }, 'could not tell the sender about the failure');
        }
      }
      await tx
        .update(inboxUpdates)
        .set({
          status: parked ? 'failed' : 'pending',
          attempts,
          nextAttemptAt: new Date(Date.now() + delayMs),
          lastError: errorName,
        })
        .where(eq(inboxUpdates.updateId, update.update_id));
    });
    if (!recorded) {
      out.messages.length = 0;
      if (parked) log.warn({ err: error }, 'update handling failed; another worker has retried it meanwhile');
      return;
    }
    if (parked) {
      this.stats.parked += 1;
      log.error({ attempts, delayMs, err: error }, 'update parked as failed after repeated errors');
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUps.add(done);
    });
  }
}
