import { appendAudit } from '../audit.js';
import { parseUnitsCsv, upsertUnits } from '../units/directory.js';
import { type CliCommand, readInputFile } from './command.js';

/** `units import <file.csv>`: adds or updates units; any bad row imports nothing and exits 1. */
export const unitsCommand: CliCommand = {
  usage: 'units import <file.csv>         add or update units from a CSV like the default directory',
  async run({ args, database, stderr }) {
    const [action, file, ...extra] = args;
    if (action !== 'import' || !file || extra.length > 0) {
      stderr.write('usage: units import <file.csv>\n');
      return 2;
    }
    const content = await readInputFile(file, stderr);
    if (content === null) return 1;
    let parsed: ReturnType<typeof parseUnitsCsv>;
    try {
      parsed = parseUnitsCsv(content);
    } catch (error) {
      stderr.write(`${file} is not a readable CSV: ${(error as Error).message}\n`);
      return 1;
    }
    if (parsed.problems.length > 0) {
      for (const { line, problem } of parsed.problems) stderr.write(`${file}:${line}: ${problem}\n`);
      // All or nothing: a half-imported directory is harder to reason about than a file to fix.
      stderr.write(`${parsed.problems.length} bad row(s); nothing was imported\n`);
      return 1;
    }
    await database.db.transaction(async (tx) => {
      await upsertUnits(tx, parsed.units);
      await appendAudit(tx, {
        actorId: null,
        action: 'units.imported',
        details: { count: parsed.units.length },
      });
    });
    stderr.write(`${parsed.units.length} unit(s) added or updated\n`);
    return 0;
  },
};
