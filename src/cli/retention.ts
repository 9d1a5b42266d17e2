import { purgeExpiredItems, purgeFormerPeople } from '../items/retention.js';
import { peopleRevokedBefore } from '../people/store.js';
import type { CliCommand } from './command.js';

/** `retention --dry-run|--run`: how many items the retention rule purges now, or purge them (audited). */
export const retentionCommand: CliCommand = {
  usage:
    'retention --dry-run|--run          count, or purge, items past RETENTION_YEARS (content only) and former people',
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
    // The dry run's count is what was asked for (data); a purge's result is a message. Former people
    // (access ended before the same cutoff) go too, as the daily job removes them.
    if (dryRun) {
      const former = (await peopleRevokedBefore(database.db, result.cutoff)).length;
      stdout.write(
        `${result.items} items ended before ${cutoff} (RETENTION_YEARS=${config.retentionYears}) would be purged, and ${former} people whose access ended before then removed\n`,
      );
    } else {
      const people = await purgeFormerPeople(database.db, { now: new Date(), years: config.retentionYears });
      stderr.write(
        `purged ${result.items} items ended before ${cutoff} (RETENTION_YEARS=${config.retentionYears}); counts are kept; removed ${people.people} people whose access ended before then and ${people.invites} invites spent over 30 days ago\n`,
      );
    }
    return 0;
  },
};
