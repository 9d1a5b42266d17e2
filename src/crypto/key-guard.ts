import { ConfigError } from '../config.js';
import type { Queryable } from '../db/client.js';
import { getSetting, putSetting } from '../settings.js';
import { currentKeyId } from './sealing.js';

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
