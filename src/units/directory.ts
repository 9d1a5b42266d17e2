import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { asc, count, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { markDirectoryWritten, readThroughCache } from '../db/read-cache.js';
import { units } from '../db/schema.js';
import type { UnitRef } from '../domain/tip-code.js';
import { resourcePath } from '../paths.js';

/** A unit of the directory, as stored. */
export interface Unit extends UnitRef {
  kind: string;
  auditClass: string | null;
  headName: string | null;
  headTitle: string | null;
}

/** The directory shipped with the bot: Xiangshan county's towns, townships, sub-districts and some departments. */
export const DEFAULT_UNITS_CSV = resourcePath('seed', 'units.xiangshan.csv');

const UNIT_KINDS = ['town', 'township', 'subdistrict', 'department'];

/** A CSV row that could not be read, with its line number and why. */
export interface UnitCsvProblem {
  line: number;
  problem: string;
}

/**
 * Parses a unit CSV with the default directory's columns (code,name_zh,name_en,kind; optional
 * audit_class,head_name,head_title). Returns the units and one problem per bad row.
 */
export function parseUnitsCsv(content: string): { units: Unit[]; problems: UnitCsvProblem[] } {
  const records = parse(content, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
    string,
    string | undefined
  >[];
  const parsed: Unit[] = [];
  const problems: UnitCsvProblem[] = [];
  records.forEach((record, index) => {
    const line = index + 2;
    const code = (record.code ?? '').toUpperCase();
    const nameZh = record.name_zh ?? '';
    const nameEn = record.name_en ?? '';
    const kind = (record.kind ?? '').toLowerCase();
    const auditClass = (record.audit_class ?? '').toUpperCase() || null;
    if (!/^[A-Z][A-Z0-9]{1,9}$/.test(code))
      problems.push({ line, problem: 'code must be 2-10 letters/digits' });
    else if (!nameZh) problems.push({ line, problem: 'name_zh is empty' });
    else if (!nameEn) problems.push({ line, problem: 'name_en is empty' });
    else if (!UNIT_KINDS.includes(kind))
      problems.push({ line, problem: `kind must be one of ${UNIT_KINDS.join(', ')}` });
    else if (auditClass !== null && !['A', 'B', 'C'].includes(auditClass))
      problems.push({ line, problem: 'audit_class must be A, B or C' });
    else
      parsed.push({
        code,
        nameZh,
        nameEn,
        kind,
        auditClass,
        headName: record.head_name || null,
        headTitle: record.head_title || null,
      });
  });
  return { units: parsed, problems };
}

/** Adds or updates units by code. */
export async function upsertUnits(db: Queryable, list: readonly Unit[]): Promise<void> {
  if (list.length === 0) return;
  markDirectoryWritten(db);
  await db
    .insert(units)
    .values(list.map((unit) => ({ ...unit })))
    .onConflictDoUpdate({
      target: units.code,
      set: {
        nameZh: sql`excluded.name_zh`,
        nameEn: sql`excluded.name_en`,
        kind: sql`excluded.kind`,
        auditClass: sql`coalesce(excluded.audit_class, ${units.auditClass})`,
        headName: sql`coalesce(excluded.head_name, ${units.headName})`,
        headTitle: sql`coalesce(excluded.head_title, ${units.headTitle})`,
        updatedAt: sql`now()`,
      },
    });
}

/** Loads the default directory when the unit table is empty (first start). */
export async function seedUnitsIfEmpty(db: Queryable, file = DEFAULT_UNITS_CSV): Promise<number> {
  const [row] = await db.select({ total: count() }).from(units);
  if ((row?.total ?? 0) > 0) return 0;
  const { units: list, problems } = parseUnitsCsv(await readFile(file, 'utf8'));
  if (problems.length > 0)
    throw new Error(`the default unit directory has bad rows: ${JSON.stringify(problems)}`);
  await upsertUnits(db, list);
  return list.length;
}

/** The columns of a unit as the directory hands it out. */
const UNIT_COLUMNS = {
  code: units.code,
  nameZh: units.nameZh,
  nameEn: units.nameEn,
  kind: units.kind,
  auditClass: units.auditClass,
  headName: units.headName,
  headTitle: units.headTitle,
};

/** Every unit, by code. */
export async function loadUnits(db: Queryable): Promise<Unit[]> {
  const list = await readThroughCache(db, 'units', () =>
    db.select(UNIT_COLUMNS).from(units).orderBy(asc(units.code)),
  );
  // Copies: the cached list is shared by every update that reads it.
  return list.map((unit) => ({ ...unit }));
}

/** One unit by its code, or null when the directory has no such unit. */
export async function unitByCode(db: Queryable, code: string): Promise<Unit | null> {
  const [row] = await db.select(UNIT_COLUMNS).from(units).where(eq(units.code, code));
  return row ?? null;
}
