import { writeFile } from 'node:fs/promises';
import { appendAudit } from '../audit.js';
import { loadExportRows, toCsv, toJsonl } from '../exports/items.js';
import type { CliCommand } from './run.js';

const SERIALISERS = { jsonl: toJsonl, csv: toCsv } as const;
type Format = keyof typeof SERIALISERS;

function isFormat(value: string | undefined): value is Format {
  return value !== undefined && Object.hasOwn(SERIALISERS, value);
}

/** Reads `--name value` or `--name=value` from the arguments. */
function option(args: readonly string[], name: string): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === `--${name}`) return args[index + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** `export --format jsonl|csv [--out <file>]`: every item without text or reporter, to stdout or a file. */
export const exportCommand: CliCommand = {
  usage: 'export --format <jsonl|csv> [--out <file>]   every item, no text, no reporter identity',
  async run({ database, args, stdout }) {
    const format = option(args, 'format');
    if (!isFormat(format)) {
      process.stderr.write(`export: --format must be one of ${Object.keys(SERIALISERS).join(', ')}\n`);
      return 2;
    }
    const out = option(args, 'out');
    const rows = await loadExportRows(database.db);
    const content = SERIALISERS[format](rows);
    if (out) await writeFile(out, content, 'utf8');
    else stdout.write(content);
    await appendAudit(database.db, {
      actorId: null,
      action: 'items.exported',
      details: { via: 'cli', format, count: rows.length, toFile: out !== undefined },
    });
    return 0;
  },
};
