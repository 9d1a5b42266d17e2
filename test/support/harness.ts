import { asc, gt } from 'drizzle-orm';
import type { DestinationStream } from 'pino';
import type { Update } from 'telegraf/types';
import { assembleBot } from '../../src/bot/index.js';
import { type AppConfig, loadConfig } from '../../src/config.js';
import type { Database, Db } from '../../src/db/client.js';
import { outbox, people } from '../../src/db/schema.js';
import type { Role } from '../../src/domain/roles.js';
import { createLogger } from '../../src/logger.js';
import { numberPeople } from '../../src/people/numbering.js';
import type { Services } from '../../src/services.js';
import { storeUpdates } from '../../src/telegram/inbox.js';
import { UpdateProcessor } from '../../src/telegram/update-processor.js';
import { seedUnitsIfEmpty } from '../../src/units/directory.js';
import { createTestDatabase } from './database.js';

/** A message the bot queued, as a test sees it. */
export interface QueuedMessage {
  id: number;
  chatId: number;
  method: string;
  payload: Record<string, unknown>;
  /** The text or caption, '' when there is none. */
  text: string;
  ref: string | null;
  fileName: string | null;
}

/** An in-process bot on a real (test) database, driven update by update through the real inbox path. */
export interface Harness {
  database: Database;
  db: Db;
  config: AppConfig;
  services: Services;
  /** The clock handlers see; move it with `clock.set` / `clock.advance`. */
  clock: { now: Date; set(date: Date): void; advance(ms: number): void };
  /** Stores the update in the inbox, handles everything pending, and returns what that queued. */
  send(update: object): Promise<QueuedMessage[]>;
  /** Enrols a person directly (bypassing invites), for tests of other features. */
  enrol(
    telegramId: number,
    role: Role,
    extra?: { community?: string; agency?: string; language?: string },
  ): Promise<void>;
  /** Every queued message so far, optionally to one chat. */
  queued(chatId?: number): Promise<QueuedMessage[]>;
  processor: UpdateProcessor;
  close(): Promise<void>;
}

let nextUpdateId = 1;

/**
 * Starts a harness; `env` overrides the configuration (ADMIN_IDS, TIMEZONE, LOG_LEVEL, …) and
 * `options.logDestination` receives every log line (the leak tests read them).
 */
export async function createHarness(
  env: Record<string, string> = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  await seedUnitsIfEmpty(database.db);
  // As a start does (src/app.ts): the database's person-number key is made, kept sealed, and used.
  await numberPeople(database.db);
  const config = loadConfig({ BOT_TOKEN: '123456:TEST', LOG_LEVEL: 'silent', ...env });
  const clock = {
    now: new Date(),
    set(date: Date) {
      this.now = new Date(date);
    },
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const services: Services = {
    config,
    now: () => new Date(clock.now),
    botUsername: () => 'liaison_test_bot',
  };
  const assembled = assembleBot(config.botToken, 'http://127.0.0.1:9', services);
  assembled.bot.botInfo = {
    id: 123456,
    is_bot: true,
    first_name: 'Liaison Test',
    username: 'liaison_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  } as never;
  const logger = createLogger(env.LOG_LEVEL ?? 'silent', options.logDestination);
  const processor = new UpdateProcessor(
    database,
    assembled.handleUpdate,
    async () => {},
    logger,
    () => {},
  );
  let lastSeen = 0;

  const toQueued = (row: typeof outbox.$inferSelect): QueuedMessage => {
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    return {
      id: row.id,
      // A private chat's row holds a keyed number (src/telegram/outbox.ts); the real id is the payload's.
      chatId: row.chatId > 0 && payload.chat_id !== undefined ? Number(payload.chat_id) : row.chatId,
      method: row.method,
      payload,
      text: String(payload.text ?? payload.caption ?? ''),
      ref: row.ref,
      fileName: row.fileName,
    };
  };

  return {
    database,
    db: database.db,
    config,
    services,
    clock,
    processor,
    async send(update) {
      const withId = { update_id: nextUpdateId++, ...update } as Update;
      await storeUpdates(database.db, [withId]);
      await processor.drain();
      const rows = await database.db
        .select()
        .from(outbox)
        .where(gt(outbox.id, lastSeen))
        .orderBy(asc(outbox.id));
      lastSeen = rows.at(-1)?.id ?? lastSeen;
      return rows.map(toQueued);
    },
    async enrol(telegramId, role, extra = {}) {
      await database.db
        .insert(people)
        .values({
          telegramId,
          role,
          community: extra.community ?? null,
          agency: extra.agency ?? null,
          language: extra.language ?? null,
        })
        .onConflictDoUpdate({
          target: people.telegramId,
          set: { role, community: extra.community ?? null, agency: extra.agency ?? null, revokedAt: null },
        });
    },
    async queued(chatId) {
      const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
      return rows.map(toQueued).filter((row) => chatId === undefined || row.chatId === chatId);
    },
    close: () => database.close(),
  };
}
