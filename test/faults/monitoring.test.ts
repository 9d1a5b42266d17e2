// The monitoring listener (METRICS_PORT) through the real process: health, readiness and metrics in
// polling and webhook mode, and on PostgreSQL a stopped server seen by /readyz within 5 s. It stops
// the shared server, so it lives in the fault suite, which runs alone after everything else.
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/paths.js';
import type { BotProcess } from '../support/bot-process.js';
import { TEST_DATABASE_URL, testDatabaseKind } from '../support/database.js';
import { textMessage, user } from '../support/updates.js';
import { postgresServer, waitForIdleServer, waitForPostgres } from './postgres-server.js';
import { FaultRig, receiptsByChat, recordResult, sleep } from './rig.js';

const MONITOR = 24_000;
const SECRET = 'monitoring_webhook_secret_0123456789';
/** When the seeded daily digest was queued (digest_runs.created_at). */
const DIGEST_SENT_AT = new Date('2025-03-03T00:30:00Z');

/** The port a listener logged it chose (PORT=0, METRICS_PORT=0). */
function loggedPort(bot: BotProcess, listener: 'metrics listener' | 'webhook server'): number {
  const match = new RegExp(`"port":(\\d+),[^\\n]*"msg":"${listener} listening"`).exec(bot.text());
  if (!match?.[1]) throw new Error(`no "${listener} listening" line:\n${bot.text().slice(-2000)}`);
  return Number(match[1]);
}

/** GET with a deadline of its own: a hung answer counts as none. */
async function get(url: string, timeoutMs = 4000): Promise<{ status: number; body: string } | 'no answer'> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return 'no answer';
  }
}

