import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { WebhookIntake, type WebhookOptions } from '../../src/telegram/webhook.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { textMessage, user } from '../support/updates.js';

const SECRET = 'webhook_unit_secret_0123456789abcdef';
const logger = createLogger('silent');

/** A raw connection: what arrived, and when (if) the server closed it. */
interface RawClient {
  socket: Socket;
  received(): string;
  closed: Promise<number>;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const opened = Date.now();
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - opened)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.once('connect', () =>
      resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed }),
    );
    socket.once('error', reject);
  });
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'still open'> =>
  Promise.race([
    promise,
    new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms)),
  ]);

describe(`the webhook server on ${testDatabaseKind}`, () => {
  let database: Database;
  let intake: WebhookIntake | undefined;
  const clients: Socket[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.destroy();
    await intake?.stop();
    intake = undefined;
  });

  const start = async (options: Partial<WebhookOptions> = {}) => {
    intake = new WebhookIntake(
      database.db,
      logger,
      { port: 0, host: '127.0.0.1', path: '/hook', secret: SECRET, ...options },
      () => {},
    );
    return intake.start();
  };
  const open = async (port: number) => {
    const client = await rawClient(port);
    clients.push(client.socket);
    return client;
  };

  it('serves the webhook path only: /healthz and /metrics answer 404 (they live on METRICS_PORT)', async () => {
    const port = await start();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/hook`)).status).toBe(405);
    const stored = await fetch(`http://127.0.0.1:${port}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify({ update_id: 1, ...textMessage(user(701), '/help') }),
    });
    expect(stored.status).toBe(200);
  });

  it('answers a wrong secret 401 at once and closes the connection without reading the body', async () => {
    const port = await start();
    const client = await open(port);
    // Announces 10 MB and sends none of it: a server that read the body would wait for it.
    client.socket.write(
      'POST /hook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n' +
        'X-Telegram-Bot-Api-Secret-Token: wrong\r\n\r\n',
    );
    expect(await within(client.closed, 2000)).not.toBe('still open');
    expect(client.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(client.received().toLowerCase()).toContain('connection: close');
    // With no secret header at all, the same.
    const bare = await open(port);
    bare.socket.write('POST /hook HTTP/1.1\r\nHost: bot\r\nContent-Length: 10000000\r\n\r\n{"update_id"');
    expect(await within(bare.closed, 2000)).not.toBe('still open');
    expect(bare.received()).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('closes a connection whose headers do not arrive in time (headersTimeout)', async () => {
    const port = await start({ limits: { headersTimeoutMs: 500 } });
    const client = await open(port);
    client.socket.write('POST /hook HTTP/1.1\r\nHost: bot\r\n');
    const closedAfter = await within(client.closed, 4000);
    expect(closedAfter).not.toBe('still open');
    expect(closedAfter as number).toBeGreaterThanOrEqual(400);
  });

  it('closes a request whose body does not arrive in time (requestTimeout)', async () => {
    const port = await start({ limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    const client = await open(port);
    client.socket.write(
      `POST /hook HTTP/1.1\r\nHost: bot\r\nContent-Length: 100\r\nX-Telegram-Bot-Api-Secret-Token: ${SECRET}\r\n\r\n{`,
    );
    expect(await within(client.closed, 5000)).not.toBe('still open');
  });

  it('refuses connections beyond maxConnections', async () => {
    const port = await start({ limits: { maxConnections: 2 } });
    const first = await open(port);
    const second = await open(port);
    const third = await open(port);
    expect(await within(third.closed, 2000)).not.toBe('still open');
    expect(await within(first.closed, 200)).toBe('still open');
    expect(await within(second.closed, 10)).toBe('still open');
  });
});
