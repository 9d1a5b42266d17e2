import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { inboxUpdates } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import {
  EARLY_EMPTY_FIRST_PAUSE_MS,
  EARLY_EMPTY_MAX_PAUSE_MS,
  PollingIntake,
  pauseAfterPoll,
} from '../../src/telegram/polling.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { textMessage, user } from '../support/updates.js';

const logger = createLogger('silent');
const TOKEN = '123456789:polling-test-token';
const ALLOWED = ['message'];

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const update = (id: number) => ({ update_id: id, ...textMessage(user(500 + id), `u${id}`) }) as Update;

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await wait(5);
  }
}

interface GetUpdatesCall {
  at: number;
  offset: number;
  timeout: number;
}

/**
 * A Bot API stand-in on 127.0.0.1 that serves getUpdates only: `answer` decides what each call
 * gets and when (it may hold the call, as Telegram's long poll does; `gone` aborts when the
 * client hangs up). Every call is recorded with the time it arrived.
 */
async function startGetUpdatesServer(
  answer: (call: GetUpdatesCall, gone: AbortSignal) => Promise<Update[]> | Update[],
): Promise<{ url: string; calls: GetUpdatesCall[]; stop(): Promise<void> }> {
  const calls: GetUpdatesCall[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (request.url !== `/bot${TOKEN}/getUpdates`) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
        return;
      }
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const call = { at: performance.now(), offset: body.offset ?? 0, timeout: body.timeout ?? 0 };
      calls.push(call);
      const gone = new AbortController();
      response.on('close', () => gone.abort());
      const result = await answer(call, gone.signal);
      if (gone.signal.aborted) return;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('pauseAfterPoll', () => {
  const timeoutMs = 25_000;
  const early = { updates: 0, elapsedMs: 5, timeoutMs };

  it('doubles the pause over early empty answers, from the first pause up to the cap', () => {
    const pauses: number[] = [];
    let pause = 0;
    for (let poll = 0; poll < 8; poll += 1) {
      pause = pauseAfterPoll(pause, early);
      pauses.push(pause);
    }
    expect(pauses[0]).toBe(EARLY_EMPTY_FIRST_PAUSE_MS);
    for (let index = 1; index < pauses.length; index += 1) {
      expect(pauses[index]).toBe(Math.min(EARLY_EMPTY_MAX_PAUSE_MS, 2 * (pauses[index - 1] ?? 0)));
    }
    expect(pauses.at(-1)).toBe(EARLY_EMPTY_MAX_PAUSE_MS);
  });

  it('needs no pause, and starts over, after updates or a poll that waited out its timeout', () => {
    const built = EARLY_EMPTY_MAX_PAUSE_MS;
    expect(pauseAfterPoll(built, { updates: 1, elapsedMs: 5, timeoutMs })).toBe(0);
    expect(pauseAfterPoll(built, { updates: 0, elapsedMs: 25_010, timeoutMs })).toBe(0);
    expect(pauseAfterPoll(0, { updates: 0, elapsedMs: 24_000, timeoutMs })).toBe(0);
    expect(pauseAfterPoll(0, early)).toBe(EARLY_EMPTY_FIRST_PAUSE_MS);
  });
});

describe(`PollingIntake on ${testDatabaseKind}`, () => {
  let database: Database;
  let server: Awaited<ReturnType<typeof startGetUpdatesServer>> | undefined;
  let polling: PollingIntake | undefined;
  let stored: { at: number; ids: number[] }[];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  afterEach(async () => {
    await polling?.stop();
    await server?.stop();
    polling = undefined;
    server = undefined;
    await database.db.delete(inboxUpdates);
  });

  const startPolling = (url: string) => {
    stored = [];
    polling = new PollingIntake(
      database.db,
      new Telegram(TOKEN, { apiRoot: url }),
      logger,
      (updates) => stored.push({ at: performance.now(), ids: updates.map((u) => u.update_id) }),
      ALLOWED,
    );
    polling.start();
  };

  it('slows down against a server that answers empty at once, and a stop still ends it at once', async () => {
    server = await startGetUpdatesServer(() => []);
    startPolling(server.url);
    await wait(3000);
    const calls = server.calls.length;
    const stopping = performance.now();
    await polling?.stop();
    const stopMs = performance.now() - stopping;
    // The loop asks for a 25 s long poll; an immediate empty answer must not be taken at its word.
    expect(calls, `getUpdates calls in 3 s: ${calls}`).toBeLessThanOrEqual(10);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(server.calls[0]?.timeout).toBeGreaterThan(0);
    expect(stopMs, 'a stop waits out no pause').toBeLessThan(500);
    await wait(300);
    expect(server.calls.length, 'no call after the stop').toBe(calls);
  });

  it('hands an update from a long-polling server on at once, each time', async () => {
    // Like Telegram: the call is held until an update at or past the offset exists.
    const pending: Update[] = [];
    const arrived = new EventTarget();
    server = await startGetUpdatesServer(async (call, gone) => {
      const ready = () => pending.filter((u) => u.update_id >= call.offset);
      while (ready().length === 0 && !gone.aborted) {
        await new Promise((resolve) => {
          arrived.addEventListener('update', resolve, { once: true });
          gone.addEventListener('abort', resolve, { once: true });
        });
      }
      return ready();
    });
    startPolling(server.url);
    await until(() => server?.calls.length === 1);
    for (const id of [1, 2, 3, 4, 5]) {
      const pushed = performance.now();
      pending.push(update(id));
      arrived.dispatchEvent(new Event('update'));
      await until(() => stored.some((batch) => batch.ids.includes(id)));
      const handedOn = stored.find((batch) => batch.ids.includes(id))?.at ?? Number.NaN;
      expect(handedOn - pushed, `update ${id} handed on`).toBeLessThan(300);
    }
    expect(stored.map((batch) => batch.ids)).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('after empty answers built up a pause, answers that bring updates are followed by no pause', async () => {
    // Empty at once for 1.5 s (the poller backs off), then one new update per call, at once.
    let startedAt = 0;
    server = await startGetUpdatesServer((call) => {
      const id = Math.max(call.offset, 1);
      return call.at - startedAt < 1500 || id > 6 ? [] : [update(id)];
    });
    startedAt = performance.now();
    startPolling(server.url);
    await until(() => stored.length >= 6);
    expect(stored.map((batch) => batch.ids)).toEqual([[1], [2], [3], [4], [5], [6]]);
    for (let index = 1; index < stored.length; index += 1) {
      const gap = (stored[index]?.at ?? 0) - (stored[index - 1]?.at ?? 0);
      expect(gap, `pause before update ${index + 1}`).toBeLessThan(300);
    }
  });
});
