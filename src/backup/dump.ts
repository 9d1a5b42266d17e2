/**
 * A logical dump that is the same on PGlite and PostgreSQL: every table of the `public` schema and
 * every sequence, read in one REPEATABLE READ, read-only transaction (one snapshot: a tip stored
 * while the dump runs is either wholly in it or not at all), table by table through a cursor so a
 * large table is never held in memory. Tables are found at run time, not listed here, so a backup
 * keeps working as the schema changes; the migrations applied are recorded so a restore rebuilds
 * exactly that schema first.
 *
 * The dump's lines (before compression and encryption, src/backup/format.ts), each a tag and JSON:
 *   M {"format":1,"database":"pglite","migrations":[{"hash","when"}…],"tables":[…]}
 *   T {"table":"items","columns":[…]}     then one  R <row as PostgreSQL's to_jsonb(row)::text>  per row,
 *   E {"table":"items","rows":n}
 *   S {"sequence":"items_id_seq","lastValue":"12","isCalled":true}
 *   Z {"tables":n,"rows":n,"sequences":n}  last: a dump without it is incomplete.
 * Rows are PostgreSQL's own JSON text, never parsed here, so bigints and numerics keep every digit.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { type Database, type Queryable, queryRows } from '../db/client.js';
import { appliedMigrations } from '../db/migrate.js';

/** What a dump held. */
export interface DumpSummary {
  tables: number;
  rows: number;
  sequences: number;
}

const FETCH_ROWS = 2000;

/** A quoted identifier of the public schema (names come from the catalogue, not from input). */
export function qualified(name: string): string {
  return `"public"."${name.replaceAll('"', '""')}"`;
}

/** The tables of the public schema, parents before the tables whose foreign keys point at them. */
export async function publicTables(db: Queryable): Promise<string[]> {
  const tables = (
    await queryRows<{ name: string }>(
      db,
      sql`select table_name as name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    )
  ).map((row) => row.name);
  const edges = await queryRows<{ child: string; parent: string }>(
    db,
    sql`select child.relname as child, parent.relname as parent
        from pg_constraint c
        join pg_class child on child.oid = c.conrelid
        join pg_class parent on parent.oid = c.confrelid
        join pg_namespace n on n.oid = child.relnamespace
        where c.contype = 'f' and n.nspname = 'public' and child.relname <> parent.relname`,
  );
  // Depth-first topological order; a cycle (none today) falls back to name order for its members.
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string) => {
    if (state.has(table)) return;
    state.set(table, 'visiting');
    for (const edge of edges) if (edge.child === table) visit(edge.parent);
    state.set(table, 'done');
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered.filter((table) => tables.includes(table));
}

/** The columns of a table that can be written (not generated), in table order. */
export async function writableColumns(db: Queryable, table: string): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select column_name as name from information_schema.columns
        where table_schema = 'public' and table_name = ${table} and is_generated = 'NEVER'
        order by ordinal_position`,
  );
  return rows.map((row) => row.name);
}

/** The sequences of the public schema. */
export async function publicSequences(db: Queryable): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select sequence_name as name from information_schema.sequences
        where sequence_schema = 'public' order by sequence_name`,
  );
  return rows.map((row) => row.name);
}

/**
 * Streams the dump of `database` as lines, from one snapshot. The transaction stays open while the
 * consumer reads (on PGlite the bot's other work waits for it: seconds for a county's database).
 */
export function dumpDatabase(database: Database): {
  lines: AsyncIterable<string>;
  summary: Promise<DumpSummary>;
} {
  const out = new PassThrough({ objectMode: true, highWaterMark: 64 });
  /** Writes lines, waiting while the consumer is behind (and failing once it has gone away). */
  const push = async (...lines: string[]) => {
    if (out.destroyed) throw new Error('the backup was abandoned');
    if (out.write(`${lines.join('\n')}\n`)) return;
    const waiting = new AbortController();
    try {
      await Promise.race([
        once(out, 'drain', { signal: waiting.signal }),
        once(out, 'close', { signal: waiting.signal }).then(() => {
          throw new Error('the backup was abandoned');
        }),
      ]);
    } finally {
      waiting.abort();
    }
  };
  const summary = database.db.transaction(
    async (tx) => {
      const tables = await publicTables(tx);
      const sequences = await publicSequences(tx);
      const migrations = await appliedMigrations(tx);
      await push(`M ${JSON.stringify({ format: 1, database: database.kind, migrations, tables })}`);
      let total = 0;
      for (const table of tables) {
        const columns = await writableColumns(tx, table);
        await push(`T ${JSON.stringify({ table, columns })}`);
        await tx.execute(
          sql.raw(
            `declare liaison_backup no scroll cursor for select to_jsonb(t)::text as r from ${qualified(table)} t`,
          ),
        );
        let rows = 0;
        for (;;) {
          const batch = await queryRows<{ r: string }>(
            tx,
            sql.raw(`fetch forward ${FETCH_ROWS} from liaison_backup`),
          );
          // One write per fetch: a line at a time would cost a wait per row.
          if (batch.length > 0) await push(...batch.map((row) => `R ${row.r}`));
          rows += batch.length;
          if (batch.length < FETCH_ROWS) break;
        }
        await tx.execute(sql.raw('close liaison_backup'));
        await push(`E ${JSON.stringify({ table, rows })}`);
        total += rows;
      }
      for (const sequence of sequences) {
        const [state] = await queryRows<{ last_value: string | number; is_called: boolean }>(
          tx,
          sql.raw(`select last_value, is_called from ${qualified(sequence)}`),
        );
        await push(
          `S ${JSON.stringify({ sequence, lastValue: String(state?.last_value ?? 1), isCalled: Boolean(state?.is_called) })}`,
        );
      }
      const done: DumpSummary = { tables: tables.length, rows: total, sequences: sequences.length };
      await push(`Z ${JSON.stringify(done)}`);
      return done;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  summary.then(
    () => out.end(),
    (error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return { lines: out, summary };
}
