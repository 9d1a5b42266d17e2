import { and, asc, eq } from 'drizzle-orm';
import { inboxUpdates } from '../db/schema.js';
import type { CliCommand } from './run.js';

const USAGE = 'inbox failed | inbox retry <update id>   list updates parked after repeated errors; retry one';

/**
 * `inbox failed` lists updates parked as failed (id, tries, error kind, when received — never their
 * content); `inbox retry <id>` puts one back in line, after the cause was fixed.
 */
export const inboxCommand: CliCommand = {
  usage: USAGE,
  async run({ database, args, stdout }) {
    const [action, id] = args;
    if (action === 'failed' && id === undefined) {
      const rows = await database.db
        .select({
          updateId: inboxUpdates.updateId,
          attempts: inboxUpdates.attempts,
          lastError: inboxUpdates.lastError,
          receivedAt: inboxUpdates.receivedAt,
        })
        .from(inboxUpdates)
        .where(eq(inboxUpdates.status, 'failed'))
        .orderBy(asc(inboxUpdates.updateId));
      if (rows.length === 0) stdout.write('no failed updates\n');
      for (const row of rows) {
        stdout.write(
          `${row.updateId}\t${row.attempts} tries\t${row.receivedAt.toISOString()}\t${row.lastError ?? ''}\n`,
        );
      }
      return 0;
    }
    if (action === 'retry' && id !== undefined && /^\d{1,15}$/.test(id)) {
      const retried = await database.db
        .update(inboxUpdates)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date() })
        .where(and(eq(inboxUpdates.updateId, Number(id)), eq(inboxUpdates.status, 'failed')))
        .returning({ updateId: inboxUpdates.updateId });
      if (retried.length === 0) {
        process.stderr.write(`inbox: update ${id} is not a failed update\n`);
        return 1;
      }
      stdout.write(`update ${id} will be handled again by the running bot\n`);
      return 0;
    }
    process.stderr.write(`usage: ${USAGE}\n`);
    return 2;
  },
};
