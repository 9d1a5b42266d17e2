import { and, eq, sql } from 'drizzle-orm';
import { Input, type Telegram, TelegramError } from 'telegraf';
import { type Db, queryRows } from '../db/client.js';
import { outbox } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { unseal } from '../crypto/sealing.js';
import { SendBudget } from './rate-limits.js';

/** How long a claimed message belongs to one sender; longer than any single API call may take. */
const LEASE_SECONDS = 30;
const CALL_TIMEOUT_MS = 20_000;
/** Transient failures (5xx, network) are retried this often, backing off up to a minute, before giving up. */
const MAX_TRANSIENT_ATTEMPTS = 100;
const IDLE_POLL_MS = 1000;

/** Options for the outbox sender. */
export interface SenderOptions {
  /** Keep Telegram's per-chat and global limits (off only for benchmarks). */
  enforceLimits?: boolean;
  maxInFlight?: number;
}

interface ClaimedMessage extends Record<string, unknown> {
  id: number;
  chat_id: number | string;
  method: string;
  payload: Record<string, unknown> | string | null;
  file_bytes: Buffer | Uint8Array | null;
  file_name: string | null;
  attempts: number;
}

interface PendingSent {
  id: number;
  messageId: number | null;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most deliveries recorded by one UPDATE. */
const MAX_SENT_BATCH = 200;

/** Counters a metrics endpoint or a test can read. */
export interface SenderStats {
  sent: number;
  rateLimited: number;
  transientErrors: number;
  blocked: number;
  failed: number;
}

/**
 * Delivers the outbox to Telegram within its limits: claims the oldest message of each chat
 * (so a chat's messages keep their order), sends it, and records the outcome.
 */
export class OutboxSender {
  readonly stats: SenderStats = { sent: 0, rateLimited: 0, transientErrors: 0, blocked: 0, failed: 0 };
  private readonly budget: SendBudget;
  private readonly maxInFlight: number;
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly chatsInFlight = new Set<number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly sentQueue: PendingSent[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly telegram: Telegram,
    private readonly logger: Logger,
    options: SenderOptions = {},
  ) {
    this.budget = new SendBudget(options.enforceLimits ?? true);
    this.maxInFlight = options.maxInFlight ?? 8;
  }

