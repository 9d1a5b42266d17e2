import { parkedUpdates, retryParkedUpdate } from '../telegram/inbox.js';
import type { CliCommand } from './command.js';

const USAGE = 'inbox failed | inbox retry <update id>   list updates parked after repeated errors; retry one';

/**
 * `inbox failed` lists updates parked as failed (id, tries, error kind, when received — never their
 * content); `inbox retry <id>` puts one back in line, after the cause was fixed.
 */
export const inboxCommand: CliCommand = {
  usage: USAGE,
  throughBot: true,
  async run({ database, args, stdout, stderr }) {
    const [action, id] = args;
    if (action === 'failed' && id === undefined) {
      const rows = await parkedUpdates(database.db);
      if (rows.length === 0) stderr.write('no failed updates\n');
      for (const row of rows) {
        stdout.write(
          `${row.updateId}\t${row.attempts} tries\t${row.receivedAt.toISOString()}\t${row.lastError ?? ''}\n`,
        );
      }
      return 0;
    }
    if (action === 'retry' && id !== undefined && /^\d{1,15}$/.test(id)) {
      if (!(await retryParkedUpdate(database.db, Number(id)))) {
        stderr.write(`inbox: update ${id} is not a failed update\n`);
        return 1;
      }
      stderr.write(`update ${id} will be handled again by the running bot\n`);
      return 0;
    }
    stderr.write(`usage: ${USAGE}\n`);
    return 2;
  },
};
