// The attacker with a database dump and no key: every way we know to join an item to the person who
// reported it, tried mechanically over what such a reader sees — clear values, timestamps and the order
// of serial keys. The test labels rows with the ground truth (which reporter a row stands for, which
// items a row names); the linker itself only compares clear columns, as the attacker would.
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../src/db/client.js';

/** A column as information_schema describes it. */
export interface DumpColumn {
  name: string;
  type: string;
}

/** One table of a dump: its columns and every row, as JSON values. */
export interface DumpTable {
  schema: string;
  name: string;
  columns: DumpColumn[];
  rows: Array<Record<string, unknown>>;
}

/** Reads every row of every table in the public schema, as a dump reader sees it. */
export async function dumpDatabase(db: Queryable): Promise<DumpTable[]> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const dump: DumpTable[] = [];
  for (const { name } of tables) {
    const columns = await queryRows<{ name: string; type: string }>(
      db,
      sql`select column_name as name, data_type as type from information_schema.columns
          where table_schema = 'public' and table_name = ${name} order by ordinal_position`,
    );
    const rows = await queryRows<{ row: unknown }>(
      db,
      sql`select to_jsonb(t) as row from ${sql.identifier(name)} t`,
    );
    dump.push({
      schema: 'public',
      name,
      columns,
      rows: rows.map(
        (r) => (typeof r.row === 'string' ? JSON.parse(r.row) : r.row) as Record<string, unknown>,
      ),
    });
  }
  return dump;
}

/** The ground truth, told to the checks (never to the comparisons themselves). */
export interface Labels {
  /** The item numbers a row names (items.id, an item_id column, …); empty for none. */
  itemsNamed(table: DumpTable, row: Record<string, unknown>): number[];
  /** The reporter (Telegram id) a row stands for — their person row, a message to them, … — or null. */
  reporterOf(table: DumpTable, row: Record<string, unknown>): number | null;
  /** Who reported each item (null: no reporter, e.g. a logged phone call). */
  reporterOfItem(item: number): number | null | undefined;
}

/** A join the linker found: the item it ties to a reporter (or to another item of the same reporter). */
export interface Link {
  item: number;
  /** The reporter's Telegram id, or `item:<n>` when two items are tied to one reporter. */
  to: string;
  how: string;
  /** Whether the join points at the true reporter (a wrong guess teaches an attacker nothing). */
  correct: boolean;
}

interface Located {
  table: DumpTable;
  row: Record<string, unknown>;
  items: number[];
  reporter: number | null;
}

const TIMESTAMP = /timestamp/;
const NEAR_MS = 1000;
// Tables whose reporter rows are written when the person joins, not with their items: their serial
// order is the order of enrolment, which says nothing about items.
const ENROLMENT_TABLES = new Set(['people', 'invites']);
// Columns that hold a person's row number (people.id) wherever they appear: small numbers, so the
// general comparison of values leaves them out; they are compared with the reporters' own row numbers.
const PERSON_COLUMNS = new Set([
  'actor_id',
  'author_id',
  'assignee_id',
  'created_by',
  'person_id',
  'reporter_id',
]);

function isTimestamp(column: DumpColumn): boolean {
  return TIMESTAMP.test(column.type);
}

function millis(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** A clear value worth comparing: long strings and large numbers, not flags, enums or counters. */
function comparable(column: DumpColumn, value: unknown): string | null {
  if (value === null || value === undefined || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    // Small numbers (counts, attempts, item numbers) are everywhere; an item number in a column that
    // refers to items is caught by itemsNamed, and a Telegram id is large.
    return Math.abs(value) >= 1000 ? `n:${value}` : null;
  }
  if (typeof value === 'string') return value.length >= 4 ? `s:${value}` : null;
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length >= 8 && !column.name.endsWith('_at') ? `j:${text}` : null;
  }
  return null;
}

