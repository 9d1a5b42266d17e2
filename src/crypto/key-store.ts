/**
 * Where the data keyring comes from: DATA_KEY, or a key file in DATA_DIR generated on first start.
 * The key never goes into the database. With DATABASE_URL, DATA_KEY is what a deployment should set
 * (every replica the same); without it the bot still starts — as INTERFACE.md's first-run form
 * promises — warning at every start, and checkDatabaseKey stops any process whose key differs.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { configureKeyring, formatKeyring, generateKey, keyIdOf, parseKeyring } from './sealing.js';

/** The key file of the embedded default: the keyring as in DATA_KEY, current key first. */
export function keyFilePath(dataDir: string): string {
  return resolve(dataDir, 'data.key');
}

/** Reads the key file, or null when there is none yet. */
export async function readKeyFile(dataDir: string): Promise<Buffer[] | null> {
  try {
    return parseKeyring(await readFile(keyFilePath(dataDir), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes the keyring to the key file, readable by the owner only; replaced atomically. */
export async function writeKeyFile(dataDir: string, keys: readonly Buffer[]): Promise<void> {
  await mkdir(resolve(dataDir), { recursive: true });
  const path = keyFilePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${formatKeyring(keys)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/**
 * Configures the process keyring from the configuration: DATA_KEY when set; otherwise the key file
 * in DATA_DIR, generated (with a warning to back it up) when absent. Returns the key ids, current first.
 */
export async function loadKeyring(
  config: Pick<AppConfig, 'dataKeys' | 'databaseUrl' | 'dataDir'>,
  logger?: Logger,
): Promise<string[]> {
  let keys = config.dataKeys ? [...config.dataKeys] : null;
  if (!keys) {
    if (config.databaseUrl) {
      logger?.warn(
        { keyFile: keyFilePath(config.dataDir) },
        'DATA_KEY is not set: the data key is kept in DATA_DIR/data.key on this host. Set DATA_KEY (the same keyring on every process) for a shared database; a process with another key will refuse to start',
      );
    }
    keys = await readKeyFile(config.dataDir);
    if (!keys) {
      keys = [generateKey()];
      await writeKeyFile(config.dataDir, keys);
      logger?.warn(
        { keyFile: keyFilePath(config.dataDir), keyId: keyIdOf(keys[0] as Buffer) },
        'generated a new data key: BACK UP this file now and keep it apart from database backups; without it the stored reports cannot be read',
      );
    }
  }
  configureKeyring(keys);
  return keys.map(keyIdOf);
}
