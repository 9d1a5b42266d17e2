import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { personNumberOf } from '../../src/crypto/person-numbers.js';
import { columnPlace, configureKeyring, parseKeyring, sealAt } from '../../src/crypto/sealing.js';
import { type Database, type Db, openDatabase, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { loadPersonNumberKey } from '../../src/people/numbering.js';
import { type BotDatabase, BotProcess, createBotDatabase } from '../support/bot-process.js';
import { testDatabaseKind } from '../support/database.js';
import { FakeBotApi, type FakeBotApiOptions, type RecordedCall } from '../support/fake-bot-api.js';

/** True under `npm run test:faults -- --full`: the full counts instead of CI-sized ones. */
export const FULL = process.env.FAULTS_FULL === '1';

/** One row of the printed table. */
export interface ScenarioResult {
  scenario: string;
  database: string;
  sent?: number;
  stored?: number;
  lost?: number;
  duplicated?: number;
  crashes?: number;
  duplicateReceipts?: number;
  notes?: string;
}

/** Adds a row to the table printed at the end of the run. */
export function recordResult(row: Omit<ScenarioResult, 'database'>): void {
  appendFileSync(inject('faultsReport'), `${JSON.stringify({ database: testDatabaseKind, ...row })}\n`);
}

/** A seeded PRNG (mulberry32), so every generated run can be repeated from its printed seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: FAULTS_SEED when given, otherwise the time, printed so a failure can be replayed. */
export function runSeed(scenario: string): number {
  const seed = Number(process.env.FAULTS_SEED) || Date.now() % 2_147_483_647;
  process.stdout.write(`${scenario}: seed ${seed} (replay with FAULTS_SEED=${seed})\n`);
  return seed;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A person to insert into `people` before the bot starts. */
export interface Enrolment {
  telegramId: number;
  role: 'monitor' | 'liaison' | 'officer' | 'admin';
  community?: string;
  agency?: string;
}

/**
 * One scenario's world: the fake Bot API, an empty database, and the real bot process started and
 * killed at will. It counts every exit nobody asked for as a crash, and keeps every line the
 * processes printed so the logs can be checked for leaks.
 */
export class FaultRig {
  bot: BotProcess | undefined;
  /** Exits the scenario did not cause. */
  crashes = 0;
  /** How many processes were started; the n-th one's calls carry `api.tokenFor('g' + n)`. */
  generation = 0;
  /** Tokens of the processes killed with kill -9. */
  readonly killedTokens = new Set<string>();
  private readonly outputs: BotProcess[] = [];
  private expectedExit = new WeakSet<BotProcess>();
  // One data key per rig, kept across restarts, for builds that encrypt data at rest.
  private readonly dataKey = randomBytes(32).toString('base64');

  private constructor(
    readonly api: FakeBotApi,
    readonly database: BotDatabase,
  ) {}

  /** A fake Bot API and a migrated, empty database. */
  static async create(options: FakeBotApiOptions = {}): Promise<FaultRig> {
    const rig = new FaultRig(await FakeBotApi.start(options), await createBotDatabase());
    await rig.withDb(async () => {});
    return rig;
  }

  /** Opens the bot's database (migrated) for the test; on PGlite only while no bot process holds it. */
  async withDb<T>(use: (db: Db) => Promise<T>): Promise<T> {
    if (testDatabaseKind === 'pglite' && this.running()) {
      throw new Error('PGlite is single-process: stop the bot before opening its database');
    }
    const url = this.database.env.DATABASE_URL;
    const database: Database = await openDatabase(
      url ? { url, poolSize: 2 } : { dataDir: join(this.database.cwd, 'data') },
    );
    try {
      await migrateDatabase(database);
      return await use(database.db);
    } finally {
      await database.close();
    }
  }

  /** Inserts people directly, as an admin's invites would have. */
  async enrol(people: readonly Enrolment[]): Promise<void> {
    // Communities and agencies are sealed under the key the rig's bots run with (the database's, when it
    // names one), as they seal them.
    configureKeyring(parseKeyring(this.database.env.DATA_KEY ?? this.dataKey));
    await this.withDb(async (db) => {
      // People are keyed by person number, under the database's person-number key once a bot made it.
      await loadPersonNumberKey(db);
      for (const person of people) {
        await db.execute(
          // Sealed as the bot seals them: a started bot refuses values in clear.
          sql`insert into people (telegram_id, role, community, agency)
              values (${personNumberOf(person.telegramId)}, ${person.role},
                      ${person.community ? sealAt(columnPlace('people', 'community'), person.community) : null},
                      ${person.agency ? sealAt(columnPlace('people', 'agency'), person.agency) : null})`,
        );
      }
    });
  }

  /** Counts rows with one SQL query returning a single `n` column. */
  async count(query: ReturnType<typeof sql>): Promise<number> {
    return this.withDb(async (db) => Number((await queryRows<{ n: unknown }>(db, query))[0]?.n ?? 0));
  }

  /** Starts the bot (polling unless `env` says otherwise) and waits until it is serving. */
  async start(env: Record<string, string> = {}): Promise<BotProcess> {
    this.generation += 1;
    const bot = BotProcess.start(
      {
        // A token per process: the fake records which process made each call (RecordedCall.token).
        BOT_TOKEN: this.api.tokenFor(`g${this.generation}`),
        TELEGRAM_API_ROOT: this.api.url,
        DATA_KEY: this.dataKey,
        // Every message, alerts included, is due at once: the scenarios count what is left unsent.
        ALERT_BATCH_MINUTES: '0',
        ...this.database.env,
        ...env,
      },
      this.database.cwd,
    );
    const startedAt = Date.now();
    this.bot = bot;
    this.outputs.push(bot);
    void bot.exit().then(() => {
      if (!this.expectedExit.has(bot)) this.crashes += 1;
    });
    for (let waited = 0; !bot.text().includes('"msg":"bot started"'); waited += 50) {
      if (bot.child.exitCode !== null || bot.child.signalCode !== null || waited > 60_000) {
        throw new Error(`the bot did not start:\n${bot.text()}`);
      }
      await sleep(50);
    }
    if (process.env.FAULTS_DEBUG) process.stdout.write(`bot started in ${Date.now() - startedAt} ms\n`);
    return bot;
  }

  /** kill -9, as a crash would. */
  async kill(): Promise<void> {
    const bot = this.bot;
    if (!bot) return;
    this.expectedExit.add(bot);
    this.killedTokens.add(this.api.tokenFor(`g${this.generation}`));
    await bot.kill();
    this.bot = undefined;
  }

  /** SIGTERM; returns the exit code. */
  async stop(): Promise<number | null> {
    const bot = this.bot;
    if (!bot) return 0;
    this.expectedExit.add(bot);
    const { code } = bot.child.exitCode !== null ? { code: bot.child.exitCode } : await bot.terminate();
    this.bot = undefined;
    return code;
  }

  /** Whether a bot process is alive. */
  running(): boolean {
    return this.bot !== undefined && this.bot.child.exitCode === null && this.bot.child.signalCode === null;
  }

  /** Everything every bot process of this rig printed. */
  logs(): string {
    return this.outputs.map((bot) => bot.text()).join('');
  }

  /** How many times a handler threw (each is retried; a throw is a bug for well-formed updates). */
  handlerFailures(): number {
    return (
      this.logs().split('update handling failed').length -
      1 +
      (this.logs().split('parked as failed').length - 1)
    );
  }

  /** Successful sendMessage calls to `chatIds`. */
  messagesTo(chatIds: ReadonlySet<number>): RecordedCall[] {
    return this.api
      .sent()
      .filter((call) => call.method === 'sendMessage' && chatIds.has(Number(call.params.chat_id)));
  }

  /**
   * Waits until Telegram has nothing unconfirmed, `done()` holds, and the bot has been quiet for
   * `quietMs`; throws after `timeoutMs`.
   */
  async settle(done: () => boolean, options: { quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
    const quietMs = options.quietMs ?? 2000;
    const deadline = Date.now() + (options.timeoutMs ?? 240_000);
    for (;;) {
      const last = this.api.calls.findLast((call) => call.method !== 'getUpdates');
      const quiet = last === undefined || Date.now() - last.at >= quietMs;
      if (this.api.pendingUpdates() === 0 && done() && quiet) return;
      if (Date.now() > deadline) {
        throw new Error(
          `not settled after ${options.timeoutMs ?? 240_000} ms: pending ${this.api.pendingUpdates()}, done ${done()}`,
        );
      }
      await sleep(250);
    }
  }

  /** Stops everything and deletes the database; keeps the processes' logs in a temp file for a post-mortem. */
  async dispose(name = 'scenario'): Promise<void> {
    const logFile = join(tmpdir(), `liaison-faults-${name}.log`);
    writeFileSync(logFile, this.logs());
    if (process.env.FAULTS_DEBUG) process.stdout.write(`bot logs: ${logFile}\n`);
    if (this.bot) {
      this.expectedExit.add(this.bot);
      await this.bot.kill();
    }
    await this.api.stop();
    await this.database.dispose();
  }
}

/** Item numbers in receipts (`#123`) sent to each chat, with every send kept (duplicates included). */
export function receiptsByChat(
  calls: readonly RecordedCall[],
): Array<{ chatId: number; number: number; at: number; token: string }> {
  const receipts: Array<{ chatId: number; number: number; at: number; token: string }> = [];
  for (const call of calls) {
    const match = /#(\d+)/.exec(String(call.params.text ?? ''));
    if (match) {
      receipts.push({
        chatId: Number(call.params.chat_id),
        number: Number(match[1]),
        at: call.at,
        token: call.token,
      });
    }
  }
  return receipts;
}

/** A tip the scenario sent, to find it again among the stored items. */
export interface SentTip {
  reporter: number;
  /** The tip text after the code (what the item stores). */
  body: string;
}

/** What became of sent tips: stored once, lost, or stored more than once; and their receipts. */
export interface TipAccounting {
  stored: number;
  lost: number;
  duplicated: number;
  /** Items without a receipt sent to their reporter. */
  unreceipted: number;
  /** Receipts sent more than once for the same item, with who sent each (the process's token) and when. */
  duplicateReceipts: Array<{ number: number; times: number[]; tokens: string[] }>;
  /** Items not coming from any sent tip. */
  strays: number;
}

/**
 * Compares the items table and the receipts the fake saw against the tips sent. Items are matched
 * by their content hash (one per reporter and text) and receipts by number, so the check reads no
 * tip text or reporter column (which may be encrypted at rest).
 */
export async function accountTips(rig: FaultRig, tips: readonly SentTip[]): Promise<TipAccounting> {
  const rows = await rig.withDb((db) =>
    queryRows<{ id: number; content_hash: string | null }>(
      db,
      sql`select id, content_hash from items order by id`,
    ),
  );
  const distinct = new Set(rows.map((row) => row.content_hash ?? `id:${row.id}`)).size;
  const wanted = new Set(tips.map((tip) => `${tip.reporter}\u0000${tip.body}`)).size;
  const reporters = new Set(tips.map((tip) => tip.reporter));
  const receipts = receiptsByChat(rig.messagesTo(reporters));
  const sends = new Map<number, { chats: Set<number>; times: number[]; tokens: string[] }>();
  for (const receipt of receipts) {
    const entry = sends.get(receipt.number) ?? { chats: new Set<number>(), times: [], tokens: [] };
    entry.chats.add(receipt.chatId);
    entry.times.push(receipt.at);
    entry.tokens.push(receipt.token);
    sends.set(receipt.number, entry);
  }
  // Each reporter must hold a receipt for as many distinct items as they sent tips.
  const perReporter = new Map<number, number>();
  for (const tip of tips) perReporter.set(tip.reporter, (perReporter.get(tip.reporter) ?? 0) + 1);
  let wrongReporter = 0;
  for (const [reporter, sent] of perReporter) {
    const numbers = new Set(receipts.filter((r) => r.chatId === reporter).map((r) => r.number));
    wrongReporter += Math.abs(numbers.size - sent);
  }
  let unreceipted = 0;
  for (const row of rows) if (!sends.has(Number(row.id))) unreceipted += 1;
  const duplicateReceipts = [...sends.entries()]
    .filter(([, entry]) => entry.times.length > 1 || entry.chats.size > 1)
    .map(([number, entry]) => ({ number, times: entry.times, tokens: entry.tokens }));
  return {
    stored: rows.length,
    lost: Math.max(0, wanted - distinct),
    duplicated: rows.length - distinct,
    unreceipted: unreceipted + wrongReporter,
    duplicateReceipts,
    strays: Math.max(0, distinct - wanted),
  };
}
