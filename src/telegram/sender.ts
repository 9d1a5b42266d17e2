import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type Telegram, TelegramError } from 'telegraf';
import { backoffMs } from '../backoff.js';
import { columnPlace, unsealAt } from '../crypto/sealing.js';
import { type Db, type Queryable, queryRows } from '../db/client.js';
import { outbox } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { htmlToPlainText } from './html.js';
import { type DeliveredMessage, OutboxBuffer, recordDeliveries, writeOutbox } from './outbox.js';
import { SendBudget } from './rate-limits.js';
import { callWithUpload } from './upload.js';

/**
 * How long a claimed message belongs to one sender; longer than any single API call may take. A
 * message claimed by a process that then died waits this long before another sender takes it.
 */
export const LEASE_SECONDS = 30;
const CALL_TIMEOUT_MS = 20_000;
/** Transient failures (5xx, network) are retried this often, backing off up to a minute, before giving up. */
const MAX_TRANSIENT_ATTEMPTS = 100;
const IDLE_POLL_MS = 1000;
/**
 * Transient failures a message may have at the head of its chat before later messages to that
 * chat may pass it (it stays queued and is retried on its own schedule): one failing photo must
 * not hold an officer's every later reply hostage for the hour its retries can take.
 */
export const HEAD_OF_LINE_ATTEMPTS = 3;
/**
 * Button answers have a lane of their own: Telegram's clients stop waiting after a few seconds, so
 * an answer never queues behind another chat's call, a failing menu update or the message limits.
 */
const CALLBACK_METHOD = 'answerCallbackQuery';
const MAX_CALLBACKS_IN_FLIGHT = 8;
/** Calls that put or change a message in a chat: the ones Telegram's flood limits count. */
const COUNTED_BY_LIMITS = /^(send|copy|forward|edit)/;
/** The ref of a notice about a refused send, so a refused notice is not noticed again (no loop). */
export const REFUSAL_NOTICE_REF = 'send-refused';

/** A message Telegram refused for good (a 4xx other than 403 and 429), as the admins are told of it. */
export interface RefusedSend {
  outboxId: number;
  method: string;
  /** Telegram's error code and description; never the message's content. */
  error: string;
}

/** Puts the notices about a refused send into `out`, inside the transaction that records it. */
export type RefusalNotifier = (db: Queryable, refusal: RefusedSend, out: OutboxBuffer) => Promise<void>;

/** A message Telegram accepted, as the sender's `onDelivered` hook is told of it. */
export interface Delivery {
  method: string;
  /** The outbox row's ref (e.g. `receipt:12`), unsealed; null when it has none. */
  ref: string | null;
  /** Seconds from the outbox row's created_at to Telegram's OK (the database's clock, then this process's). */
  waitedSeconds: number;
}

/** Options for the outbox sender. */
export interface SenderOptions {
  /** Keep Telegram's per-chat and global limits (off only for benchmarks). */
  enforceLimits?: boolean;
  maxInFlight?: number;
  /** Tells someone (the admins) of a message Telegram refused; without it a refusal is only logged and counted. */
  onRefused?: RefusalNotifier;
  /** Told of every message Telegram accepted (a latency metric); it must not throw or block. */
  onDelivered?: (delivery: Delivery) => void;
}

interface ClaimedMessage extends Record<string, unknown> {
  id: number;
  chat_id: number | string;
  method: string;
  payload: Record<string, unknown> | string | null;
  file_bytes: Buffer | Uint8Array | null;
  file_name: string | null;
  attempts: number;
  /** Sealed, as raw SQL returns it. */
  ref: string | null;
  /** Seconds since created_at when the claim ran; with the local claim time, the wait until Telegram's OK. */
  age_seconds: number | string;
}

interface PendingSent {
  delivery: DeliveredMessage;
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
  /** Of `failed`: refused by Telegram as malformed (the admins are told), not given up after retries. */
  refused: number;
}

/**
 * Delivers the outbox to Telegram within its limits: claims the oldest message of each chat
 * (so a chat's messages keep their order), sends it, and records the outcome.
 */
