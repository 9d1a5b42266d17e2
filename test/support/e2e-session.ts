// One real bot process against the fake Bot API, with the conversation helpers acceptance tests need:
// say something and wait for the answer, press a button the bot sent, enrol someone through an invite,
// and look into the database (on PGlite only while the process is stopped: it owns the data folder).

import { join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { isKeyringConfigured } from '../../src/crypto/sealing.js';
import { type Database, type Db, openDatabase, queryRows } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { loadPersonNumberKey } from '../../src/people/numbering.js';
import { type BotDatabase, BotProcess, createBotDatabase } from './bot-process.js';
import { testDatabaseKind } from './database.js';
import { FakeBotApi, type RecordedCall } from './fake-bot-api.js';
import {
  callbackQuery,
  type MessageOptions,
  myChatMember,
  type TgGroupChat,
  type TgUser,
  textMessage,
} from './updates.js';

/** An inline button as the bot sent it. */
export interface SentButton {
  text: string;
  callback_data?: string;
  url?: string;
}

/** Methods that show the user something in a chat: a new message or an edited one. */
const VISIBLE = new Set(['sendMessage', 'editMessageText', 'sendPhoto', 'sendDocument']);

/** The text (or caption) a call put in a chat, '' if none. */
export function textOf(call: RecordedCall | undefined): string {
  const { text, caption } = call?.params ?? {};
  if (typeof text === 'string') return text;
  return typeof caption === 'string' ? caption : '';
}

/** Every inline button of a recorded send or edit. */
export function buttonsOf(call: RecordedCall | undefined): SentButton[] {
  const markup = call?.params.reply_markup as { inline_keyboard?: SentButton[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

/** The button whose label contains `label`, or throws listing the buttons there are. */
export function buttonOf(call: RecordedCall | undefined, label: string): SentButton {
  const found = buttonsOf(call).find((button) => button.text.includes(label));
  if (!found) {
    const labels = buttonsOf(call).map((button) => button.text);
    throw new Error(`no button "${label}" among ${JSON.stringify(labels)}`);
  }
  return found;
}

/** The message id Telegram gave a send (or the edited message's id). */
export function messageIdOf(call: RecordedCall): number {
  const result = call.result as { message_id?: number } | undefined;
  const id = result?.message_id ?? call.params.message_id;
  if (typeof id !== 'number') throw new Error(`call ${call.method} has no message id`);
  return id;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A bot process, its fake Telegram and its own empty database, for one describe block. */
export class E2eSession {
  bot: BotProcess | null = null;
  private readonly outputs: BotProcess[] = [];

  private constructor(
    readonly api: FakeBotApi,
    readonly database: BotDatabase,
    private readonly env: Record<string, string>,
  ) {}

  /** A fake API and a fresh migrated database; `prepare` may write to the migrated database before the bot starts. */
  static async create(
    env: Record<string, string> = {},
    prepare?: (db: Db) => Promise<void>,
  ): Promise<E2eSession> {
    const api = await FakeBotApi.start();
    const database = await createBotDatabase({ migrated: true });
    const session = new E2eSession(api, database, env);
    if (prepare) {
      const opened = await session.open();
      try {
        await migrateDatabase(opened);
        await prepare(opened.db);
      } finally {
        await opened.close();
      }
    }
    return session;
  }

  /** Starts the bot (with `extra` environment for this start only) and resolves once it polls and has said it started. */
  async start(extra: Record<string, string> = {}): Promise<void> {
    const since = Date.now();
    this.bot = BotProcess.start(
      {
        BOT_TOKEN: this.api.token,
        TELEGRAM_API_ROOT: this.api.url,
        ...this.database.env,
        ...this.env,
        ...extra,
      },
      this.database.cwd,
    );
    this.outputs.push(this.bot);
    const bot = this.bot;
    const exited = bot.exit().then(({ code, signal }) => {
      throw new Error(`bot exited while starting (${code ?? signal}):\n${bot.text().slice(-3000)}`);
    });
    await Promise.race([
      // Its first long poll arriving, not that poll ending: an idle poll is answered only after its
      // whole timeout (25 s), which every start used to wait out. Generous: a first start creates the
      // database, which on a busy shared machine takes a while.
      this.api.waitForPolling(since, 90_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\nbot output:\n${bot.text().slice(-3000)}`);
      }),
      exited,
    ]);
    exited.catch(() => {});
    // The process installs its SIGTERM handler only once started; a stop before that would kill it
    // mid-start instead of stopping it cleanly.
    const deadline = Date.now() + 30_000;
    while (!bot.text().includes('"bot started"')) {
      if (Date.now() > deadline) throw new Error(`bot did not start:\n${bot.text().slice(-2000)}`);
      await sleep(20);
    }
    await sleep(50);
  }

  /** Stops the bot with SIGTERM; it must exit 0. */
  async stop(): Promise<void> {
    const bot = this.bot;
    this.bot = null;
    if (!bot) return;
    const { code } = await bot.terminate();
    if (code !== 0) throw new Error(`bot exited with ${code}:\n${bot.text().slice(-2000)}`);
  }

  /**
   * Runs `inspect` on the bot's database. On Postgres it reads beside the running process; on PGlite
   * the process is stopped first (it owns the folder) and started again afterwards.
   */
  async withDatabase<T>(inspect: (db: Db) => Promise<T>): Promise<T> {
    const wasRunning = this.bot !== null;
    if (testDatabaseKind === 'pglite') await this.stop();
    const opened = await this.open();
    try {
      // Raw person columns hold person numbers: this process reads them with the database's key, when
      // it holds the data key that opens it (a test of a generated or rotated key may not).
      if (isKeyringConfigured()) await loadPersonNumberKey(opened.db).catch(() => false);
      return await inspect(opened.db);
    } finally {
      await opened.close();
      if (testDatabaseKind === 'pglite' && wasRunning) await this.start();
    }
  }

  /** One number from `select count(*) …` on the bot's database. */
  count(query: SQL): Promise<number> {
    return this.withDatabase(async (db) => {
      const [row] = await queryRows<{ count: unknown }>(db, query);
      return Number(row?.count ?? Number.NaN);
    });
  }

  /** Stops the bot (killing it if need be), the fake API, and drops the database. */
  async dispose(): Promise<void> {
    await Promise.all(this.outputs.map((bot) => bot.kill()));
    await this.api.stop();
    await this.database.dispose();
  }

  /** Everything every process of this session printed. */
  output(): string {
    return this.outputs.map((bot) => bot.text()).join('');
  }

  /** The sequence number of the last recorded call: waits after it see only what comes next. */
  mark(): number {
    return this.api.calls.at(-1)?.seq ?? 0;
  }

  /** The first call after `mark` matching `predicate`. */
  after(mark: number, predicate: (call: RecordedCall) => boolean, timeoutMs = 20_000): Promise<RecordedCall> {
    return this.api.waitFor((call) => call.seq > mark && call.status === 200 && predicate(call), timeoutMs);
  }

  /** The first visible message (send or edit) to `chatId` after `mark`, optionally containing `including`. */
  messageTo(
    chatId: number,
    mark: number,
    including?: string | RegExp,
    timeoutMs?: number,
  ): Promise<RecordedCall> {
    return this.after(
      mark,
      (call) =>
        VISIBLE.has(call.method) &&
        call.params.chat_id === chatId &&
        (including === undefined ||
          (typeof including === 'string' ? textOf(call).includes(including) : including.test(textOf(call)))),
      timeoutMs,
    );
  }

  /** `from` sends `text` (in their private chat unless opts.chat); resolves with the bot's first message back there. */
  async say(from: TgUser, text: string, opts: MessageOptions = {}): Promise<RecordedCall> {
    const mark = this.mark();
    this.api.pushUpdate(textMessage(from, text, opts));
    return this.messageTo(opts.chat?.id ?? from.id, mark);
  }

  /** Pushes any update; resolves with the mark taken just before, to wait for its effects. */
  push(update: object): number {
    const mark = this.mark();
    this.api.pushUpdate(update);
    return mark;
  }

  /**
   * `from` presses the button labelled `label` on the message `on` (a recorded send or edit);
   * resolves with the mark taken before the press, so callers wait for what they expect.
   */
  press(from: TgUser, on: RecordedCall, label: string): number {
    const data = buttonOf(on, label).callback_data;
    if (data === undefined) throw new Error(`button "${label}" is a link, not a callback`);
    return this.push(
      callbackQuery(from, data, {
        messageId: messageIdOf(on),
        chatId: on.params.chat_id as number,
        messageText: textOf(on),
      }),
    );
  }

  /**
   * `admin` invites with `/invite <args>`, `person` opens the link; resolves with the welcome.
   * Enrolment through the bot, as people really join.
   */
  async enrol(admin: TgUser, person: TgUser, inviteArgs: string): Promise<RecordedCall> {
    const inviting = this.push(textMessage(admin, `/invite ${inviteArgs}`));
    const invite = await this.messageTo(admin.id, inviting, 'https://t.me/');
    const token = tokenIn(textOf(invite), this.api.botUser.username);
    const redeeming = this.push(textMessage(person, `/start ${token}`));
    const welcome = await this.messageTo(person.id, redeeming);
    if (!/欢迎|Welcome/i.test(textOf(welcome))) throw new Error(`not enrolled: ${textOf(welcome)}`);
    // The inviter is told who used the link; wait for it so it is not taken for a later answer.
    await this.messageTo(admin.id, redeeming, String(person.id));
    return welcome;
  }

  /** `admin` adds the bot to `group` and sends /bindchat there; resolves once the group is the section chat. */
  async bindSectionChat(admin: TgUser, group: TgGroupChat): Promise<void> {
    const adding = this.push(myChatMember(group, admin, 'administrator'));
    await this.messageTo(group.id, adding);
    const bound = await this.say(admin, '/bindchat', { chat: group });
    if (!/干部科工作群|section/i.test(textOf(bound))) throw new Error(`not bound: ${textOf(bound)}`);
  }

  /** Waits a little so that anything else the bot was going to send has been sent. */
  async settle(ms = 1500): Promise<void> {
    await sleep(ms);
  }

  private open(): Promise<Database> {
    return openDatabase(
      this.database.env.DATABASE_URL
        ? { url: this.database.env.DATABASE_URL, poolSize: 1 }
        : { dataDir: join(this.database.cwd, 'data') },
    );
  }
}

/** The invite token in a reply holding `https://t.me/<bot>?start=<token>`, or throws. */
export function tokenIn(text: string, botUsername: string): string {
  const escaped = botUsername.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`https://t\\.me/${escaped}\\?start=([A-Za-z0-9_-]+)`).exec(text);
  if (!match?.[1]) throw new Error(`no invite link in: ${text}`);
  return match[1];
}

/**
 * Rows of every table in the database whose text form contains `needle`, as `table: count`.
 * Each row is cast whole to text (jsonb and arrays included), so no column can hide it.
 */
export async function rowsHolding(db: Db, needle: string): Promise<Record<string, number>> {
  const tables = await queryRows<{ schema: string; name: string }>(
    db,
    sql`select table_schema as schema, table_name as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
  );
  const found: Record<string, number> = {};
  for (const table of tables) {
    const qualified = sql.raw(`"${table.schema}"."${table.name}"`);
    const [row] = await queryRows<{ count: unknown }>(
      db,
      sql`select count(*) as count from ${qualified} t where strpos(t::text, ${needle}) > 0`,
    );
    const count = Number(row?.count ?? 0);
    if (count > 0) found[`${table.schema}.${table.name}`] = count;
  }
  return found;
}
