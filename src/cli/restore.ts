import { BackupInvalidError } from '../backup/format.js';
import { configuredKeyring, NO_KEY_MESSAGE } from '../backup/keys.js';
import { RestoreRefusedError, restoreBackup } from '../backup/restore.js';
import { locateKeyFile } from '../crypto/key-store.js';
import { openDatabase } from '../db/client.js';
import type { CliCommand } from './command.js';

const USAGE = 'restore <file>                  restore a backup into an empty DATA_DIR or database';

/**
 * `restore <file>`: into a fresh DATA_DIR (the embedded default) or the empty database DATABASE_URL
 * names; a target holding any row is refused (exit 2), a damaged backup fails (exit 1) before
 * anything is written. Start the bot afterwards, with the same data key.
 */
export const restoreCommand: CliCommand = {
  usage: USAGE,
  async prepare({ config, args, stderr }) {
    const [file, ...extra] = args;
    if (!file || file.startsWith('--') || extra.length > 0) {
      stderr.write(`usage: ${USAGE}\n`);
      return 2;
    }
    const keyring = await configuredKeyring(config);
    if (!keyring) {
      stderr.write(`restore: ${NO_KEY_MESSAGE}\n`);
      return 2;
    }
    const where = config.databaseUrl ? 'the database DATABASE_URL names' : `DATA_DIR ${config.dataDir}`;
    const database = await openDatabase(
      config.databaseUrl
        ? { url: config.databaseUrl, poolSize: 2 }
        : { dataDir: config.dataDir, holder: { role: 'cli', command: 'restore' } },
    );
    try {
      const contents = await restoreBackup(database, file, keyring, where);
      // Where that key is to be found when the bot starts: the restore read it from there too.
      const keySource = config.dataKeys ? 'DATA_KEY' : `the key file ${locateKeyFile(config).path}`;
      stderr.write(
        `restored ${file} into ${where}: ${contents.tables} tables, ${contents.rows} rows (taken ${contents.createdAt}). Start the bot with the same data key (${contents.keyId}, from ${keySource}).\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof RestoreRefusedError) {
        stderr.write(`restore: refused: ${error.message}\n`);
        return 2;
      }
      if (error instanceof BackupInvalidError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        stderr.write(`restore: ${(error as Error).message}; nothing was restored\n`);
        return 1;
      }
      throw error;
    } finally {
      await database.close();
    }
  },
  async run() {
    // prepare does all of it: a restore must not open (and migrate) the target like other commands.
    return 2;
  },
};
