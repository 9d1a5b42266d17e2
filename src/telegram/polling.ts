import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { storeUpdates } from './inbox.js';

const LONG_POLL_SECONDS = 25;

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

  /** Starts polling in the background; resolves once the first getUpdates was sent. */
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
    while (this.running) {
      let updates: Update[];
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
        const delayMs = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        this.logger.warn({ kind: describe(error), delayMs }, 'getUpdates failed; retrying');
        await sleep(delayMs, this.abort.signal);
        continue;
      }
      if (updates.length === 0) continue;
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
