/**
 * Where the data keyring comes from: DATA_KEY, or a key file generated on first start. The key file
 * lives apart from the data — by default in a sibling folder `<DATA_DIR>-key/`, or where DATA_KEY_FILE
 * says — so a copy of DATA_DIR (a disk image, a careless backup, a stolen volume) is not a copy of the
 * key that opens it. The key never goes into the database. With DATABASE_URL, DATA_KEY is what a
 * deployment should set (every replica the same); without it the bot still starts — as INTERFACE.md's
 * first-run form promises — warning at every start, and checkDatabaseKey stops any process whose key
 * differs.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type AppConfig, ConfigError } from '../config.js';
import type { Logger } from '../logger.js';
import { configureKeyring, formatKeyring, generateKey, keyIdOf, parseKeyring } from './sealing.js';

/**
 * The key file's default place: `data.key` in the folder beside DATA_DIR named `<DATA_DIR>-key`
 * (`./data` → `./data-key/data.key`). Resolved first, so `./data/` cannot turn it into `./data/-key`.
 */
export function defaultKeyFilePath(dataDir: string): string {
  return resolve(`${resolve(dataDir)}-key`, 'data.key');
}

/** Where releases before DATA_KEY_FILE kept the key: inside DATA_DIR, next to the data it opens. */
export function legacyKeyFilePath(dataDir: string): string {
  return resolve(dataDir, 'data.key');
}

/** The key file to use, and whether it is the old one inside DATA_DIR. */
export interface KeyFileLocation {
  path: string;
  /** True for DATA_DIR/data.key, kept working for existing installations (with a warning at start). */
  legacy: boolean;
}

/**
 * The key file of this configuration: DATA_KEY_FILE when set; otherwise the default beside DATA_DIR,
 * unless only an existing installation's DATA_DIR/data.key is there — that one goes on being used (a
 * new key generated at the new place would not open the existing data).
 */
export function locateKeyFile(config: Pick<AppConfig, 'dataDir' | 'dataKeyFile'>): KeyFileLocation {
  if (config.dataKeyFile) return { path: resolve(config.dataKeyFile), legacy: false };
  const path = defaultKeyFilePath(config.dataDir);
  const legacy = legacyKeyFilePath(config.dataDir);
  if (!existsSync(path) && existsSync(legacy)) return { path: legacy, legacy: true };
  return { path, legacy: false };
}

/**
 * Refuses a key file that other users may read or change: whoever reads it reads every report, and
 * whoever can replace it can make the bot seal new reports under a key of their choosing.
 */
async function checkKeyFileMode(path: string): Promise<void> {
  // Windows has no such mode bits (Node reports 0666 for every file): nothing to check there.
  if (process.platform === 'win32') return;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError([
      `DATA_KEY_FILE: the key file ${path} can be read or changed by other users (mode 0${mode.toString(8)}); make it the owner's only: chmod 600 ${path}`,
    ]);
  }
}

/**
 * Reads the keyring in the key file at `path`, or null when there is none yet. Throws ConfigError when
 * the file is readable or writable by group or others.
 */
export async function readKeyFile(path: string): Promise<Buffer[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  await checkKeyFileMode(path);
  return parseKeyring(text);
}

/**
 * Writes the keyring to the key file at `path`, readable by the owner only (its folder created 0700
 * when missing); replaced atomically, so an interrupted write never leaves half a keyring.
 */
export async function writeKeyFile(path: string, keys: readonly Buffer[]): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A read-only or foreign parent (a systemd sandbox, a container's root): say what to do, not a stack.
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ConfigError([
        `DATA_KEY_FILE: cannot create the key folder ${dirname(path)} (${code}); create it for the bot's user with mode 0700, or set DATA_KEY_FILE to a writable place outside DATA_DIR (or set DATA_KEY)`,
      ]);
    }
    throw error;
  }
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${formatKeyring(keys)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/**
 * Configures the process keyring from the configuration: DATA_KEY when set; otherwise the key file
 * (locateKeyFile), generated (with a warning to back it up) when absent. Returns the key ids, current
 * first. Throws ConfigError for a key file others may read or write.
 */
export async function loadKeyring(
  config: Pick<AppConfig, 'dataKeys' | 'databaseUrl' | 'dataDir' | 'dataKeyFile'>,
  logger?: Logger,
): Promise<string[]> {
  let keys = config.dataKeys ? [...config.dataKeys] : null;
  if (!keys) {
    const keyFile = locateKeyFile(config);
    if (config.databaseUrl) {
      logger?.warn(
        { keyFile: keyFile.path },
        'DATA_KEY is not set: the data key is kept in a key file on this host. Set DATA_KEY (the same keyring on every process) for a shared database; a process with another key will refuse to start',
      );
    }
    keys = await readKeyFile(keyFile.path);
    if (keys && keyFile.legacy) {
      // Said at every start, not once: the key stays next to the data until someone moves it.
      const target = defaultKeyFilePath(config.dataDir);
      logger?.warn(
        { keyFile: keyFile.path },
        `the data key is kept inside DATA_DIR, beside the data it opens: with the bot stopped, move it out (mkdir -m 700 ${dirname(target)} && mv ${keyFile.path} ${target}) or set DATA_KEY_FILE to where you moved it`,
      );
    }
    if (!keys) {
      keys = [generateKey()];
      await writeKeyFile(keyFile.path, keys);
      logger?.warn(
        { keyFile: keyFile.path, keyId: keyIdOf(keys[0] as Buffer) },
        'generated a new data key: BACK UP this file now and keep it apart from database backups; without it the stored reports cannot be read',
      );
    }
  }
  configureKeyring(keys);
  return keys.map(keyIdOf);
}
