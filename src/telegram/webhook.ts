import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Update } from 'telegraf/types';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { storeUpdates } from './inbox.js';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Limits that keep a slow or flooding client from holding the server: Telegram opens at most 100
 * connections (setWebhook's max_connections) and sends each update at once.
 */
export const WEBHOOK_LIMITS = {
  /** Time allowed for a request's headers. */
  headersTimeoutMs: 10_000,
  /** Time allowed for a whole request, body included. */
  requestTimeoutMs: 30_000,
  /** Open connections at most; more are refused by closing them. */
  maxConnections: 512,
};

/** Options for the webhook HTTP server. */
export interface WebhookOptions {
  port: number;
  host: string;
  /** The path Telegram posts to (from WEBHOOK_URL). */
  path: string;
  secret: string;
  /** WEBHOOK_LIMITS unless a test wants them shorter. */
  limits?: Partial<typeof WEBHOOK_LIMITS>;
}

/**
 * An HTTP server for Telegram's posts to the webhook path, and nothing else (monitoring has its own
 * local listener, src/metrics-server.ts): 200 only after an update is committed to the inbox, 401
 * with the connection closed and the body unread when the secret header is missing or wrong, and
 * 503 when the database is away (so Telegram redelivers later).
 */
export class WebhookIntake {
  private server: Server | undefined;
  private readonly secret: Buffer;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: WebhookOptions,
    private readonly onStored: (updates: readonly Update[]) => void,
  ) {
    this.secret = Buffer.from(options.secret);
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const limits = { ...WEBHOOK_LIMITS, ...this.options.limits };
    const server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // How often the two timeouts above are checked (Node's default, 30 s, would let them slip).
        connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      },
      (request, response) => {
        this.route(request, response).catch((error: unknown) => {
          this.logger.error({ err: error }, 'webhook request failed');
          if (!response.headersSent) response.writeHead(500).end();
        });
      },
    );
    server.maxConnections = limits.maxConnections;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Stops accepting requests and waits for those in progress. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== this.options.path) {
      response.writeHead(404).end();
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    if (!this.secretMatches(request.headers['x-telegram-bot-api-secret-token'])) {
      // Not Telegram: its body is never read, and its connection is not kept for another try.
      response.writeHead(401, { connection: 'close', 'content-length': '0' });
      response.end(() => request.socket.destroy());
      return;
    }
    const body = await readBody(request);
    if (body === null) {
      response.writeHead(413).end();
      return;
    }
    let update: Update;
    try {
      update = JSON.parse(body) as Update;
    } catch {
      response.writeHead(400).end();
      return;
    }
    if (typeof update !== 'object' || update === null || !Number.isSafeInteger(update.update_id)) {
      response.writeHead(400).end();
      return;
    }
    try {
      await storeUpdates(this.db, [update]);
    } catch (error) {
      this.logger.error({ err: error }, 'could not store a webhook update; Telegram will redeliver it');
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    this.onStored([update]);
  }

  private secretMatches(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const given = Buffer.from(header);
    return given.length === this.secret.length && timingSafeEqual(given, this.secret);
  }
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
