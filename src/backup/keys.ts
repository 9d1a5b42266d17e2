import type { AppConfig } from '../config.js';
import { locateKeyFile, readKeyFile } from '../crypto/key-store.js';

/**
 * The data keyring as configured — DATA_KEY, else the key file — without generating one: checking or
 * restoring a backup with a fresh key would only fail later, and leave a useless key behind.
 */
export async function configuredKeyring(
  config: Pick<AppConfig, 'dataKeys' | 'dataDir' | 'dataKeyFile'>,
): Promise<readonly Buffer[] | null> {
  return config.dataKeys ?? (await readKeyFile(locateKeyFile(config).path));
}

/** What to say when there is no keyring to open a backup with. */
export const NO_KEY_MESSAGE =
  'no data key: a backup is encrypted under the data key, which it does not contain. Set DATA_KEY, or put the key file back where the bot keeps it (DATA_KEY_FILE; by default <DATA_DIR>-key/data.key), then run this again';
