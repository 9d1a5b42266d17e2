import { Telegram, TelegramError } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { backoffMs } from './backoff.js';
import { publishDefaultMenus } from './bot/command-menus.js';
import { assembleBot } from './bot/index.js';
import type { AppConfig } from './config.js';
import { checkDatabaseKey } from './crypto/key-guard.js';
import { loadKeyring } from './crypto/key-store.js';
import { sealLegacyRows } from './crypto/reseal.js';
import { type Database, type DatabaseObserver, openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { keyDialoguesOfOlderRows } from './dialogues.js';
import { languageFor, translatorFor } from './i18n.js';
import { convertLegacyReporterRefs } from './items/ledger.js';
import { type BackgroundJobs, startBackgroundJobs, startupTasks } from './jobs.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { MetricsServer } from './metrics-server.js';
import { rememberBotUsername } from './people/invites.js';
import { numberPeople } from './people/numbering.js';
import { activeAdminCount, staffRecipients } from './people/store.js';
import type { Services } from './services.js';
import { crashAfterStoreIfAsked, withInjectedFaults } from './telegram/fault-injection.js';
import { keyOrderOfOlderUpdates } from './telegram/inbox.js';
import { keyPrivateChatsOfOlderRows, removeDeliveredPrivateMessages } from './telegram/outbox.js';
import { PollingIntake } from './telegram/polling.js';
import { OutboxSender, REFUSAL_NOTICE_REF, type SenderOptions } from './telegram/sender.js';
import { SenderLeadership } from './telegram/sender-leadership.js';
import { UpdateProcessor } from './telegram/update-processor.js';
import { WebhookIntake } from './telegram/webhook.js';

/** The update kinds the bot asks Telegram for. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/** A running bot and how to stop it. */
export interface RunningApp {
  database: Database;
  processor: UpdateProcessor;
  sender: OutboxSender;
  /** The webhook server's port, in webhook mode. */
  port?: number;
  /** The monitoring listener's port, when METRICS_PORT is set. */
  metricsPort?: number;
  stop(): Promise<void>;
}

/**
 * Opens the configured database (PGlite in DATA_DIR, locked for this process, unless DATABASE_URL is
 * set), loads the data keyring, migrates and seals any row still in clear from before encryption at rest,
 * and moves items still linked to their reporter the old way into the reporter ledgers.
 */
export async function openConfiguredDatabase(
  config: AppConfig,
  logger?: Logger,
  holder: { role: 'bot' | 'cli'; command?: string } = { role: 'bot' },
  observer: DatabaseObserver = {},
): Promise<Database> {
  // The database (and so DATA_DIR's lock) first: two processes must not both generate a key there.
  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir, holder },
    observer,
  );
  try {
    const keyIds = await loadKeyring(config, logger);
    await migrateDatabase(database);
    await checkDatabaseKey(database.db, keyIds);
  } catch (error) {
    await database.close();
    throw error;
  }
  const sealed = await sealLegacyRows(database.db);
  if (sealed > 0) logger?.info({ rows: sealed }, 'sealed rows stored in clear before encryption at rest');
  const numbered = await numberPeople(database.db);
  if (numbered > 0)
    logger?.info({ values: numbered }, 'replaced Telegram ids stored in clear by person numbers');
  const moved =
    (await removeDeliveredPrivateMessages(database.db)) +
    (await keyPrivateChatsOfOlderRows(database.db)) +
    (await keyOrderOfOlderUpdates(database.db)) +
    (await keyDialoguesOfOlderRows(database.db));
  if (moved > 0)
    logger?.info({ rows: moved }, 'brought messages an older version queued into the current form');
  const ledgered = await convertLegacyReporterRefs(database.db);
  if (ledgered > 0)
    logger?.info({ items: ledgered }, 'moved items linked by reporter_ref into reporter ledgers');
  return database;
}

/**
 * The application's clock: the real time, or (TEST_CLOCK_START, tests only) a clock that starts at the
 * given instant and runs on from there. It moves what handlers, use cases and jobs call "now" (due dates,
 * digests, invites); the database's now() and the sender's pacing keep the real time.
 */
function clockOf(config: AppConfig, logger: Logger): () => Date {
  const start = config.clockStart;
  if (!start) return () => new Date();
  const offset = start.getTime() - Date.now();
  logger.warn({ clockStart: start.toISOString() }, 'test clock set: "now" is not the real time');
  return () => new Date(Date.now() + offset);
}

/** What startApp may be told besides the configuration. */
export interface StartOptions {
  sender?: SenderOptions;
  database?: DatabaseObserver;
  /**
   * Called when the running bot must stop for good (its keyring no longer opens the database): the
   * caller stops it and exits non-zero. Without it the app stops itself.
   */
  onFatal?: (error: Error) => void;
}