export class OutboxSender {
  readonly stats: SenderStats = {
    sent: 0,
    rateLimited: 0,
    transientErrors: 0,
    blocked: 0,
    failed: 0,
    refused: 0,
  };
  private readonly budget: SendBudget;
  private readonly maxInFlight: number;
  private readonly onRefused: RefusalNotifier | undefined;
  private readonly onDelivered: ((delivery: Delivery) => void) | undefined;
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly callbacksInFlight = new Map<number, Promise<void>>();
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
    this.onRefused = options.onRefused;
    this.onDelivered = options.onDelivered;
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
    await Promise.allSettled([...this.inFlight.values(), ...this.callbacksInFlight.values()]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.claimAndSend();
      } catch (error) {
        this.logger.error({ err: error }, 'outbox claim failed; retrying');
        await this.sleep(IDLE_POLL_MS);
        continue;
      }
      // What a claim left waits for a wake: a new message, or a finished delivery (which frees a slot
      // and its chat), or the idle poll. A claim that filled its slots has none left until a delivery
      // finishes, so claiming again at once took nothing: a statement per message on its own (issue 20).
      await this.sleep(this.idleDelay());
    }
  }

  /**
   * Claims and launches what is due, button answers and other calls in one statement (issue 20: a claim
   * of each per wake was a statement per tip on its own).
   */
  private async claimAndSend(): Promise<void> {
    const now = Date.now();
    const callbackSlots = Math.max(0, MAX_CALLBACKS_IN_FLIGHT - this.callbacksInFlight.size);
    const messageSlots =
      this.budget.globalNextAllowedAt(now) > now ? 0 : Math.max(0, this.maxInFlight - this.inFlight.size);
    if (callbackSlots === 0 && messageSlots === 0) return;
    const claimedAt = Date.now();
    const rows = await this.claim([
      { which: sql`o.method = ${CALLBACK_METHOD}`, slots: callbackSlots },
      { which: this.claimableMessages(now), slots: messageSlots },
    ]);
    const callbacks = rows.filter((row) => row.method === CALLBACK_METHOD);
    const messages = rows.filter((row) => row.method !== CALLBACK_METHOD);
    this.launch(callbacks, claimedAt, this.callbacksInFlight);
    for (const row of messages) this.chatsInFlight.add(Number(row.chat_id));
    this.launch(messages, claimedAt, this.inFlight, (row) => this.chatsInFlight.delete(Number(row.chat_id)));
  }

  /**
   * Which calls other than button answers may go now: the oldest message of each chat, so a chat's
   * messages keep their order, except that a message which has failed HEAD_OF_LINE_ATTEMPTS times no
   * longer holds back the ones after it, save the next piece of the same long text, and that a message
   * scheduled for later (a batched alert) holds back nothing while it waits. Button answers have no
   * order among them, no flood limit and slots of their own.
   */
  private claimableMessages(now: number): SQL {
    const excluded = [...new Set([...this.budget.blockedChats(now), ...this.chatsInFlight])];
    const notExcluded =
      excluded.length > 0
        ? sql`and o.chat_id not in (${sql.join(
            excluded.map((id) => sql`${id}`),
            sql`, `,
          )})`
        : sql``;
    return sql`o.method <> ${CALLBACK_METHOD}
          ${notExcluded}
          and not exists (
            select 1 from ${outbox} earlier
            where earlier.chat_id = o.chat_id and earlier.id < o.id
              and earlier.status in ('pending', 'sending')
              and earlier.method <> ${CALLBACK_METHOD}
              -- Scheduled for later and never tried (a batched alert): it holds nothing back.
              and not (earlier.status = 'pending' and earlier.attempts = 0 and earlier.last_error is null
                       and earlier.not_before > now())
              and (earlier.attempts < ${HEAD_OF_LINE_ATTEMPTS}
                or (o.follows_previous and earlier.id = (
                  select max(previous.id) from ${outbox} previous
                  where previous.chat_id = o.chat_id and previous.id < o.id
                    and previous.method <> ${CALLBACK_METHOD}))))`;
  }

  /**
   * Claims (leases) due messages in one statement: for each part, up to `slots` of those matching
   * `which` (a condition on `o`), oldest first.
   */
  private claim(parts: ReadonlyArray<{ which: SQL; slots: number }>): Promise<ClaimedMessage[]> {
    const picks = parts.map(
      ({ which, slots }, index) =>
        sql`${sql.raw(`pick${index}`)} as (
            select o.id from ${outbox} o
            where (o.status = 'pending' or (o.status = 'sending' and o.lease_until < now()))
              and o.not_before <= now()
              and ${which}
            order by o.id
            limit ${slots}
            for update skip locked)`,
    );
    const picked = sql.join(
      parts.map((_, index) => sql`select id from ${sql.raw(`pick${index}`)}`),
      sql` union all `,
    );
    return queryRows<ClaimedMessage>(
      this.db,
      sql`with ${sql.join(picks, sql`, `)}
          update ${outbox} set status = 'sending', lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
          where id in (${picked})
          returning id, chat_id, method, payload, file_bytes, file_name, attempts, ref,
            extract(epoch from now() - created_at) as age_seconds`,
    );
  }

  /** Delivers claimed messages in the background, each tracked in `inFlight` until its outcome is recorded. */
  private launch(
    rows: readonly ClaimedMessage[],
    claimedAt: number,
    inFlight: Map<number, Promise<void>>,
    release: (row: ClaimedMessage) => void = () => {},
  ): void {
    for (const row of rows) {
      const id = Number(row.id);
      const delivery = this.deliver({ ...row, id, chat_id: Number(row.chat_id), claimedAt })
        // A rejection here would be unhandled and end the process; the lease brings the message back.
        .catch((error: unknown) =>
          this.logger.error({ err: error, outboxId: id }, 'delivery failed unexpectedly'),
        )
        .finally(() => {
          inFlight.delete(id);
          release(row);
          this.wake();
        });
      inFlight.set(id, delivery);
    }
  }

  private async deliver(message: ClaimedMessage & { chat_id: number; claimedAt: number }): Promise<void> {
    const counted = COUNTED_BY_LIMITS.test(message.method);
    // Several deliveries may wait for the same free slot: check again after every wait, and
    // record synchronously right after the check, so only one of them takes it.
    for (
      let waitUntil = counted ? this.budget.nextAllowedAt(message.chat_id, Date.now()) : 0;
      waitUntil > Date.now();
    ) {
      await new Promise((resolve) => setTimeout(resolve, waitUntil - Date.now()));
      waitUntil = this.budget.nextAllowedAt(message.chat_id, Date.now());
    }
    const startedAt = Date.now();
    if (counted) this.budget.record(message.chat_id, startedAt);
    const settle = () => {
      if (counted) this.budget.settle(message.chat_id, startedAt, Date.now());
    };
    const payload: Record<string, unknown> =
      // Raw SQL bypasses the column's mapper: the payload arrives sealed (src/crypto/sealing.ts).
      typeof message.payload === 'string'
        ? JSON.parse(unsealAt(columnPlace('outbox', 'payload'), message.payload))
        : { ...message.payload };
    // A private chat's id is a person: beside a send time it could tell who got a receipt, so logs
    // name groups only (the outbox id finds the row when an operator must look).
    const log = this.logger.child({
      outboxId: message.id,
      method: message.method,
      chat: message.chat_id < 0 ? message.chat_id : 'private',
    });
    let result: unknown;
    try {
      const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
      if (message.file_bytes && message.file_name) {
        const separator = message.file_name.indexOf(':');
        result = await callWithUpload(
          this.telegram,
          message.method,
          payload,
          {
            field: message.file_name.slice(0, separator),
            name: message.file_name.slice(separator + 1),
            bytes: message.file_bytes,
          },
          signal,
        );
      } else {
        result = (await this.telegram.callApi(message.method as never, payload as never, {
          signal: signal as never,
        })) as unknown;
      }
    } catch (error) {
      settle();
      if (isNotModified(error)) {
        // The message already reads so: the edit's purpose holds, and retrying cannot change that.
        await this.recordOutcome(log, () => this.markSent(message, payload, null));
        log.debug('edit changed nothing; done');
        return;
      }
      await this.recordOutcome(log, () => this.recordFailure(message, payload, error, log));
      return;
    }
    settle();
    const waitedSeconds = Number(message.age_seconds) + (Date.now() - message.claimedAt) / 1000;
    const messageId =
      typeof result === 'object' && result !== null && 'message_id' in result
        ? Number((result as { message_id: number }).message_id)
        : null;
    // Telegram has the message now: only the database can fail here, and that must not be taken
    // for a failed send (which would send it again).
    await this.recordOutcome(log, () => this.markSent(message, payload, messageId));
    this.stats.sent += 1;
    log.debug('sent');
    if (this.onDelivered) {
      try {
        // Raw SQL bypasses the column's mapper, as for the payload: the ref arrives sealed.
        const ref = message.ref === null ? null : unsealAt(columnPlace('outbox', 'ref'), message.ref);
        this.onDelivered({ method: message.method, ref, waitedSeconds });
      } catch (error) {
        log.debug({ err: error }, 'delivery hook failed');
      }
    }
  }

  /**
   * Records a delivered message as sent, in one UPDATE with the other deliveries that finished
   * meanwhile (group commit): while one write is in flight the next completions queue and go
   * together in the following one, so under load one statement and one commit serve many
   * messages, and a lone message is written at once. Resolves when this message's row is written;
   * until then its chat stays in flight, so per-chat order and the lease hold as before.
   */
  private markSent(
    message: { id: number; chat_id: number; ref: string | null },
    payload: Record<string, unknown>,
    messageId: number | null,
  ): Promise<void> {
    // Raw SQL bypasses the column's mapper: the ref arrives sealed.
    const ref = message.ref === null ? null : unsealAt(columnPlace('outbox', 'ref'), message.ref);
    const delivery: DeliveredMessage = {
      id: message.id,
      chatId: realChatId(message, payload),
      messageId,
      ref,
    };
    return new Promise((resolve, reject) => {
      this.sentQueue.push({ delivery, resolve, reject });
      if (!this.flushing) this.flushing = this.flushSent();
    });
  }

  private async flushSent(): Promise<void> {
    // Completions arriving in the same turn of the event loop join this write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.sentQueue.length > 0) {
      const batch = this.sentQueue.splice(0, MAX_SENT_BATCH);
      try {
        await recordDeliveries(
          this.db,
          batch.map((entry) => entry.delivery),
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
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, { baseMs: 500, maxMs: 5000 })));
      }
    }
  }

  private async recordFailure(
    message: ClaimedMessage & { chat_id: number },
    payload: Record<string, unknown>,
    error: unknown,
    log: Logger,
  ) {
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
      await this.recordRefusal(message, payload, error, log);
      return;
    }
    // 5xx, 401 (a token hiccup on Telegram's side) and network errors are worth retrying.
    this.stats.transientErrors += 1;
    const attempts = message.attempts + 1;
    const kind = error instanceof TelegramError ? String(error.code) : errorKind(error);
    const giveUp = attempts >= MAX_TRANSIENT_ATTEMPTS;
    const delayMs = backoffMs(attempts, { baseMs: 500, maxMs: 60_000, maxExponent: 7 });
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

  /**
   * Telegram refused the call for good (a malformed text, a bad button, a vanished chat): the message
   * is marked failed with the error and counted; a text that was a reply to a person goes again once
   * as plain text, so the person still gets an answer; and the admins are told its number and the
   * error (never its content). A button answer that came too late is only logged: it is expected
   * after a restart and nobody can act on it.
   */
  private async recordRefusal(
    message: ClaimedMessage & { chat_id: number },
    payload: Record<string, unknown>,
    error: TelegramError,
    log: Logger,
  ): Promise<void> {
    const lateAnswer =
      message.method === CALLBACK_METHOD && /query is too old|query id is invalid/i.test(error.description);
    this.stats.failed += 1;
    if (!lateAnswer) this.stats.refused += 1;
    log[lateAnswer ? 'warn' : 'error'](
      { code: error.code, description: truncate(error.description) },
      'Telegram refused the call',
    );
    const lastError = truncate(`${error.code} ${error.description}`);
    await this.db.transaction(async (tx) => {
      const [refused] = await tx
        .update(outbox)
        .set({ status: 'failed', lastError, payload: null, fileBytes: null })
        .where(and(eq(outbox.id, message.id), eq(outbox.status, 'sending')))
        .returning({ ref: outbox.ref });
      if (!refused || lateAnswer) return;
      const out = new OutboxBuffer();
      const fallback = plainFallback(message, payload, error);
      if (fallback) {
        out.messages.push({
          chatId: realChatId(message, payload),
          method: 'sendMessage',
          payload: fallback,
          ref: refused.ref ?? undefined,
        });
      }
      if (this.onRefused && refused.ref !== REFUSAL_NOTICE_REF) {
        await this.onRefused(tx, { outboxId: message.id, method: message.method, error: lastError }, out);
      }
      await writeOutbox(tx, out.messages);
    });
    this.wake();
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
      // A sleep that ends by its timer must forget its wake-up: left in place, the next wake() (say,
      // during the following claim) would call it and clear `woken`, and that wake would be lost.
      const timer = setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
    });
  }
}