function describe(entry: Located, column?: string): string {
  return column ? `${entry.table.name}.${column}` : entry.table.name;
}

/**
 * Tries every join the threat model names and returns the links found: a row that both names an item
 * and stands for a reporter; timestamps equal within ±1 s between an item's rows and a reporter's rows;
 * a clear value shared with the rows of exactly one reporter; neighbours in one table's serial order;
 * the same rank in two tables' serial orders; and a clear column that groups items by reporter.
 */
export function findLinks(dump: readonly DumpTable[], labels: Labels): Link[] {
  const located: Located[] = [];
  for (const table of dump) {
    for (const row of table.rows) {
      located.push({
        table,
        row,
        items: labels.itemsNamed(table, row),
        reporter: labels.reporterOf(table, row),
      });
    }
  }
  const links: Link[] = [];
  const seen = new Set<string>();
  const add = (item: number, to: string, how: string) => {
    const key = `${item}|${to}|${how}`;
    if (seen.has(key)) return;
    seen.add(key);
    const truth = labels.reporterOfItem(item);
    const correct = to.startsWith('item:')
      ? truth !== null && truth !== undefined && labels.reporterOfItem(Number(to.slice(5))) === truth
      : truth !== null && truth !== undefined && String(truth) === to;
    links.push({ item, to, how, correct });
  };
  const naming = located.filter((entry) => entry.items.length > 0);
  const standing = located.filter((entry) => entry.reporter !== null);
  const reporterCount = new Set(standing.map((entry) => entry.reporter)).size;

  // 0. One row that does both.
  for (const entry of naming) {
    if (entry.reporter !== null) {
      for (const item of entry.items) add(item, String(entry.reporter), `one row of ${describe(entry)}`);
    }
  }

  // 1. Timestamps within a second of each other.
  const stamps: Array<{ ms: number; reporter: number; where: string }> = [];
  for (const entry of standing) {
    for (const column of entry.table.columns.filter(isTimestamp)) {
      const ms = millis(entry.row[column.name]);
      if (ms !== null)
        stamps.push({ ms, reporter: entry.reporter as number, where: describe(entry, column.name) });
    }
  }
  stamps.sort((a, b) => a.ms - b.ms);
  for (const entry of naming) {
    for (const column of entry.table.columns.filter(isTimestamp)) {
      const ms = millis(entry.row[column.name]);
      if (ms === null) continue;
      for (const stamp of nearby(stamps, ms)) {
        for (const item of entry.items) {
          add(item, String(stamp.reporter), `${describe(entry, column.name)} ≈ ${stamp.where} (±1 s)`);
        }
      }
    }
  }

  // 2. A clear value shared with the rows of exactly one reporter.
  if (reporterCount >= 2) {
    const owners = new Map<string, { reporters: Set<number>; where: string }>();
    for (const entry of standing) {
      for (const column of entry.table.columns) {
        if (isTimestamp(column)) continue;
        const value = comparable(column, entry.row[column.name]);
        if (value === null) continue;
        const owner = owners.get(value) ?? {
          reporters: new Set<number>(),
          where: describe(entry, column.name),
        };
        owner.reporters.add(entry.reporter as number);
        owners.set(value, owner);
      }
    }
    for (const entry of naming) {
      for (const column of entry.table.columns) {
        if (isTimestamp(column)) continue;
        const value = comparable(column, entry.row[column.name]);
        const owner = value === null ? undefined : owners.get(value);
        if (!owner || owner.reporters.size !== 1) continue;
        const [reporter] = owner.reporters;
        for (const item of entry.items) {
          add(item, String(reporter), `${describe(entry, column.name)} = ${owner.where}`);
        }
      }
    }
  }

  // 2b. A reporter's own row number (people.id) in a column that refers to a person.
  const personRows = new Map<number, number>();
  for (const entry of standing) {
    const id = entry.table.name === 'people' ? entry.row.id : undefined;
    if (typeof id === 'number') personRows.set(id, entry.reporter as number);
  }
  for (const entry of naming) {
    for (const column of entry.table.columns) {
      if (!PERSON_COLUMNS.has(column.name)) continue;
      const value = entry.row[column.name];
      const reporter = typeof value === 'number' ? personRows.get(value) : undefined;
      if (reporter === undefined) continue;
      for (const item of entry.items)
        add(item, String(reporter), `${describe(entry, column.name)} = people.id`);
    }
  }

  // 3. Neighbours in one table's serial order, and 4. the same rank in two tables' serial orders.
  for (const table of dump) {
    const key = serialKey(table);
    if (!key) continue;
    const ordered = located
      .filter((entry) => entry.table === table)
      .sort((a, b) => Number(a.row[key]) - Number(b.row[key]));
    for (let index = 1; index < ordered.length; index += 1) {
      const [a, b] = [ordered[index - 1] as Located, ordered[index] as Located];
      for (const [named, stands] of [
        [a, b],
        [b, a],
      ] as const) {
        if (named.items.length > 0 && stands.reporter !== null) {
          for (const item of named.items) {
            add(item, String(stands.reporter), `neighbours in ${table.name}.${key} order`);
          }
        }
      }
    }
    if (ENROLMENT_TABLES.has(table.name) || table.name === 'items') continue;
    const reporterRows = ordered.filter((entry) => entry.reporter !== null && entry.items.length === 0);
    if (reporterRows.length === 0) continue;
    const itemsInOrder = [
      ...new Set(naming.filter((e) => e.table.name === 'items').flatMap((e) => e.items)),
    ].sort((x, y) => x - y);
    // Rows written in the same transactions as items follow the items' order: the k-th from the end
    // of one goes with the k-th from the end of the other.
    for (let back = 1; back <= Math.min(reporterRows.length, itemsInOrder.length); back += 1) {
      const row = reporterRows[reporterRows.length - back] as Located;
      const item = itemsInOrder[itemsInOrder.length - back] as number;
      add(item, String(row.reporter), `rank ${back} from the end of ${table.name}.${key} and items.id`);
    }
  }

  // 5. A clear column of an item's rows that groups items by reporter: a stable pseudonym.
  for (const table of dump) {
    for (const column of table.columns) {
      if (isTimestamp(column)) continue;
      const byValue = new Map<string, Set<number>>();
      for (const entry of naming.filter((e) => e.table === table)) {
        const raw = entry.row[column.name];
        if (raw === null || raw === undefined || typeof raw === 'boolean') continue;
        const value = JSON.stringify(raw);
        const items = byValue.get(value) ?? new Set<number>();
        for (const item of entry.items) items.add(item);
        byValue.set(value, items);
      }
      const groups = [...byValue.values()].filter((items) => items.size >= 2);
      const singleReporter = groups.filter((items) => {
        const reporters = new Set([...items].map((item) => labels.reporterOfItem(item)));
        return reporters.size === 1 && !reporters.has(null) && !reporters.has(undefined);
      });
      if (singleReporter.length < 2 || singleReporter.length !== groups.length) continue;
      for (const items of singleReporter) {
        const [first, ...rest] = [...items].sort((x, y) => x - y);
        for (const other of rest) add(first as number, `item:${other}`, `same ${table.name}.${column.name}`);
      }
    }
  }
  return links;
}

function serialKey(table: DumpTable): string | null {
  const id = table.columns.find((column) => column.name === 'id');
  return id && /integer|bigint/.test(id.type) ? 'id' : null;
}

function nearby<T extends { ms: number }>(sorted: readonly T[], ms: number): T[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] as T).ms < ms - NEAR_MS) low = middle + 1;
    else high = middle;
  }
  const found: T[] = [];
  for (let index = low; index < sorted.length && (sorted[index] as T).ms <= ms + NEAR_MS; index += 1) {
    found.push(sorted[index] as T);
  }
  return found;
}
