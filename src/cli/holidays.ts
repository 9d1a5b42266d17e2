import { appendAudit } from '../audit.js';
import { parseCalendarCsv } from '../domain/calendar.js';
import { importCalendar } from '../holidays.js';
import { type CliCommand, readInputFile } from './command.js';

/**
 * `holidays import <file.csv>`: the State Council's schedule for a year (`date,kind,name`, kind holiday or
 * workday, or 放假/上班); each year in the file replaces that year whole. Any bad row imports nothing.
 */
export const holidaysCommand: CliCommand = {
  usage: 'holidays import <file.csv>      public holidays and make-up working days (date,kind,name)',
  async run({ args, database, stderr }) {
    const [action, file, ...extra] = args;
    if (action !== 'import' || !file || extra.length > 0) {
      stderr.write('usage: holidays import <file.csv>\n');
      return 2;
    }
    const content = await readInputFile(file, stderr);
    if (content === null) return 1;
    const parsed = parseCalendarCsv(content);
    if (!parsed.ok) {
      for (const { line, problem } of parsed.problems) stderr.write(`${file}:${line}: ${problem}\n`);
      stderr.write(`${parsed.problems.length} bad row(s); nothing was imported\n`);
      return 1;
    }
    const result = await database.db.transaction(async (tx) => {
      const stored = await importCalendar(tx, parsed.entries);
      await appendAudit(tx, {
        actorId: null,
        action: 'holidays.imported',
        details: { years: stored.years, count: parsed.entries.length },
      });
      return stored;
    });
    stderr.write(
      `${parsed.entries.length} day(s) imported for ${result.years.join(', ')}; ${result.total} day(s) stored in all\n`,
    );
    return 0;
  },
};
