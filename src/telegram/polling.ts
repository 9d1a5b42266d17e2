import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { backoffMs } from '../backoff.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { storeUpdates } from './inbox.js';

const LONG_POLL_SECONDS = 25;

/** The first pause after an empty answer that came back long before its long-poll timeout. */
export const EARLY_EMPTY_FIRST_PAUSE_MS = 100;
/** The longest pause between early empty answers; it bounds how late an update can be picked up then. */
export const EARLY_EMPTY_MAX_PAUSE_MS = 3_200;

/**
 * How long to pause before the next getUpdates, given the pause used after the previous one
 * (0 for none) and how this one went.
 *
 * Telegram holds an empty getUpdates for its whole `timeout`, so the loop needs no pause of its
 * own. A server that ignores the timeout (a proxy, a stand-in, a misbehaving Bot API server)
 * answers empty at once instead, and without a pause the loop would spin: thousands of calls a
 * second and a busy core while nothing happens. So an empty answer that came back in less than
 * half the requested timeout is followed by a pause that starts at
 * {@link EARLY_EMPTY_FIRST_PAUSE_MS} and doubles up to {@link EARLY_EMPTY_MAX_PAUSE_MS}.
 * An answer that brings updates, or an empty one that did wait (half the timeout or more, at most
 * one call every dozen seconds, harmless), needs no pause and resets the back-off, so a normal
 * server is polled exactly as before and updates are never held back behind a pause.
 */
export function pauseAfterPoll(
  previousPauseMs: number,
  poll: { updates: number; elapsedMs: number; timeoutMs: number },
): number {
  if (poll.updates > 0 || poll.elapsedMs >= poll.timeoutMs / 2) return 0;
  if (previousPauseMs <= 0) return EARLY_EMPTY_FIRST_PAUSE_MS;
  // One step of the back-off on from the previous pause: twice it, at most the longest pause.
  return backoffMs(1, { baseMs: previousPauseMs, maxMs: EARLY_EMPTY_MAX_PAUSE_MS });
}

/**
 * Long-polls getUpdates and stores each batch before asking for the next: the offset that
 * confirms a batch to Telegram is only sent once the batch is committed to the inbox.
 */
export class PollingIntake {
  private running = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private offset = 0;

  constructor(
    private readonly db: Db,
    private readonly telegram: Telegram,
    private readonly logger: Logger,
    private readonly onStored: (updates: readonly Update[]) => void,
    private readonly allowedUpdates: readonly string[],
  ) {}

  /** Starts polling in the background and returns at once; stop() ends the loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling; a batch being stored is finished first. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    // The pause after the last early empty answer, 0 when the last poll needed none.
    let earlyEmptyPauseMs = 0;
    while (this.running) {
      let updates: Update[];
      const asked = performance.now();
      try {
        updates = (await this.telegram.callApi(
          'getUpdates',
          {
            offset: this.offset,
            timeout: LONG_POLL_SECONDS,
            allowed_updates: [...this.allowedUpdates],
          } as never,
          { signal: this.abort.signal as never },
        )) as unknown as Update[];
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        failures += 1;
        const delayMs = backoffMs(failures, { baseMs: 500, maxMs: 30_000, maxExponent: 6 });
        this.logger.warn({ kind: describe(error), delayMs }, 'getUpdates failed; retrying');
        await sleep(delayMs, this.abort.signal);
        continue;
      }
      const pauseMs = pauseAfterPoll(earlyEmptyPauseMs, {
        updates: updates.length,
        elapsedMs: performance.now() - asked,
        timeoutMs: LONG_POLL_SECONDS * 1000,
      });
      if (pauseMs === EARLY_EMPTY_MAX_PAUSE_MS && earlyEmptyPauseMs < EARLY_EMPTY_MAX_PAUSE_MS) {
        // Once per run of early answers, so a server that keeps doing it does not flood the log.
        this.logger.warn(
          { timeoutSeconds: LONG_POLL_SECONDS, pauseMs },
          'getUpdates keeps answering empty without waiting for its timeout; pausing between calls',
        );
      }
      earlyEmptyPauseMs = pauseMs;
      if (updates.length === 0) {
        // The abort signal ends the pause at once, so a stop is not held up by it.
        if (pauseMs > 0) await sleep(pauseMs, this.abort.signal);
        continue;
      }
      // Until the batch is stored, the offset does not move: Telegram keeps the updates for us.
      for (let stored = false; !stored && this.running; ) {
        try {
          await storeUpdates(this.db, updates);
          stored = true;
        } catch (error) {
          this.logger.error(
            { err: error, count: updates.length },
            'could not store updates; not confirming them',
          );
          await sleep(1000, this.abort.signal);
        }
      }
      if (!this.running && updates.length > 0) {
        // Stopped while the database was away: the batch is not confirmed and will come again.
        break;
      }
      this.offset = Math.max(this.offset, ...updates.map((update) => update.update_id + 1));
      this.onStored(updates);
    }
  }
}

// A stop must not wait out a back-off: the abort signal ends the wait at once.
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const record = error as { code?: unknown; name?: string };
    if (record.code !== undefined) return String(record.code);
    if (record.name) return record.name;
  }
  return 'unknown';
}