/** Starts everything: database, bot, intake (polling or webhook), sender and scheduled jobs. */
export async function startApp(
  config: AppConfig,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningApp> {
  // Admitted only with NODE_ENV=test (src/config.ts); said at every start so it is never armed unnoticed.
  for (const fault of config.faults)
    logger.warn({ fault }, 'fault injection armed: this fault fires on purpose');
  const database = await openConfiguredDatabase(config, logger, { role: 'bot' }, options.database);
  await startupTasks(database.db, config, logger);
  const telegram = new Telegram(config.botToken, { apiRoot: config.apiRoot, webhookReply: false });
  const me = await getMeWithRetry(telegram, logger);
  logger.info(
    { botId: me.id, username: `@${me.username}`, database: database.kind, mode: config.mode.kind },
    'bot identity confirmed',
  );
  await rememberBotUsername(database.db, me.username);
  // Without an admin nobody can invite anyone: say so, and how to fix it, rather than start mute.
  if (config.adminIds.length === 0 && (await activeAdminCount(database.db)) === 0) {
    logger.warn(
      { username: `@${me.username}` },
      'no admin yet: nobody can invite anyone. Send /start to the bot to learn your Telegram id, then restart with ADMIN_IDS=<that id>',
    );
  }

  const services: Services = { config, now: clockOf(config, logger), botUsername: () => me.username };
  const assembled = assembleBot(config.botToken, config.apiRoot, services);
  assembled.bot.botInfo = me;
  await publishDefaultMenus(database.db, assembled.features);

  const metrics = new Metrics(database.db);
  const sender = new OutboxSender(database.db, telegram, logger.child({ part: 'sender' }), {
    ...options.sender,
    onDelivered: (delivery) => {
      metrics.onDelivered(delivery);
      options.sender?.onDelivered?.(delivery);
    },
    // A refused message is never silent: the admins hear its number and Telegram's error, never its content.
    onRefused: async (tx, refusal, out) => {
      for (const admin of await staffRecipients(tx, config.adminIds, false)) {
        out.sendText(
          admin.chatId,
          translatorFor(admin.language)('common:send_refused', {
            id: refusal.outboxId,
            method: refusal.method,
            error: refusal.error,
          }),
          {},
          REFUSAL_NOTICE_REF,
        );
      }
    },
  });
  const processor = new UpdateProcessor(
    database,
    withInjectedFaults(assembled.handleUpdate, config.faults),
    async (update, tx, out) => {
      const message = 'message' in update ? update.message : undefined;
      if (message?.chat.type === 'private') {
        const t = translatorFor(languageFor(message.from?.language_code));
        out.sendText(message.chat.id, t('common:processing_failed'));
      }
      // Parked is never silent: the admins hear of it (the update's number only, never its content).
      for (const admin of await staffRecipients(tx, config.adminIds, false)) {
        out.sendText(
          admin.chatId,
          translatorFor(admin.language)('common:update_parked', { id: update.update_id }),
        );
      }
    },
    logger.child({ part: 'inbox' }),
    () => sender.wake(),
  );
  const leadership = new SenderLeadership(database, sender, logger.child({ part: 'leadership' }));
  await leadership.start();
  processor.start();
  const jobs: BackgroundJobs = startBackgroundJobs(database, config, logger, services, () => sender.wake(), {
    onLost: (error) => {
      // Ids only: the line says which key is missing, never a key.
      logger.fatal({ recorded: error.recorded, keyIds: error.keyIds }, error.message);
      if (options.onFatal) options.onFatal(error);
      else void stop();
    },
  });

  const onStored = (updates: readonly Update[]) => {
    crashAfterStoreIfAsked(updates, config.faults);
    processor.wake(updates.length);
  };
  metrics.watch(processor, sender);
  // The local monitoring listener, in either mode; the webhook's listener takes updates only.
  let monitoring: MetricsServer | undefined;
  let metricsPort: number | undefined;
  if (config.metrics) {
    monitoring = new MetricsServer(
      database.db,
      metrics.registry,
      logger.child({ part: 'monitoring' }),
      config.metrics,
    );
    metricsPort = await monitoring.start();
    logger.info({ port: metricsPort, host: config.metrics.host }, 'metrics listener listening');
  }
  let intake: { stop(): Promise<void> };
  let port: number | undefined;
  if (config.mode.kind === 'webhook') {
    const path = new URL(config.mode.url).pathname || '/';
    const webhook = new WebhookIntake(
      database.db,
      logger.child({ part: 'webhook' }),
      {
        port: config.mode.port,
        host: config.mode.host,
        path,
        secret: config.mode.secret,
      },
      onStored,
    );
    port = await webhook.start();
    await telegram.setWebhook(config.mode.url, {
      secret_token: config.mode.secret,
      allowed_updates: [...ALLOWED_UPDATES],
    });
    logger.info({ port }, 'webhook server listening');
    intake = webhook;
  } else {
    await telegram.deleteWebhook();
    const polling = new PollingIntake(
      database.db,
      telegram,
      logger.child({ part: 'polling' }),
      onStored,
      ALLOWED_UPDATES,
    );
    polling.start();
    intake = polling;
  }
  logger.info('bot started');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // First: a probe during the stop would see a database about to close and call it not ready.
      await monitoring?.stop();
      await intake.stop();
      await jobs.stop();
      await processor.stop();
      await leadership.stop();
      await database.close();
    })();
    return stopping;
  };
  return { database, processor, sender, port, metricsPort, stop };
}

async function getMeWithRetry(telegram: Telegram, logger: Logger): Promise<UserFromGetMe> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await telegram.getMe();
    } catch (error) {
      if (error instanceof TelegramError && error.code === 401) {
        throw new Error('Telegram rejected BOT_TOKEN (401 Unauthorized): check the token from @BotFather');
      }
      const delayMs = backoffMs(attempt, { baseMs: 500, maxMs: 30_000, maxExponent: 6 });
      logger.warn({ attempt, delayMs }, 'Telegram not reachable for getMe; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
