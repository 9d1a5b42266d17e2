import { sql } from 'drizzle-orm';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type Db, queryRows } from './db/client.js';
import { packageVersion } from './paths.js';
import type { Delivery, OutboxSender } from './telegram/sender.js';
import type { UpdateProcessor } from './telegram/update-processor.js';

/** How long a probe or a scrape waits for the database: on PostgreSQL a stopped server can make queries hang. */
export const DATABASE_TIMEOUT_MS = 2000;

/** The ref of a receipt, the reply that gives a tip its number (src/bot/features/tips/receipts.ts). */
const RECEIPT_REF = /^receipt:\d+$/;

/** Receipt latency buckets, in seconds: a receipt is expected within a second or two. */
const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];

/** The outbox as the sender sees it: what waits, and how long the longest-waiting due message has. */
export interface OutboxState {
  /** Messages pending or being sent (all replicas). */
  depth: number;
  /** Seconds since the longest-waiting due message became due (created, or its not_before passed); 0 when none. */
  lagSeconds: number;
}

/** Reads the outbox's depth and the sender's lag in one statement (readyz and the gauges share it). */
export async function readOutboxState(db: Db): Promise<OutboxState> {
  const [row] = await queryRows<{ depth: number | string; lag: number | string | null }>(
    db,
    sql`select count(*) as depth,
          max(extract(epoch from now() - greatest(created_at, not_before)))
            filter (where not_before <= now()) as lag
        from outbox where status in ('pending', 'sending')`,
  );
  return { depth: Number(row?.depth ?? 0), lagSeconds: Math.max(0, Number(row?.lag ?? 0)) };
}

/** Rejects after `ms` unless `work` settles first (the work itself is not cancelled). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** What one scrape reads from the shared database; the figures are every replica's. */
interface DatabaseFigures {
  outbox: OutboxState;
  inboxPending: number;
  digests: Array<{ kind: string; runs: number; lastSentSeconds: number }>;
}

