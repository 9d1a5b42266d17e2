import { stringify } from 'csv-stringify/sync';
import { appendAudit } from '../audit.js';
import { exportHeads, HEADS_CSV_COLUMNS, type HeadsRow, importHeads } from '../heads/tenures.js';
import { type CliCommand, readInputFile } from './command.js';

const USAGE = 'usage: heads import <file.csv> | heads export --format <csv|jsonl>\n';

/** A heads-file row with the file's column names, so an export reads back in as an import. */
function fileRow(row: HeadsRow): Record<(typeof HEADS_CSV_COLUMNS)[number], string | null> {
  return {
    unit_code: row.unitCode,
    name: row.name,
    title: row.title,
    from: row.from,
    to: row.to,
    person_key: row.personKey,
  };
}

/** The tenures as a heads CSV (the import's columns, header first). */
export function headsToCsv(rows: readonly HeadsRow[]): string {
  return stringify(
    rows.map((row) => {
      const r = fileRow(row);
      return { ...r, title: r.title ?? '', to: r.to ?? '' };
    }),
    { header: true, columns: [...HEADS_CSV_COLUMNS] },
  );
}

/** The tenures as JSON lines with the same fields (null for no title or in office). */
export function headsToJsonl(rows: readonly HeadsRow[]): string {
  return rows.map((row) => `${JSON.stringify(fileRow(row))}\n`).join('');
}

/**
 * `heads import <file.csv>`: replaces the tenures with the file's (all or nothing; every bad row is
 * reported with its line number and nothing is stored). `heads export --format csv|jsonl`: every tenure
 * with its person, to stdout, in a form the import reads back.
 */
export const headsCommand: CliCommand = {
  usage: 'heads import <file.csv> | heads export --format <csv|jsonl>   heads (一把手) and their tenures',
  async run({ args, database, stdout, stderr }) {
    const [action, ...rest] = args;
    if (action === 'export') {
      const format =
        rest[0] === '--format' ? rest[1] : rest[0]?.startsWith('--format=') ? rest[0].slice(9) : undefined;
      const extra = rest[0] === '--format' ? rest.slice(2) : rest.slice(1);
      if ((format !== 'csv' && format !== 'jsonl') || extra.length > 0) {
        stderr.write(USAGE);
        return 2;
      }
      const rows = await exportHeads(database.db);
      stdout.write(format === 'csv' ? headsToCsv(rows) : headsToJsonl(rows));
      await appendAudit(database.db, {
        actorId: null,
        action: 'heads.exported',
        details: { via: 'cli', format, count: rows.length },
      });
      return 0;
    }
    const [file, ...extra] = rest;
    if (action !== 'import' || !file || extra.length > 0) {
      stderr.write(USAGE);
      return 2;
    }
    const content = await readInputFile(file, stderr);
    if (content === null) return 1;
    let outcome: Awaited<ReturnType<typeof importHeads>>;
    try {
      outcome = await database.db.transaction((tx) => importHeads(tx, content, null));
    } catch (error) {
      if (!(error instanceof Error) || !('code' in error) || !String(error.code).startsWith('CSV_'))
        throw error;
      stderr.write(`${file} is not a readable CSV: ${error.message}\n`);
      return 1;
    }
    if (outcome.kind === 'refused') {
      for (const { line, problem } of outcome.problems) stderr.write(`${file}:${line}: ${problem}\n`);
      // All or nothing: a half-imported history would put points on the wrong person.
      stderr.write(`${outcome.problems.length} bad row(s); nothing was imported\n`);
      return 1;
    }
    stderr.write(`${outcome.tenures} tenure(s) of ${outcome.persons} head(s) imported\n`);
    return 0;
  },
};
