import { dumpDatabase } from '../backup/dump.js';
import { BackupInvalidError, encryptBackup } from '../backup/format.js';
import { configuredKeyring, NO_KEY_MESSAGE } from '../backup/keys.js';
import { verifyBackup } from '../backup/restore.js';
import { currentKeyId, keyIdOf } from '../crypto/sealing.js';
import type { CliCommand } from './command.js';

const USAGE =
  'backup --out <file> | backup --check <file>   write a consistent encrypted snapshot; verify one';

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/**
 * `backup --out <file>` writes an encrypted snapshot of the whole database, taken in one transaction
 * while the bot runs (through the bot on the embedded database); `backup --check <file>` reads one
 * whole and says whether it is intact and what it holds. Neither ever writes the data key.
 */
export const backupCommand: CliCommand = {
  usage: USAGE,
  throughBot: true,
  async prepare({ config, args, stdout, stderr }) {
    const check = option(args, '--check');
    if (check === undefined) {
      if (!option(args, '--out')) {
        stderr.write(`usage: ${USAGE}\n`);
        return 2;
      }
      return undefined;
    }
    const keyring = await configuredKeyring(config);
    if (!keyring) {
      stderr.write(`backup --check: ${NO_KEY_MESSAGE}\n`);
      return 2;
    }
    try {
      const contents = await verifyBackup(check, keyring);
      stdout.write(
        `${check}: intact; taken ${contents.createdAt} on ${contents.database}, ${contents.tables} tables, ${contents.rows} rows, ${contents.sequences} sequences, ${contents.migrations} migrations, encrypted under data key ${contents.keyId}\n`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof BackupInvalidError) && (error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw error;
      stderr.write(`backup --check: ${(error as Error).message}\n`);
      return 1;
    }
  },
  async run({ config, database, args, stderr, writeOutput }) {
    const out = option(args, '--out') as string;
    const keyring = await configuredKeyring(config);
    const current = keyring?.[0];
    // The process seals under its current key; the backup is encrypted under the same one.
    if (!current || keyIdOf(current) !== currentKeyId()) {
      stderr.write(`backup: ${NO_KEY_MESSAGE}\n`);
      return 2;
    }
    const dump = dumpDatabase(database);
    await writeOutput(out, encryptBackup(dump.lines, current));
    const summary = await dump.summary;
    stderr.write(
      `backup written to ${out}: ${summary.tables} tables, ${summary.rows} rows, encrypted under data key ${keyIdOf(current)}. Keep that key apart from the backup: without it the backup cannot be read. Check it with: npm run cli -- backup --check ${out}\n`,
    );
    return 0;
  },
};
