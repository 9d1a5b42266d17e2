import { eq, sql } from 'drizzle-orm';
import type { Update } from 'telegraf/types';
import { backoffMs } from '../backoff.js';
import { columnPlace, unsealAt } from '../crypto/sealing.js';
import { type Database, queryRows, type Tx } from '../db/client.js';
import { DIRECTORY_VERSION, useReadCache } from '../db/read-cache.js';
import { inboxUpdates } from '../db/schema.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { OUTBOX_WAKE_SQL, OutboxBuffer, type OutgoingMessage, outboxInsert, writeOutbox } from './outbox.js';

/** Tries before an update is parked as failed (visible to admins through the CLI). */
export const MAX_HANDLING_ATTEMPTS = 5;

/**
 * Most updates one transaction takes when the inbox has a backlog (group commit): they share its
 * BEGIN, claim, outbox insert, "done" mark and COMMIT. Each is of a different sender (the claim takes
 * only a sender's oldest waiting update), so per-sender order holds. Small enough that the first
 * update's reply is not held long behind the others' handling.
 */
export const MAX_GROUP = 8;

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
  /** Updates pending when claimed, these included: more means another claim may find work. */
  waiting: number | string;
}

/** What one claim came to. */
interface GroupOutcome {
  /** Updates handled, or 1 when one failed (its failure recorded). */
  taken: number;
  /** Whether other updates were pending (maybe a sender's next one, behind what was taken). */
  moreWaiting: boolean;
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

  /** Handles due updates until none is left; returns how many were taken (used by tests and the CLI). */
  async drain(): Promise<number> {
    let count = 0;
    for (let group = await this.processGroup(); group.taken > 0; group = await this.processGroup()) {
      count += group.taken;
    }
    return count;
  }

  private async work(): Promise<void> {
    while (this.running) {
      let group: GroupOutcome;
      try {
        group = await this.processGroup();
      } catch (error) {
        // The database is away or refused: wait and try again; the update stays stored.
        this.logger.error({ err: error }, 'inbox processing failed; retrying');
        await this.idle(1000);
        continue;
      }
      // Claims again at once only when more was pending: a claim that finds nothing costs a
      // transaction of three statements. An update stored meanwhile by this process wakes the worker
      // (wake), one stored by another replica or the CLI is found by the next look within a second.
      if (group.taken === 0 || !group.moreWaiting) {
        await this.idle(1000);
        // Woken, it lets the event loop finish its turn first, so the other updates that arrived in
        // it are stored and taken in the same group. The embedded database's queries never yield to
        // I/O, so without this a woken worker would claim and handle each update alone.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Returns true if an update was taken (handled, or its failure recorded). */
  async processNext(): Promise<boolean> {
    return (await this.processGroup()).taken > 0;
  }

  /**
   * Takes up to MAX_GROUP due updates, each the oldest waiting one of its sender, and handles them in
   * order in one transaction with their outgoing messages and their "done" marks. Says how many were
   * taken (handled, or — when one failed — that one, its failure recorded) and whether more waited.
   *
   * A failed handling rolls the whole transaction back (claim included), and only the update that
   * failed is charged: its failure is recorded in a second, short transaction, exactly as if it had
   * been taken alone. The others of the group are left pending as they were and are taken again at
   * once; their handling was undone with the rest, so nothing of it was seen. This replaced a
   * savepoint around each handler, which would cost two statements on every update to save work only
   * on the rare failing one. Between the rollback and the record the failed row is pending again:
   * another worker may claim it, which is harmless — the record waits for that worker's lock and is
   * skipped if it handled the update or recorded a failure itself (status or attempts changed), and
   * later updates of the same sender stay behind it throughout, because it stays pending.
   */
  private async processGroup(): Promise<GroupOutcome> {
    let claimed: ClaimedUpdate[] = [];
    let failure: { error: unknown; update: Update; attempts: number } | undefined;
    const outgoing: OutgoingMessage[] = [];
    try {
      await this.database.db.transaction(async (tx) => {
        claimed = await queryRows<ClaimedUpdate>(
          tx,
          sql`select update_id, payload, attempts, extract(epoch from received_at) * 1000 as received_ms,
                ${DIRECTORY_VERSION} as directory_version,
                (select count(*) from ${inboxUpdates} w where w.status = 'pending') as waiting
              from ${inboxUpdates} u
              where u.status = 'pending' and u.next_attempt_at <= now()
                and not exists (
                  select 1 from ${inboxUpdates} earlier
                  where earlier.order_key = u.order_key and earlier.update_id < u.update_id
                    and earlier.status = 'pending')
              order by u.update_id
              limit ${MAX_GROUP}
              for update skip locked`,
        );
        const [first] = claimed;
        if (!first) return;
        // The unit directory and settings are read from this process's cache while their version holds.
        useReadCache(this.database, tx, String(first.directory_version));
        const handledIds: number[] = [];
        for (const row of claimed) {
          const update =
            // Raw SQL bypasses the column's mapper: the payload arrives sealed (src/crypto/sealing.ts).
            (
              typeof row.payload === 'string'
                ? JSON.parse(unsealAt(columnPlace('inbox_updates', 'payload'), row.payload))
                : row.payload
            ) as Update;
          const out = new OutboxBuffer();
          try {
            await this.handle(update, tx, out, this.logger.child({ updateId: update.update_id }));
          } catch (error) {
            failure = { error, update, attempts: Number(row.attempts) };
            throw error;
          }
          // Dated by the update's arrival, so the sender's wait for a reply is the person's wait.
          const createdAt = new Date(Number(row.received_ms));
          for (const message of out.messages) outgoing.push({ ...message, createdAt });
          handledIds.push(update.update_id);
        }
        // The outgoing messages and their notification ride on the "done" mark: one statement, where
        // the outbox insert used to be a second. The row keeps its id (a redelivered update is
        // recognised) but not whose it was: beside handled_at, the sender's key would tie them to what
        // this transaction wrote (issue 14).
        const written = outboxInsert(tx, outgoing);
        const withOutgoing = written ? sql`with written as (${written.getSQL()}) ` : sql``;
        const wake = outgoing.length > 0 ? sql`returning ${OUTBOX_WAKE_SQL}` : sql``;
        await tx.execute(
          sql`${withOutgoing}update ${inboxUpdates} set status = 'done', payload = null, order_key = '', handled_at = now(),
                last_error = null
              where update_id in (${sql.join(
                handledIds.map((id) => sql`${id}`),
                sql`, `,
              )}) ${wake}`,
        );
      });
    } catch (error) {
      // Only a handler's own failure is recorded against its update; a database failure around the
      // handlers (claim, outbox, "done" mark, commit) leaves every update pending as it was, for the
      // caller to retry.
      if (!failure || failure.error !== error) throw error;
    }
    if (failure) {
      const out = new OutboxBuffer();
      await this.recordFailure(failure.update, failure.attempts, failure.error, out);
      if (out.size > 0) this.onCommitted();
      // The rest of the group is pending again.
      return { taken: 1, moreWaiting: true };
    }
    this.stats.handled += claimed.length;
    if (outgoing.length > 0) this.onCommitted();
    return { taken: claimed.length, moreWaiting: Number(claimed[0]?.waiting ?? 0) > claimed.length };
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
