import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { ScenarioResult } from './rig.js';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsReport: string;
  }
}

function cell(value: number | string | undefined): string {
  return value === undefined ? '–' : String(value);
}

/** Renders the scenario rows as the table `npm run test:faults` prints at the end. */
export function faultsTable(rows: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'database',
    'updates sent',
    'items stored',
    'lost',
    'duplicated',
    'crashes',
    'dup. receipts',
    'notes',
  ];
  const lines = [...rows]
    .sort((a, b) => a.scenario.localeCompare(b.scenario))
    .map((row) => [
      row.scenario,
      row.database,
      cell(row.sent),
      cell(row.stored),
      cell(row.lost),
      cell(row.duplicated),
      cell(row.crashes),
      cell(row.duplicateReceipts),
      row.notes ?? '',
    ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...lines.map((line) => [...(line[index] ?? '')].length)),
  );
  const format = (line: string[]) =>
    `| ${line.map((value, index) => value.padEnd(widths[index] ?? 0)).join(' | ')} |`;
  return [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join(
    '\n',
  );
}

/** Gives every scenario file one results file, and prints the table from it when the run ends. */
export default function setup(project: TestProject): () => void {
  const file = join(tmpdir(), `liaison-faults-${process.pid}.jsonl`);
  rmSync(file, { force: true });
  project.provide('faultsReport', file);
  return () => {
    const rows: ScenarioResult[] = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as ScenarioResult)
      : [];
    const mode =
      process.env.FAULTS_FULL === '1' ? 'full counts' : 'small counts (--full for the issue counts)';
    process.stdout.write(`\nfault-and-abuse suite, ${mode}:\n${faultsTable(rows)}\n\n`);
    rmSync(file, { force: true });
  };
}
