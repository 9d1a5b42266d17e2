import { appendAudit } from '../audit.js';
import { loadExportRows, toCsv, toJsonl } from '../exports/items.js';
import { buildQueueWorkbook } from '../exports/xlsx.js';
import type { CliCommand } from './command.js';

const SERIALISERS = { jsonl: toJsonl, csv: toCsv } as const;
type Format = keyof typeof SERIALISERS;

function isFormat(value: string | undefined): value is Format {
  return value !== undefined && Object.hasOwn(SERIALISERS, value);
}

const FORMATS = [...Object.keys(SERIALISERS), 'xlsx'];

/** Reads `--name value` or `--name=value` from the arguments. */
function option(args: readonly string[], name: string): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === `--${name}`) return args[index + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/**
 * `export --format jsonl|csv|xlsx [--out <file>]`: every item without text or reporter, to stdout or
 * a file; xlsx (a binary workbook) needs --out.
 */
export const exportCommand: CliCommand = {
  usage: 'export --format <jsonl|csv|xlsx> [--out <file>]   every item, no text, no reporter identity',
  throughBot: true,
  async run({ config, database, args, stdout, stderr, writeOutput }) {
    const format = option(args, 'format');
    if (!isFormat(format) && format !== 'xlsx') {
      stderr.write(`export: --format must be one of ${FORMATS.join(', ')}\n`);
      return 2;
    }
    const out = option(args, 'out');
    if (format === 'xlsx' && !out) {
      stderr.write('export: --format xlsx writes a binary workbook and needs --out <file>\n');
      return 2;
    }
    const rows = await loadExportRows(database.db);
    if (format === 'xlsx') await writeOutput(out as string, await buildQueueWorkbook(rows, config.timeZone));
    else if (out) await writeOutput(out, SERIALISERS[format](rows));
    else stdout.write(SERIALISERS[format](rows));
    await appendAudit(database.db, {
      actorId: null,
      action: 'items.exported',
      details: { via: 'cli', format, count: rows.length, toFile: out !== undefined },
    });
    return 0;
  },
};
