import { openDatabase } from '../db/client.js';
import { pendingMigrations } from '../db/migrate.js';
import type { CliCommand } from './command.js';

/**
 * `migrate` applies the migrations and exits (openConfiguredDatabase applies them before any command
 * runs); `migrate --dry-run` lists, one per line, the migrations the next start would apply, and
 * changes nothing — to see what an upgrade will do before starting it.
 */
export const migrateCommand: CliCommand = {
  usage:
    'migrate [--dry-run]             apply database migrations and exit; --dry-run lists the pending ones',
  async prepare({ config, args, stdout, stderr }) {
    if (!args.includes('--dry-run')) return undefined;
    const database = await openDatabase(
      config.databaseUrl
        ? { url: config.databaseUrl, poolSize: 1 }
        : { dataDir: config.dataDir, holder: { role: 'cli', command: 'migrate --dry-run' } },
    );
    try {
      const pending = await pendingMigrations(database.db);
      for (const migration of pending) stdout.write(`${migration.tag}\n`);
      stderr.write(
        pending.length === 0
          ? 'no pending migrations: the database is up to date\n'
          : `${pending.length} pending migration(s); the next start (or \`migrate\`) applies them\n`,
      );
      return 0;
    } finally {
      await database.close();
    }
  },
  async run({ stderr }) {
    // openConfiguredDatabase has already migrated; saying so is all that is left.
    stderr.write('migrations applied: the database is up to date\n');
    return 0;
  },
};