/** Telegram's answer to an edit that would leave the message as it is. */
function isNotModified(error: unknown): boolean {
  return (
    error instanceof TelegramError && error.code === 400 && /message is not modified/i.test(error.description)
  );
}

/**
 * The plain-text version of an HTML reply to a person (a private chat) that Telegram refused for its
 * markup: the same words with the tags dropped and the entities decoded, sent once without a parse
 * mode. Null for anything else: a group message, a file, a text that already went without a parse
 * mode, or a refusal that is not about the markup.
 */
function plainFallback(
  message: ClaimedMessage & { chat_id: number },
  payload: Record<string, unknown>,
  error: TelegramError,
): Record<string, unknown> | null {
  if (message.method !== 'sendMessage' || message.chat_id <= 0) return null;
  if (typeof payload.text !== 'string' || payload.parse_mode === undefined) return null;
  // Only the markup can be at fault; a plain copy of a message to a vanished chat would fail the same way.
  if (!/entit|tag/i.test(error.description)) return null;
  const { parse_mode: _mode, entities: _entities, ...rest } = payload;
  const text = htmlToPlainText(payload.text).slice(0, 4096);
  return text.trim() === '' ? null : { ...rest, text };
}

/**
 * The chat a message went to: a group's id is the row's; a private chat's row holds a keyed number
 * (src/telegram/outbox.ts), and its real id is the payload's chat_id.
 */
function realChatId(message: { chat_id: number }, payload: Record<string, unknown>): number {
  if (message.chat_id <= 0) return message.chat_id;
  const fromPayload = Number(payload.chat_id);
  return Number.isSafeInteger(fromPayload) && fromPayload !== 0 ? fromPayload : message.chat_id;
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
