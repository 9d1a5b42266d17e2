import postgres from 'postgres';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { OUTBOX_CHANNEL } from './outbox.js';
import type { OutboxSender } from './sender.js';

// Any fixed number, distinct from the migration lock.
const SENDER_LOCK = 7_310_425;
const RETRY_MS = 2000;

/**
 * Makes exactly one process per database the sender. Telegram's limits are for the bot as a
 * whole, so with several replicas the one holding a Postgres advisory lock sends and keeps the
 * budget in memory; the others wait to take over (the lock is freed when its session ends, and
 * messages the old sender had claimed come back when their lease expires). On PGlite, the only
 * process is the sender.
 */
export class SenderLeadership {
  private running = false;
  private leader = false;
  private loop: Promise<void> | undefined;
  private session: postgres.Sql | undefined;
  private listener: postgres.Sql | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly database: Database,
    private readonly sender: OutboxSender,
    private readonly logger: Logger,
  ) {}

  /** True while this process is the sender. */
  isLeader(): boolean {
    return this.leader;
  }

  /** Starts sending (PGlite) or competing for the sender's lock (Postgres). */
  async start(): Promise<void> {
    this.running = true;
    if (this.database.kind === 'pglite' || !this.database.url) {
      this.leader = true;
      this.sender.start();
      return;
    }
    this.listener = postgres(this.database.url, { max: 1, onnotice: () => {} });
    await this.listener.listen(OUTBOX_CHANNEL, () => this.sender.wake());
    this.loop = this.compete(this.database.url);
  }

  /** Stops sending and gives the lock up. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    if (this.leader) await this.sender.stop();
    this.leader = false;
    await this.session?.end({ timeout: 2 }).catch(() => {});
    await this.listener?.end({ timeout: 2 }).catch(() => {});
  }

  private async compete(url: string): Promise<void> {
    while (this.running) {
      try {
        if (!this.session) this.session = postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 0 });
        if (!this.leader) {
          const [row] = await this.session<
            { ok: boolean }[]
          >`select pg_try_advisory_lock(${SENDER_LOCK}) as ok`;
          if (row?.ok) {
            this.leader = true;
            this.logger.info('this process is now the sender');
            this.sender.start();
          }
        } else {
          // Still connected means still holding the lock.
          await this.session`select 1`;
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'lost the database session that holds the sender lock');
        if (this.leader) {
          this.leader = false;
          await this.sender.stop();
        }
        await this.session?.end({ timeout: 1 }).catch(() => {});
        this.session = undefined;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RETRY_MS);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
