import { ConfigError } from '../config.js';
import type { Queryable } from '../db/client.js';
import type { Logger } from '../logger.js';
import { getSetting, putSetting } from '../settings.js';
import { currentKeyId, keyringIds } from './sealing.js';

const DATABASE_KEY = 'data_key_id';

/**
 * Refuses to start a process whose keyring cannot open this database: the id (never the key) of the
 * key the data is sealed under is kept in the database, so a replica started with another generated
 * key or a wrong DATA_KEY stops at once instead of writing rows the others cannot read.
 */
export async function checkDatabaseKey(db: Queryable, keyIds: readonly string[]): Promise<void> {
  const recorded = await getSetting<string>(db, DATABASE_KEY);
  if (recorded !== null && !keyIds.includes(recorded)) {
    throw new ConfigError([
      `DATA_KEY: this database is encrypted with data key ${recorded}, which this process does not have (it has ${keyIds.join(', ')}); set DATA_KEY to the keyring the other processes use`,
    ]);
  }
  await recordDatabaseKey(db);
}

/** Records the current key as the one the database's data is sealed under (after a start or a rotation). */
export async function recordDatabaseKey(db: Queryable): Promise<void> {
  const current = currentKeyId();
  if ((await getSetting<string>(db, DATABASE_KEY)) !== current) await putSetting(db, DATABASE_KEY, current);
}

/** How often a running process checks that its keyring still opens the database. */
export const KEY_CHECK_INTERVAL_MS = 60_000;

/**
 * The database's data moved to a key this process does not have (another process rotated it, or the
 * database was replaced under it). Carries key ids only, never a key.
 */
export class DatabaseKeyLostError extends Error {
  constructor(
    readonly recorded: string,
    readonly keyIds: readonly string[],
  ) {
    super(
      `this database is now encrypted with data key ${recorded}, which this process does not have (it has ${keyIds.join(', ')}): stopping, so nothing is sealed under a key the others cannot read. Restart it with the keyring that holds ${recorded} (DATA_KEY, or the key file)`,
    );
    this.name = 'DatabaseKeyLostError';
  }
}

/**
 * Checks, without writing, that the key the database records is still in this process's keyring;
 * returns the loss, or null when the ring still opens the database (or nothing is recorded yet).
 */
export async function findDatabaseKeyLoss(db: Queryable): Promise<DatabaseKeyLostError | null> {
  const recorded = await getSetting<string>(db, DATABASE_KEY);
  const keyIds = keyringIds();
  return recorded !== null && !keyIds.includes(recorded) ? new DatabaseKeyLostError(recorded, keyIds) : null;
}

/**
 * Repeats the start-up check while the process runs: the start-up check alone would let a long-running
 * replica go on sealing rows under a key the database left (a rotation finished elsewhere, and the old
 * key then dropped), rows nobody could read once that key is gone. Calls `onLost` once, then stops
 * checking; a failed check (database briefly unreachable) is logged and tried again next time.
 */
export function watchDatabaseKey(
  db: Queryable,
  logger: Logger,
  onLost: (error: DatabaseKeyLostError) => void,
  intervalMs: number = KEY_CHECK_INTERVAL_MS,
): { stop(): void } {
  let checking = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (checking || stopped) return;
    checking = true;
    findDatabaseKeyLoss(db)
      .then((lost) => {
        if (!lost || stopped) return;
        stopped = true;
        clearInterval(timer);
        onLost(lost);
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'data key check failed; trying again'))
      .finally(() => {
        checking = false;
      });
  }, intervalMs);
  // Never what keeps the process alive.
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
