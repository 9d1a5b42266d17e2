import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Db } from '../src/db/client.js';
import { digestRuns, outbox } from '../src/db/schema.js';
import { Metrics, readOutboxState } from '../src/metrics.js';
import { packageVersion } from '../src/paths.js';
import { createTestDatabase, testDatabaseKind } from './support/database.js';

/** The value of one sample line (`name{labels} value`), or undefined when the registry has none. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

/** A database whose every query waits forever, as a stopped PostgreSQL server can make them. */
const hangingDb = { execute: () => new Promise(() => {}) } as unknown as Db;

describe(`metrics on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.delete(outbox);
    await database.db.delete(digestRuns);
  });

  it("exposes Node's default metrics and the build", async () => {
    const text = await new Metrics(database.db).registry.metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(sample(text, `liaison_build_info{version="${packageVersion()}",node="${process.version}"}`)).toBe(
      1,
    );
  });

  it("times receipts only, from the outbox row to Telegram's OK", async () => {
    const metrics = new Metrics(database.db);
    metrics.onDelivered({ method: 'sendMessage', ref: 'receipt:12', waitedSeconds: 0.4 });
    metrics.onDelivered({ method: 'sendMessage', ref: 'receipt:13', waitedSeconds: 7 });
    metrics.onDelivered({ method: 'sendMessage', ref: null, waitedSeconds: 1 });
    metrics.onDelivered({ method: 'sendMessage', ref: 'question:4', waitedSeconds: 1 });
    const text = await metrics.registry.metrics();
    expect(sample(text, 'liaison_receipt_latency_seconds_count')).toBe(2);
    expect(sample(text, 'liaison_receipt_latency_seconds_sum')).toBeCloseTo(7.4);
    expect(sample(text, 'liaison_receipt_latency_seconds_bucket{le="0.5"}')).toBe(1);
    expect(sample(text, 'liaison_receipt_latency_seconds_bucket{le="10"}')).toBe(2);
  });

  it("reads the outbox depth, the sender's lag (due messages only) and the last digest of each kind", async () => {
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
    await database.db.insert(outbox).values([
      { chatId: 1, method: 'sendMessage', payload: { text: 'a' }, createdAt: ago(10), notBefore: ago(10) },
      // Created long ago but due only 4 s ago (a retry, a batched alert): waiting 4 s, not 60.
      { chatId: 2, method: 'sendMessage', payload: { text: 'b' }, createdAt: ago(60), notBefore: ago(4) },
      // Not due yet: counted in the depth, not in the lag.
      {
        chatId: 3,
        method: 'sendMessage',
        payload: { text: 'c' },
        createdAt: ago(120),
        notBefore: new Date(Date.now() + 60_000),
      },
      { chatId: 4, method: 'sendMessage', payload: null, createdAt: ago(500), status: 'sent' },
    ]);
    const state = await readOutboxState(database.db);
    expect(state.depth).toBe(3);
    expect(state.lagSeconds).toBeGreaterThanOrEqual(9.9);
    expect(state.lagSeconds).toBeLessThan(15);

    const sentAt = new Date('2025-03-03T00:30:00Z');
    await database.db.insert(digestRuns).values([
      {
        kind: 'daily',
        periodKey: '2025-03-02',
        occurrenceAt: ago(86_400),
        createdAt: new Date('2025-03-02T00:30:00Z'),
      },
      { kind: 'daily', periodKey: '2025-03-03', occurrenceAt: ago(0), createdAt: sentAt },
    ]);
    const text = await new Metrics(database.db).registry.metrics();
    expect(sample(text, 'liaison_outbox_depth')).toBe(3);
    expect(sample(text, 'liaison_sender_lag_seconds')).toBeGreaterThanOrEqual(9.9);
    expect(sample(text, 'liaison_digest_last_sent_timestamp_seconds{kind="daily"}')).toBe(
      sentAt.getTime() / 1000,
    );
    expect(sample(text, 'liaison_digest_runs{kind="daily"}')).toBe(2);
    expect(sample(text, 'liaison_database_up')).toBe(1);
    expect(text).not.toContain('liaison_digest_last_sent_timestamp_seconds{kind="weekly"}');

    await database.db.delete(outbox);
    expect(await readOutboxState(database.db)).toEqual({ depth: 0, lagSeconds: 0 });
  });

  it('answers a scrape within about 2 s when the database hangs, with liaison_database_up 0', async () => {
    const metrics = new Metrics(hangingDb);
    const started = Date.now();
    const text = await metrics.registry.metrics();
    expect(Date.now() - started).toBeLessThan(3500);
    expect(sample(text, 'liaison_database_up')).toBe(0);
    expect(text).toContain('process_cpu_seconds_total');
  });
});