  /** Starts delivering in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((error: unknown) => {
      this.logger.fatal({ err: error }, 'outbox sender stopped unexpectedly');
    });
  }

  /** Tells the sender new messages are waiting, so replies go out without a polling delay. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming, waits for calls in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.claimAndSend();
      } catch (error) {
        this.logger.error({ err: error }, 'outbox claim failed; retrying');
        await this.sleep(IDLE_POLL_MS);
        continue;
      }
      if (claimed === 0) await this.sleep(this.idleDelay());
    }
  }

  private async claimAndSend(): Promise<number> {
    const now = Date.now();
    const slots = this.maxInFlight - this.inFlight.size;
    if (slots <= 0 || this.budget.globalNextAllowedAt(now) > now) return 0;
    const excluded = [...new Set([...this.budget.blockedChats(now), ...this.chatsInFlight])];
    const notExcluded =
      excluded.length > 0
        ? sql`and o.chat_id not in (${sql.join(
            excluded.map((id) => sql`${id}`),
            sql`, `,
          )})`
        : sql``;
    const rows = await queryRows<ClaimedMessage>(
      this.db,
      sql`update ${outbox} set status = 'sending', lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
          where id in (
            select o.id from ${outbox} o
            where (o.status = 'pending' or (o.status = 'sending' and o.lease_until < now()))
              and o.not_before <= now()
              ${notExcluded}
              and not exists (
                select 1 from ${outbox} earlier
                where earlier.chat_id = o.chat_id and earlier.id < o.id
                  and earlier.status in ('pending', 'sending'))
            order by o.id
            limit ${slots}
            for update skip locked)
          returning id, chat_id, method, payload, file_bytes, file_name, attempts`,
    );
    for (const row of rows) {
      const chatId = Number(row.chat_id);
      const id = Number(row.id);
      this.chatsInFlight.add(chatId);
      const delivery = this.deliver({ ...row, id, chat_id: chatId })
        // A rejection here would be unhandled and end the process; the lease brings the message back.
        .catch((error: unknown) =>
          this.logger.error({ err: error, outboxId: id }, 'delivery failed unexpectedly'),
        )
        .finally(() => {
          this.inFlight.delete(id);
          this.chatsInFlight.delete(chatId);
          this.wake();
        });
      this.inFlight.set(id, delivery);
    }
    return rows.length;
  }

  private async deliver(message: ClaimedMessage & { chat_id: number }): Promise<void> {
    // Several deliveries may wait for the same free slot: check again after every wait, and
    // record synchronously right after the check, so only one of them takes it.
    for (let waitUntil = this.budget.nextAllowedAt(message.chat_id, Date.now()); waitUntil > Date.now(); ) {
      await new Promise((resolve) => setTimeout(resolve, waitUntil - Date.now()));
      waitUntil = this.budget.nextAllowedAt(message.chat_id, Date.now());
    }
    const startedAt = Date.now();
    this.budget.record(message.chat_id, startedAt);
    const payload =
      // Raw SQL bypasses the column's mapper: the payload arrives sealed (src/crypto/sealing.ts).
      typeof message.payload === 'string' ? JSON.parse(unseal(message.payload)) : { ...message.payload };
    if (message.file_bytes && message.file_name) {
      const separator = message.file_name.indexOf(':');
      const field = message.file_name.slice(0, separator);
      payload[field] = Input.fromBuffer(
        Buffer.from(message.file_bytes),
        message.file_name.slice(separator + 1),
      );
    }
    // A private chat's id is a person: beside a send time it could tell who got a receipt, so logs
    // name groups only (the outbox id finds the row when an operator must look).
    const log = this.logger.child({
      outboxId: message.id,
      method: message.method,
      chat: message.chat_id < 0 ? message.chat_id : 'private',
    });
    let result: unknown;
    try {
      result = (await this.telegram.callApi(message.method as never, payload as never, {
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS) as never,
      })) as unknown;
    } catch (error) {
      this.budget.settle(message.chat_id, startedAt, Date.now());
      await this.recordOutcome(log, () => this.recordFailure(message, error, log));
      return;
    }
    this.budget.settle(message.chat_id, startedAt, Date.now());
    const messageId =
      typeof result === 'object' && result !== null && 'message_id' in result
        ? Number((result as { message_id: number }).message_id)
        : null;
    // Telegram has the message now: only the database can fail here, and that must not be taken
    // for a failed send (which would send it again).
    await this.recordOutcome(log, () => this.markSent(message.id, messageId));
    this.stats.sent += 1;
    log.debug('sent');
  }

  /**
   * Records a delivered message as sent, in one UPDATE with the other deliveries that finished
   * meanwhile (group commit): while one write is in flight the next completions queue and go
   * together in the following one, so under load one statement and one commit serve many
   * messages, and a lone message is written at once. Resolves when this message's row is written;
   * until then its chat stays in flight, so per-chat order and the lease hold as before.
   */
  private markSent(id: number, messageId: number | null): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sentQueue.push({ id, messageId, resolve, reject });
      if (!this.flushing) this.flushing = this.flushSent();
    });
  }

  private async flushSent(): Promise<void> {
    // Completions arriving in the same turn of the event loop join this write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.sentQueue.length > 0) {
      const batch = this.sentQueue.splice(0, MAX_SENT_BATCH);
      try {
        const rows = sql.join(
          batch.map((entry) => sql`(${entry.id}::bigint, ${entry.messageId}::bigint)`),
          sql`, `,
        );
        await this.db.execute(
          sql`update ${outbox} o set status = 'sent', sent_at = now(), payload = null, file_bytes = null,
                result_message_id = v.message_id, lease_until = null
              from (values ${rows}) as v(id, message_id)
              where o.id = v.id`,
        );
        for (const entry of batch) entry.resolve();
      } catch (error) {
        // Each delivery retries on its own (recordOutcome), joining a later batch.
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /**
   * Writes a delivery's outcome, retrying while the database is away. The chat stays in flight
   * meanwhile, so this sender does not claim the message again; if the database stays away past
   * the lease, the message is left to be reclaimed (and possibly sent twice) rather than lost.
   */
  private async recordOutcome(log: Logger, write: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + (LEASE_SECONDS - 5) * 1000;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await write();
        return;
      } catch (error) {
        if (Date.now() + 1000 > deadline) {
          log.error({ err: error }, 'could not record a delivery; the message may be sent again');
          return;
        }
        if (attempt === 1) log.warn({ err: error }, 'could not record a delivery; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * 2 ** attempt)));
      }
    }
  }

  private async recordFailure(message: ClaimedMessage & { chat_id: number }, error: unknown, log: Logger) {
    const row = and(eq(outbox.id, message.id), eq(outbox.status, 'sending'));
    if (error instanceof TelegramError && error.code === 429) {
      const retryAfter = Number(error.response.parameters?.retry_after ?? 1);
      this.budget.block(message.chat_id, Date.now() + retryAfter * 1000);
      this.stats.rateLimited += 1;
      log.warn({ retryAfter }, 'rate limited by Telegram; will retry');
      await this.db
        .update(outbox)
        .set({ status: 'pending', notBefore: new Date(Date.now() + retryAfter * 1000), lastError: '429' })
        .where(row);
      return;
    }
    if (error instanceof TelegramError && error.code === 403) {
      this.stats.blocked += 1;
      log.warn({ code: 403 }, 'recipient blocked the bot or left; not retrying');
      await this.db
        .update(outbox)
        .set({ status: 'blocked', lastError: truncate(error.description), payload: null, fileBytes: null })
        .where(row);
      return;
    }
    if (error instanceof TelegramError && error.code >= 400 && error.code < 500 && error.code !== 401) {
      this.stats.failed += 1;
      log.error({ code: error.code, description: truncate(error.description) }, 'Telegram refused the call');
      await this.db
        .update(outbox)
        .set({
          status: 'failed',
          lastError: truncate(`${error.code} ${error.description}`),
          payload: null,
          fileBytes: null,
        })
        .where(row);
      return;
    }
    // 5xx, 401 (a token hiccup on Telegram's side) and network errors are worth retrying.
    this.stats.transientErrors += 1;
    const attempts = message.attempts + 1;
    const kind = error instanceof TelegramError ? String(error.code) : errorKind(error);
    const giveUp = attempts >= MAX_TRANSIENT_ATTEMPTS;
    const delayMs = Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));
    log[giveUp ? 'error' : 'warn'](
      { kind, attempts, delayMs },
      giveUp ? 'giving up on message' : 'send failed; will retry',
    );
    await this.db
      .update(outbox)
      .set({
        status: giveUp ? 'failed' : 'pending',
        attempts,
        notBefore: new Date(Date.now() + delayMs),
        lastError: kind,
      })
      .where(row);
  }

  private idleDelay(): number {
    const now = Date.now();
    const blocked = this.budget.blockedChats(now);
    const nextGlobal = this.budget.globalNextAllowedAt(now) - now;
    if (nextGlobal > 0) return Math.min(nextGlobal, IDLE_POLL_MS);
    // A chat that opens up soon may have a message waiting for it.
    return blocked.length > 0 ? Math.min(IDLE_POLL_MS, 200) : IDLE_POLL_MS;
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        done();
      };
    });
  }
}

function truncate(value: string | undefined): string {
  return (value ?? '').slice(0, 200);
}

// Network errors carry codes such as ECONNRESET; only the code is logged, never the request.
function errorKind(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
    if (typeof code === 'string') return code;
    if (
      (error as { name?: string }).name === 'AbortError' ||
      (error as { name?: string }).name === 'TimeoutError'
    )
      return 'timeout';
  }
  return 'network';
}
