import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../src/db/client.js';
import { outbox } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import { Metrics } from '../src/metrics.js';
import { MetricsServer } from '../src/metrics-server.js';
import { createTestDatabase, testDatabaseKind } from './support/database.js';

const logger = createLogger('silent');

describe(`the monitoring listener on ${testDatabaseKind}`, () => {
  let database: Database;
  let server: MetricsServer | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const start = async (db: Db) => {
    server = new MetricsServer(db, new Metrics(db).registry, logger, { port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${await server.start()}`;
  };

  it('answers /healthz, /readyz with the outbox depth and lag, /metrics, and 404 to anything else', async () => {
    await database.db.delete(outbox);
    await database.db.insert(outbox).values({
      chatId: 1,
      method: 'sendMessage',
      payload: { text: 'waiting' },
      createdAt: new Date(Date.now() - 5000),
      notBefore: new Date(Date.now() - 5000),
    });
    const base = await start(database.db);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ database: true, outboxDepth: 1 });
    expect(body.senderLagSeconds).toBeGreaterThanOrEqual(4.9);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('liaison_sender_lag_seconds');
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/telegram/hook'],
      ['POST', '/metrics'],
      ['DELETE', '/healthz'],
      ['GET', '/readyz/extra'],
    ] as const) {
      expect({ method, path, status: (await fetch(`${base}${path}`, { method })).status }).toEqual({
        method,
        path,
        status: 404,
      });
    }
    await database.db.delete(outbox);
  });

  it('answers /readyz 503 within about 2 s when the database hangs, sharing one probe between requests', async () => {
    let queries = 0;
    const hanging = {
      execute: () => {
        queries += 1;
        return new Promise(() => {});
      },
    } as unknown as Db;
    const base = await start(hanging);
    const started = Date.now();
    const [first, second] = await Promise.all([fetch(`${base}/readyz`), fetch(`${base}/readyz`)]);
    expect(Date.now() - started).toBeLessThan(3500);
    expect(first.status).toBe(503);
    expect(second.status).toBe(503);
    expect(await first.json()).toEqual({ database: false, error: 'no answer within 2000 ms' });
    // The hung probe is not repeated: one query in flight, however often the probe asks.
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect(queries).toBe(1);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers /readyz 503 at once when the database refuses, and 200 again when it answers', async () => {
    let down = true;
    const flaky = {
      execute: (query: unknown) =>
        down
          ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
          : database.db.execute(query as never),
    } as unknown as Db;
    const base = await start(flaky);
    const refused = await fetch(`${base}/readyz`);
    expect(refused.status).toBe(503);
    // The driver's message (hosts, ports) is not shown.
    expect(await refused.json()).toEqual({ database: false, error: 'query failed' });
    down = false;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
