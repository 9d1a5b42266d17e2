/**
 * Scheduled backups for the embedded default, where nothing outside the bot can read the database
 * while it runs: with BACKUP_DIR set, on BACKUP_CRON (in TIMEZONE) the bot writes a backup there —
 * the same file `npm run cli -- backup --out` writes — and keeps the newest BACKUP_KEEP of them.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import cron, { type ScheduledTask } from 'node-cron';
import { writeOutputFile } from '../cli/output.js';
import type { AppConfig } from '../config.js';
import { currentKeyId, keyIdOf } from '../crypto/sealing.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import { dumpDatabase } from './dump.js';
import { encryptBackup } from './format.js';
import { configuredKeyring } from './keys.js';

const PREFIX = 'liaison-bot-';
const SUFFIX = '.backup';
const NAME = /^liaison-bot-\d{8}-\d{6}(-\d+)?\.backup$/;

/** The file name of a backup taken at `at` (in the county's zone, so the operator reads it as local time). */
export function backupFileName(at: Date, timeZone: string): string {
  return `${PREFIX}${DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyyMMdd-HHmmss')}${SUFFIX}`;
}

/** Writes one backup into `dir` and removes all but the newest `keep`; resolves with its path. */
export async function writeScheduledBackup(
  database: Database,
  config: Pick<AppConfig, 'dataKeys' | 'dataDir' | 'dataKeyFile' | 'timeZone'> & {
    backup: { dir: string; keep: number };
  },
  now: Date,
): Promise<{ path: string; rows: number; removed: string[] }> {
  const keyring = await configuredKeyring(config);
  const current = keyring?.[0];
  if (!current || keyIdOf(current) !== currentKeyId())
    throw new Error('the data key is not available for a backup');
  await mkdir(config.backup.dir, { recursive: true, mode: 0o700 });
  const path = join(config.backup.dir, backupFileName(now, config.timeZone));
  const dump = dumpDatabase(database);
  await writeOutputFile(path, encryptBackup(dump.lines, current));
  const summary = await dump.summary;
  // Names sort by time; only files this schedule wrote are ever removed.
  const ours = (await readdir(config.backup.dir)).filter((name) => NAME.test(name)).sort();
  const removed = ours.slice(0, Math.max(0, ours.length - config.backup.keep));
  for (const name of removed) await rm(join(config.backup.dir, name), { force: true });
  return { path, rows: summary.rows, removed };
}

/** A running backup schedule. */
export interface BackupSchedule {
  stop(): Promise<void>;
}

/** Starts the BACKUP_CRON task, or nothing when BACKUP_DIR is unset. */
export function startBackupSchedule(
  database: Database,
  config: AppConfig,
  logger: Logger,
  now: () => Date,
): BackupSchedule {
  const dir = config.backup.dir;
  if (!dir) return { stop: async () => {} };
  let running: Promise<void> | null = null;
  const task: ScheduledTask = cron.createTask(
    config.backup.cron,
    () => {
      if (running) return;
      running = writeScheduledBackup(
        database,
        { ...config, backup: { dir, keep: config.backup.keep } },
        now(),
      )
        .then(({ path, rows, removed }) =>
          logger.info({ path, rows, removed: removed.length }, 'backup written'),
        )
        .catch((error: unknown) => logger.error({ err: error }, 'scheduled backup failed'))
        .finally(() => {
          running = null;
        });
    },
    { timezone: config.timeZone, name: 'backup' },
  );
  void task.start();
  logger.info({ dir, cron: config.backup.cron, keep: config.backup.keep }, 'scheduled backups on');
  return {
    async stop() {
      await task.destroy();
      await running;
    },
  };
}