/** The value of one sample line (`name{labels} value`) of a Prometheus text, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe(`the monitoring listener of the real process on ${testDatabaseKind}`, () => {
  const rigs: FaultRig[] = [];
  afterAll(async () => {
    for (const rig of rigs) await rig.dispose('monitoring');
  });

  it(`polling mode: /healthz, /readyz, /metrics with a receipt's latency${TEST_DATABASE_URL ? '; /readyz 503 within 5 s while PostgreSQL is stopped, 200 after' : ''}`, async () => {
    const rig = await FaultRig.create();
    rigs.push(rig);
    await rig.enrol([{ telegramId: MONITOR, role: 'monitor', community: '社区1' }]);
    await rig.withDb((db) =>
      db.execute(
        sql`insert into digest_runs (kind, period_key, occurrence_at, created_at)
            values ('daily', '2025-03-03', '2025-03-03T00:30:00Z', ${DIGEST_SENT_AT.toISOString()}::timestamptz)`,
      ),
    );
    const bot = await rig.start({ METRICS_PORT: '0' });
    const base = `http://127.0.0.1:${loggedPort(bot, 'metrics listener')}`;

    expect(await get(`${base}/healthz`)).toEqual({ status: 200, body: '{"ok":true}' });
    const ready = await get(`${base}/readyz`);
    expect(ready).toMatchObject({ status: 200 });
    expect(JSON.parse((ready as { body: string }).body)).toMatchObject({
      database: true,
      outboxDepth: expect.any(Number),
      senderLagSeconds: expect.any(Number),
    });
    expect(await get(`${base}/nothing`)).toMatchObject({ status: 404 });

    // One tip from an enrolled monitor: its receipt is timed from the update's arrival to Telegram's OK.
    const pushedAt = Date.now();
    rig.api.pushUpdate(textMessage(user(MONITOR), '/tip P-HPZ 监控测试：主任插手干部选拔，涉及岗位3个'));
    await rig.api.waitFor(
      (call) => call.method === 'sendMessage' && call.params.chat_id === MONITOR && call.status === 200,
      30_000,
    );
    const receiptAfterMs = Date.now() - pushedAt;
    expect(receiptsByChat(rig.messagesTo(new Set([MONITOR])))).toHaveLength(1);
    let metrics = '';
    for (let tries = 0; tries < 50 && !sample(metrics, 'liaison_receipt_latency_seconds_count'); tries += 1) {
      const answer = await get(`${base}/metrics`);
      if (answer !== 'no answer' && answer.status === 200) metrics = answer.body;
      await sleep(100);
    }
    expect(metrics).toContain('process_cpu_seconds_total');
    expect(metrics).toContain(
      `liaison_build_info{version="${packageVersion()}",node="${process.version}"} 1`,
    );
    expect(sample(metrics, 'liaison_receipt_latency_seconds_count')).toBe(1);
    expect(metrics).toMatch(/^liaison_receipt_latency_seconds_bucket\{le="60"\} 1$/m);
    const latency = sample(metrics, 'liaison_receipt_latency_seconds_sum') as number;
    // From storing the update to Telegram's OK: inside the time from pushing it to seeing the receipt.
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThanOrEqual(receiptAfterMs / 1000 + 0.5);
    expect(sample(metrics, 'liaison_digest_last_sent_timestamp_seconds{kind="daily"}')).toBe(
      DIGEST_SENT_AT.getTime() / 1000,
    );
    expect(sample(metrics, 'liaison_sender_lag_seconds')).toBeDefined();
    expect(sample(metrics, 'liaison_database_up')).toBe(1);

    let notes = `receipt latency ${latency.toFixed(3)} s (pushed→seen ${receiptAfterMs} ms)`;
    if (TEST_DATABASE_URL) {
      const others = await waitForIdleServer(
        new URL(rig.database.env.DATABASE_URL as string).pathname.slice(1),
      );
      if (others > 0)
        process.stdout.write(`monitoring: ${others} other client(s) still connected; stopping anyway\n`);
      let notReadyAfterMs: number | 'never' = 'never';
      let healthyDuringOutage: unknown;
      let readyAgainAfterMs: number | 'never' = 'never';
      let metricsDuringOutage: { status: number; body: string } | 'no answer' = 'no answer';
      postgresServer('stop');
      const stoppedAt = Date.now();
      try {
        while (Date.now() - stoppedAt < 10_000) {
          const answer = await get(`${base}/readyz`);
          if (answer !== 'no answer' && answer.status === 503) {
            notReadyAfterMs = Date.now() - stoppedAt;
            expect(JSON.parse(answer.body)).toMatchObject({ database: false });
            break;
          }
          await sleep(200);
        }
        healthyDuringOutage = await get(`${base}/healthz`);
        metricsDuringOutage = await get(`${base}/metrics`);
      } finally {
        postgresServer('start');
      }
      await waitForPostgres();
      const startedAt = Date.now();
      while (Date.now() - startedAt < 60_000) {
        const answer = await get(`${base}/readyz`);
        if (answer !== 'no answer' && answer.status === 200) {
          readyAgainAfterMs = Date.now() - startedAt;
          break;
        }
        await sleep(250);
      }
      notes += `; /readyz 503 ${notReadyAfterMs} ms after the stop, 200 ${readyAgainAfterMs} ms after the restart`;
      expect(notReadyAfterMs).not.toBe('never');
      expect(notReadyAfterMs as number).toBeLessThan(5000);
      expect(healthyDuringOutage).toMatchObject({ status: 200 });
      // A scrape still answers (within the 2 s the database is given), saying the database is away.
      expect(metricsDuringOutage).toMatchObject({ status: 200 });
      expect(sample((metricsDuringOutage as { body: string }).body, 'liaison_database_up')).toBe(0);
      expect(readyAgainAfterMs).not.toBe('never');
    }
    expect(rig.running()).toBe(true);
    expect(await rig.stop()).toBe(0);
    expect(rig.crashes).toBe(0);
    recordResult({ scenario: 'monitoring (polling)', crashes: rig.crashes, notes });
  });

  it('webhook mode: the webhook port answers 404 to /metrics and /healthz; METRICS_PORT serves them', async () => {
    const rig = await FaultRig.create();
    rigs.push(rig);
    const bot = await rig.start({
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.test/telegram/hook',
      WEBHOOK_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
    });
    const hook = `http://127.0.0.1:${loggedPort(bot, 'webhook server')}`;
    const monitoring = `http://127.0.0.1:${loggedPort(bot, 'metrics listener')}`;
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      expect({ path, answer: await get(`${hook}${path}`) }).toMatchObject({ path, answer: { status: 404 } });
    }
    expect(await get(`${monitoring}/healthz`)).toMatchObject({ status: 200 });
    expect(await get(`${monitoring}/readyz`)).toMatchObject({ status: 200 });
    const metrics = await get(`${monitoring}/metrics`);
    expect(metrics).toMatchObject({ status: 200 });
    expect((metrics as { body: string }).body).toContain('liaison_build_info');
    expect(await rig.stop()).toBe(0);
    recordResult({
      scenario: 'monitoring (webhook)',
      crashes: rig.crashes,
      notes: 'webhook port: 404 to /metrics, /healthz, /readyz',
    });
  });
});
