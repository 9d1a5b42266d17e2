import { purgeExpiredItems } from '../items/retention.js';
import type { CliCommand } from './command.js';

/** `retention --dry-run|--run`: how many items the retention rule purges now, or purge them (audited). */
export const retentionCommand: CliCommand = {
  usage: 'retention --dry-run|--run          count, or purge, items past RETENTION_YEARS (content only)',
  async run({ config, database, args, stdout, stderr }) {
    const dryRun = args.includes('--dry-run');
    if (dryRun === args.includes('--run')) {
      stderr.write('retention: give exactly one of --dry-run or --run\n');
      return 2;
    }
    const result = await purgeExpiredItems(database.db, {
      now: new Date(),
      years: config.retentionYears,
      dryRun,
    });
    const cutoff = result.cutoff.toISOString();
    // The dry run's count is what was asked for (data); a purge's result is a message.
    if (dryRun) {
      stdout.write(
        `${result.items} items ended before ${cutoff} (RETENTION_YEARS=${config.retentionYears}) would be purged\n`,
      );
    } else {
      stderr.write(
        `purged ${result.items} items ended before ${cutoff} (RETENTION_YEARS=${config.retentionYears}); counts are kept\n`,
      );
    }
    return 0;
  },
};
