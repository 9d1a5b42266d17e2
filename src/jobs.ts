import { startBackupSchedule } from './backup/schedule.js';
import type { AppConfig } from './config.js';
import { type DatabaseKeyLostError, KEY_CHECK_INTERVAL_MS, watchDatabaseKey } from './crypto/key-guard.js';
import type { Database, Db } from './db/client.js';
import { pruneDialogues } from './dialogues.js';
import { startDigestScheduler } from './digests/scheduler.js';
import { startRetentionJob } from './items/retention.js';
import type { Logger } from './logger.js';
import type { Services } from './services.js';
import { pruneHandledUpdates } from './telegram/inbox.js';
import { pruneDeliveryTraces } from './telegram/outbox.js';
import { seedUnitsIfEmpty } from './units/directory.js';

/** Background work started with the bot: schedules and housekeeping. */
export interface BackgroundJobs {
  stop(): Promise<void>;
}

/** Work done once at start, before updates are taken (e.g. loading the unit directory). */
export async function startupTasks(db: Db, _config: AppConfig, logger: Logger): Promise<void> {
  const seeded = await seedUnitsIfEmpty(db);
  if (seeded > 0) logger.info({ units: seeded }, 'loaded the default unit directory');
}

/** What the running process does when its keyring no longer opens the database (checked every minute). */
export interface KeyWatch {
  onLost(error: DatabaseKeyLostError): void;
  /** Tests only: a shorter period than the minute. */
  intervalMs?: number;
}

/**
 * Starts the scheduled jobs; `wakeSender` is called when a job has queued messages, `keyWatch.onLost`
 * when the database's recorded data key is no longer in this process's keyring.
 */
export function startBackgroundJobs(
  database: Database,
  config: AppConfig,
  logger: Logger,
  services: Services,
  wakeSender: () => void,
  keyWatch?: KeyWatch,
): BackgroundJobs {
  const keyCheck = keyWatch
    ? watchDatabaseKey(
        database.db,
        logger.child({ part: 'key-check' }),
        keyWatch.onLost,
        keyWatch.intervalMs ?? KEY_CHECK_INTERVAL_MS,
      )
    : undefined;
  const digests = startDigestScheduler({
    db: database.db,
    config,
    logger: logger.child({ part: 'digests' }),
    botUsername: services.botUsername,
    now: services.now,
    wake: wakeSender,
  });
  const retention = startRetentionJob(database.db, config, logger.child({ part: 'retention' }), services.now);
  const backups = startBackupSchedule(database, config, logger.child({ part: 'backup' }), services.now);
  const housekeeping = setInterval(
    () => {
      pruneHandledUpdates(database.db).catch((error: unknown) =>
        logger.warn({ err: error }, 'inbox pruning failed'),
      );
      pruneDeliveryTraces(database.db).catch((error: unknown) =>
        logger.warn({ err: error }, 'outbox pruning failed'),
      );
      pruneDialogues(database.db).catch((error: unknown) =>
        logger.warn({ err: error }, 'dialogue pruning failed'),
      );
    },
    60 * 60 * 1000,
  );
  housekeeping.unref();
  return {
    async stop() {
      keyCheck?.stop();
      clearInterval(housekeeping);
      await backups.stop();
      await retention.stop();
      await digests.stop();
    },
  };
}