/**
 * Prometheus metrics for /metrics. Counters and the latency histogram are this process's; the
 * depth gauges, the sender's lag and the digest runs are read from the database, so every replica
 * reports the same shared figures. A scrape reads the database once, at most one read is in flight
 * (a hung one is not repeated) and it waits at most DATABASE_TIMEOUT_MS; when the read fails the
 * database gauges keep their last values and liaison_database_up says 0.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly receiptLatency: Histogram;
  private reading: Promise<DatabaseFigures> | undefined;
  private scrape: Promise<DatabaseFigures | null> | undefined;

  constructor(private readonly db: Db) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry });
    new Gauge({
      name: 'liaison_build_info',
      help: 'The running build: package version and Node.js version (always 1)',
      labelNames: ['version', 'node'],
      registers: [registry],
    }).set({ version: packageVersion(), node: process.version }, 1);
    this.receiptLatency = new Histogram({
      name: 'liaison_receipt_latency_seconds',
      help:
        'Update-to-receipt latency of receipts sent by this process: from when the update that made the ' +
        'tip was stored in inbox_updates (received_at, the outbox row dates its reply by it) to when ' +
        'Telegram answered OK to the receipt; includes the wait in the inbox, the handling and the outbox',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    const figures = () => this.databaseFigures();
    new Gauge({
      name: 'liaison_database_up',
      help: `1 when this scrape read the database within ${DATABASE_TIMEOUT_MS} ms; 0 and the database gauges keep their last values otherwise`,
      registers: [registry],
      async collect() {
        this.set((await figures()) ? 1 : 0);
      },
    });
    // One gauge per figure of the shared database read; a failed read keeps the last value.
    const fromFigures = (name: string, help: string, pick: (read: DatabaseFigures) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const read = await figures();
          if (read) this.set(pick(read));
        },
      });
    fromFigures(
      'liaison_outbox_depth',
      'Messages waiting to be sent (all replicas)',
      (read) => read.outbox.depth,
    );
    fromFigures(
      'liaison_sender_lag_seconds',
      'Seconds the longest-waiting due message has waited since it became due; 0 when none waits (all replicas)',
      (read) => read.outbox.lagSeconds,
    );
    fromFigures(
      'liaison_inbox_pending',
      'Updates stored and not yet handled (all replicas)',
      (read) => read.inboxPending,
    );
    // One gauge per digest kind from the same read; a failed read keeps the last values.
    const perDigestKind = (
      name: string,
      help: string,
      pick: (digest: DatabaseFigures['digests'][number]) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['kind'],
        registers: [registry],
        async collect() {
          const read = await figures();
          if (!read) return;
          this.reset();
          for (const digest of read.digests) this.set({ kind: digest.kind }, pick(digest));
        },
      });
    perDigestKind(
      'liaison_digest_runs',
      'Digest periods sent, by kind (all replicas)',
      (digest) => digest.runs,
    );
    perDigestKind(
      'liaison_digest_last_sent_timestamp_seconds',
      'When the latest digest of each kind was queued for the section chat (digest_runs.created_at, Unix time); no sample for a kind never sent',
      (digest) => digest.lastSentSeconds,
    );
  }

  /** The sender's onDelivered hook: a delivered receipt is timed. */
  readonly onDelivered = (delivery: Delivery): void => {
    if (delivery.ref !== null && RECEIPT_REF.test(delivery.ref)) {
      this.receiptLatency.observe(Math.max(0, delivery.waitedSeconds));
    }
  };

  /** Adds the counters of this process's update processor and sender. */
  watch(processor: UpdateProcessor, sender: OutboxSender): void {
    const registry = this.registry;
    const fromStats = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    fromStats(
      'liaison_updates_handled_total',
      'Updates handled by this process',
      () => processor.stats.handled,
    );
    fromStats(
      'liaison_update_failures_total',
      'Failed attempts at handling an update',
      () => processor.stats.failures,
    );
    fromStats(
      'liaison_updates_parked_total',
      'Updates parked as failed after repeated errors',
      () => processor.stats.parked,
    );
    fromStats(
      'liaison_messages_sent_total',
      'Messages delivered to Telegram by this process',
      () => sender.stats.sent,
    );
    new Counter({
      name: 'liaison_send_errors_total',
      help: 'Telegram send errors by kind',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ kind: 'rate_limited' }, sender.stats.rateLimited);
        this.inc({ kind: 'transient' }, sender.stats.transientErrors);
        this.inc({ kind: 'blocked' }, sender.stats.blocked);
        this.inc({ kind: 'failed' }, sender.stats.failed);
      },
    });
    fromStats(
      'liaison_messages_refused_total',
      'Messages Telegram refused as malformed (a 4xx other than 403/429); each one is told to the admins',
      () => sender.stats.refused,
    );
  }

  /**
   * The database's figures for the scrape under way (the gauges of one scrape share one read), or
   * null when the database did not answer within DATABASE_TIMEOUT_MS.
   */
  private databaseFigures(): Promise<DatabaseFigures | null> {
    if (!this.scrape) {
      this.reading ??= this.readDatabase().finally(() => {
        this.reading = undefined;
      });
      this.scrape = withTimeout(this.reading, DATABASE_TIMEOUT_MS, 'reading the metrics').then(
        (figures) => figures,
        () => null,
      );
      // Gauges collect in parallel: the next scrape reads afresh.
      setImmediate(() => {
        this.scrape = undefined;
      });
    }
    return this.scrape;
  }

  private async readDatabase(): Promise<DatabaseFigures> {
    const outbox = await readOutboxState(this.db);
    const [inbox] = await queryRows<{ pending: number | string }>(
      this.db,
      sql`select count(*) as pending from inbox_updates where status = 'pending'`,
    );
    const digests = await queryRows<{ kind: string; runs: number | string; last: number | string }>(
      this.db,
      sql`select kind, count(*) as runs, extract(epoch from max(created_at)) as last
          from digest_runs group by kind`,
    );
    return {
      outbox,
      inboxPending: Number(inbox?.pending ?? 0),
      digests: digests.map((row) => ({
        kind: row.kind,
        runs: Number(row.runs),
        lastSentSeconds: Number(row.last),
      })),
    };
  }
}
