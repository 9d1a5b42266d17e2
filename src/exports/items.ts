import { stringify } from 'csv-stringify/sync';
import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { heads, items, units } from '../db/schema.js';

/**
 * One item as the operator export shows it: numbers, codes, statuses and times.
 * Deliberately has no field for the text or the reporter, so neither can leak into a file.
 */
export interface ExportRow {
  number: number;
  code: string;
  kind: string;
  domain: string;
  unit: string;
  unit_name: string | null;
  /** The head the item is about (the unit's head the day it arrived); null when none was recorded. */
  head: string | null;
  source_kind: string;
  source_agency: string | null;
  signed: boolean;
  status: string;
  priority: string;
  must_investigate: boolean;
  reasons: string[];
  admins_only: boolean;
  created_at: string;
  updated_at: string;
}

/** The columns of the CSV export, in order. */
export const EXPORT_COLUMNS: readonly (keyof ExportRow)[] = [
  'number',
  'code',
  'kind',
  'domain',
  'unit',
  'unit_name',
  'head',
  'source_kind',
  'source_agency',
  'signed',
  'status',
  'priority',
  'must_investigate',
  'reasons',
  'admins_only',
  'created_at',
  'updated_at',
];

/** Every item, by number, without text or reporter identity; times in ISO 8601 UTC. */
export async function loadExportRows(db: Queryable): Promise<ExportRow[]> {
  const rows = await db
    .select({
      id: items.id,
      kind: items.kind,
      domain: items.domain,
      unitCode: items.unitCode,
      unitName: units.nameZh,
      head: heads.name,
      sourceKind: items.sourceKind,
      sourceAgency: items.sourceAgency,
      signed: items.signed,
      status: items.status,
      priority: items.priority,
      mustInvestigate: items.mustInvestigate,
      reasons: items.reasons,
      adminsOnly: items.adminsOnly,
      createdAt: items.createdAt,
      updatedAt: items.updatedAt,
    })
    .from(items)
    .leftJoin(units, eq(units.code, items.unitCode))
    .leftJoin(heads, eq(heads.personKey, items.headPersonKey))
    .orderBy(asc(items.id));
  return rows.map((row) => ({
    number: row.id,
    code: `${row.domain}-${row.unitCode}`,
    kind: row.kind,
    domain: row.domain,
    unit: row.unitCode,
    unit_name: row.unitName,
    head: row.head,
    source_kind: row.sourceKind,
    source_agency: row.sourceAgency,
    signed: row.signed,
    status: row.status,
    priority: row.priority,
    must_investigate: row.mustInvestigate,
    reasons: row.reasons,
    admins_only: row.adminsOnly,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }));
}

/** One JSON object per line, each line ending in a newline ('' for no rows). */
export function toJsonl(rows: readonly ExportRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

/** RFC 4180 CSV with a header row; reasons joined by ';'. */
export function toCsv(rows: readonly ExportRow[]): string {
  return stringify(
    rows.map((row) => ({ ...row, reasons: row.reasons.join(';') })),
    {
      header: true,
      columns: EXPORT_COLUMNS as string[],
      cast: { boolean: (value) => (value ? 'true' : 'false') },
    },
  );
}
