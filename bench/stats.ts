/** Summary statistics and the result table of a benchmark run: pure, no I/O. */

/** Latency percentiles of one load phase, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The value at percentile `p` (0–100) of ascending `sorted`, by the nearest-rank method; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median of `values` (any order); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** p50/p95/p99/max of `samples` (any order). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  };
}

/** How a figure is compared with its target. */
export type Goal = { atMost: number } | { atLeast: number } | { equals: number } | null;

/** One row of the result table: a figure, its floor measured in the same run, and the target. */
export interface ResultRow {
  section: string;
  figure: string;
  value: number;
  unit: string;
  /** The floor measured in the same run (or a fixed ceiling such as Telegram's 30 msg/s), if any. */
  floor?: number;
  /** value / floor, when a floor exists; for rates, throughput / floor's throughput. */
  ratio?: number;
  /** What the target applies to: the value or the ratio. */
  targetOn?: 'value' | 'ratio';
  goal?: Goal;
  targetText?: string;
}

/** Whether a row meets its goal: true, false, or undefined when it has none. */
export function met(row: ResultRow): boolean | undefined {
  if (!row.goal) return undefined;
  const subject = row.targetOn === 'ratio' ? row.ratio : row.value;
  if (subject === undefined || Number.isNaN(subject)) return false;
  if ('atMost' in row.goal) return subject <= row.goal.atMost;
  if ('atLeast' in row.goal) return subject >= row.goal.atLeast;
  return subject === row.goal.equals;
}

/** A number at a sensible precision for the table. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined) return '';
  if (Number.isNaN(value)) return 'n/a';
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function cells(row: ResultRow): string[] {
  const ok = met(row);
  return [
    row.section,
    row.figure,
    `${formatNumber(row.value)} ${row.unit}`.trim(),
    row.floor === undefined ? '' : `${formatNumber(row.floor)} ${row.unit}`.trim(),
    row.ratio === undefined ? '' : row.ratio.toFixed(2),
    row.targetText ?? '',
    ok === undefined ? '' : ok ? 'yes' : 'NO',
  ];
}

const HEADERS = ['#', 'figure', 'value', 'floor', 'ratio', 'target', 'met?'];

/** The table as GitHub Markdown. */
export function markdownTable(rows: readonly ResultRow[]): string {
  const lines = [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${cells(row).join(' | ')} |`);
  return lines.join('\n');
}

/** The table as aligned plain text for the terminal. */
export function textTable(rows: readonly ResultRow[]): string {
  const all = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...all.map((line) => (line[column] ?? '').length)));
  return all
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
