import { sql } from 'drizzle-orm';
import { Counter, Gauge, Registry } from 'prom-client';
import { type Db, queryRows } from './db/client.js';
import type { OutboxSender } from './telegram/sender.js';
import type { UpdateProcessor } from './telegram/update-processor.js';

/**
 * Prometheus metrics for /metrics. Counters are this process's; the depth gauges and digest
 * runs are read from the database, so every replica reports the same shared figures.
 */
export function createMetrics(db: Db, processor: UpdateProcessor, sender: OutboxSender): Registry {
  const registry = new Registry();
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
  new Gauge({
    name: 'liaison_outbox_depth',
    help: 'Messages waiting to be sent (all replicas)',
    registers: [registry],
    async collect() {
      const [row] = await queryRows<{ depth: number | string }>(
        db,
        sql`select count(*) as depth from outbox where status in ('pending', 'sending')`,
      );
      this.set(Number(row?.depth ?? 0));
    },
  });
  new Gauge({
    name: 'liaison_inbox_pending',
    help: 'Updates stored and not yet handled (all replicas)',
    registers: [registry],
    async collect() {
      const [row] = await queryRows<{ pending: number | string }>(
        db,
        sql`select count(*) as pending from inbox_updates where status = 'pending'`,
      );
      this.set(Number(row?.pending ?? 0));
    },
  });
  new Gauge({
    name: 'liaison_digest_runs',
    help: 'Digest periods sent, by kind (all replicas)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const rows = await queryRows<{ kind: string; runs: number | string }>(
        db,
        sql`select kind, count(*) as runs from digest_runs group by kind`,
      );
      this.reset();
      for (const row of rows) this.set({ kind: row.kind }, Number(row.runs));
    },
  });
  return registry;
}
