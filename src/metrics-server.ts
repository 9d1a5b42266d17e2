import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type { Registry } from 'prom-client';
import type { Db } from './db/client.js';
import type { Logger } from './logger.js';
import { DATABASE_TIMEOUT_MS, type OutboxState, readOutboxState, withTimeout } from './metrics.js';

/** Where the local monitoring listener listens (METRICS_PORT, METRICS_HOST). */
export interface MetricsServerOptions {
  /** 0 picks a free port (logged, and returned by start()). */
  port: number;
  host: string;
}

/** The answer to GET /readyz. */
export type Readiness =
  | { database: true; outboxDepth: number; senderLagSeconds: number }
  | { database: false; error: string };

/**
 * The local monitoring listener, in polling and webhook mode alike: `GET /healthz` 200 while the
 * process serves; `GET /readyz` 200 when the database answers within 2 s (with the outbox depth and
 * the sender's lag), 503 otherwise; `GET /metrics` the Prometheus registry. Anything else is 404.
 * Nothing here takes an update, so it belongs on a local address, apart from the webhook.
 */
export class MetricsServer {
  private server: Server | undefined;
  private probe: Promise<OutboxState> | undefined;
  /** The last answer's state, so an outage is logged when it begins and ends, not on every probe. */
  private ready = true;

  constructor(
    private readonly db: Db,
    private readonly registry: Registry,
    private readonly logger: Logger,
    private readonly options: MetricsServerOptions,
  ) {}

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const server = createServer(
      { requestTimeout: 10_000, headersTimeout: 5_000, connectionsCheckingInterval: 1000 },
      (request, response) => {
        this.route(request, response).catch((error: unknown) => {
          this.logger.error({ err: error }, 'monitoring request failed');
          if (!response.headersSent) response.writeHead(500).end();
          else response.destroy();
        });
      },
    );
    // A scraper and a health check or two: nothing here needs many.
    server.maxConnections = 64;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Stops listening and closes its connections (a scrape in progress is cut). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /**
   * `select 1`, then the outbox's depth and lag, within DATABASE_TIMEOUT_MS. A probe still waiting
   * for a hung database is shared by the next requests rather than repeated, so probes cannot take
   * every pooled connection.
   */
  async readiness(): Promise<Readiness> {
    this.probe ??= (async () => {
      await this.db.execute(sql`select 1`);
      return readOutboxState(this.db);
    })().finally(() => {
      this.probe = undefined;
    });
    try {
      const outbox = await withTimeout(this.probe, DATABASE_TIMEOUT_MS, 'the database');
      if (!this.ready) this.logger.info('ready again: the database answers');
      this.ready = true;
      return { database: true, outboxDepth: outbox.depth, senderLagSeconds: round(outbox.lagSeconds) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.ready) this.logger.warn({ err: error }, 'not ready: the database does not answer');
      this.ready = false;
      // The driver's message may name the host; the answer says only what kind of failure it was.
      return {
        database: false,
        error: /took longer than/.test(message)
          ? `no answer within ${DATABASE_TIMEOUT_MS} ms`
          : 'query failed',
      };
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const known = request.method === 'GET' || request.method === 'HEAD';
    if (known && path === '/healthz') {
      json(response, 200, { ok: true });
      return;
    }
    if (known && path === '/readyz') {
      const readiness = await this.readiness();
      json(response, readiness.database ? 200 : 503, readiness);
      return;
    }
    if (known && path === '/metrics') {
      const body = await this.registry.metrics();
      response.writeHead(200, { 'content-type': this.registry.contentType }).end(body);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
