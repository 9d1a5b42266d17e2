/**
 * The person-number key of a database (src/crypto/person-numbers.ts), kept in settings sealed under
 * the data key, and the one-time conversion of databases that named people by their Telegram id.
 */
import { type SQL, sql } from 'drizzle-orm';
import {
  isPersonNumber,
  newPersonNumberKey,
  personNumberOf,
  usePersonNumberKey,
} from '../crypto/person-numbers.js';
import { columnPlace, currentKeyId, sealAt, unsealAt } from '../crypto/sealing.js';
import { type Db, type Queryable, queryRows } from '../db/client.js';
import { getSetting, putSetting, putSettingIfAbsent } from '../settings.js';

/** The settings row holding the sealed person-number key; its presence also says the database is converted. */
const KEY_SETTING = 'people.number_key';
const KEY_PLACE = columnPlace('settings', KEY_SETTING);

/** Every column naming a person by number (person-id columns in src/db/schema.ts). */
export const PERSON_COLUMNS: ReadonlyArray<{ table: string; column: string }> = [
  { table: 'people', column: 'telegram_id' },
  { table: 'invites', column: 'created_by' },
  { table: 'invites', column: 'used_by' },
  { table: 'audit_log', column: 'actor_id' },
  { table: 'items', column: 'assignee_id' },
  { table: 'item_additions', column: 'author_id' },
  { table: 'obligations', column: 'settled_by' },
];

/** Audit details that named people by Telegram id before person numbers: action → keys of `details`. */
const AUDIT_DETAIL_IDS: Readonly<Record<string, readonly string[]>> = {
  'item.assign': ['from', 'to'],
  'item.reassign': ['from', 'to'],
  'person.revoked': ['userId'],
};

/**
 * Loads the database's person-number key into this process, if it has one (a database the current
 * release has started on); returns whether it did. Processes that only read a database (a test
 * looking at what the bot wrote) call this; the bot and the CLI call numberPeople.
 */
export async function loadPersonNumberKey(db: Queryable): Promise<boolean> {
  const stored = await getSetting<string>(db, KEY_SETTING);
  if (stored === null) return false;
  usePersonNumberKey(Buffer.from(unsealAt(KEY_PLACE, stored), 'base64'));
  return true;
}

/**
 * At start: loads the database's person-number key, or, on a database that has none yet, makes it
 * and converts every Telegram id stored in clear (a database from before issue 14's person numbers)
 * into person numbers, all in one transaction. Returns how many values it converted.
 */
export async function numberPeople(db: Db): Promise<number> {
  if (await loadPersonNumberKey(db)) return 0;
  const converted = await db.transaction(async (tx) => {
    const key = newPersonNumberKey();
    usePersonNumberKey(key);
    let count = 0;
    for (const target of PERSON_COLUMNS) count += await numberColumn(tx, target.table, target.column);
    count += await numberAuditDetails(tx);
    // Two processes starting at once: the first key stored wins, and the loser's transaction changed
    // nothing it could not repeat (values below 2^52 only), so it simply loads the winner's.
    await putSettingIfAbsent(tx, KEY_SETTING, sealAt(KEY_PLACE, key.toString('base64')));
    return count;
  });
  await loadPersonNumberKey(db);
  return converted;
}

/** Replaces the Telegram ids in clear of one column by person numbers; returns how many rows changed. */
async function numberColumn(tx: Queryable, table: string, column: string): Promise<number> {
  const ref = sql.identifier(column);
  const rows = await queryRows<{ v: string | number }>(
    tx,
    sql`select distinct ${ref} as v from ${sql.identifier(table)} where ${ref} < ${String(2 ** 52)}::bigint`,
  );
  if (rows.length === 0) return 0;
  const pairs = rows.map((row) => {
    const id = Number(row.v);
    return sql`(${id}::bigint, ${personNumberOf(id)}::bigint)`;
  });
  return appendOnlyLifted(tx, table, async () => {
    const changed = await queryRows<{ n: number }>(
      tx,
      sql`with changed as (
            update ${sql.identifier(table)} set ${ref} = m.n
            from (values ${sql.join(pairs, sql`, `)}) as m(v, n)
            where ${sql.identifier(table)}.${ref} = m.v returning 1)
          select count(*)::int as n from changed`,
    );
    return Number(changed[0]?.n ?? 0);
  });
}

/** Rewrites the ids an older release wrote into audit details (assignments, revocations) as person numbers. */
async function numberAuditDetails(tx: Queryable): Promise<number> {
  const actions = Object.keys(AUDIT_DETAIL_IDS);
  const rows = await queryRows<{ id: string | number; action: string; details: string }>(
    tx,
    sql`select id, action, details::text as details from audit_log
        where action in (${sql.join(
          actions.map((action) => sql`${action}`),
          sql`, `,
        )}) and details is not null`,
  );
  const updates: SQL[] = [];
  for (const row of rows) {
    const details = JSON.parse(row.details) as Record<string, unknown>;
    let changed = false;
    for (const name of AUDIT_DETAIL_IDS[row.action] ?? []) {
      const value = details[name];
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && !isPersonNumber(value)) {
        details[name] = personNumberOf(value);
        changed = true;
      }
    }
    if (changed)
      updates.push(
        sql`update audit_log set details = ${JSON.stringify(details)}::jsonb where id = ${row.id}`,
      );
  }
  if (updates.length === 0) return 0;
  await appendOnlyLifted(tx, 'audit_log', async () => {
    for (const update of updates) await tx.execute(update);
    return updates.length;
  });
  return updates.length;
}

/**
 * Runs `change` on `table`; for the audit log, with its append-only trigger lifted for this
 * transaction only (as migration 0013 did): renaming who acted is the one change it ever allows.
 */
async function appendOnlyLifted(
  tx: Queryable,
  table: string,
  change: () => Promise<number>,
): Promise<number> {
  if (table !== 'audit_log') return change();
  await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
  const count = await change();
  await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  return count;
}

/** 1 while the person-number key is sealed under an older data key (rotate-key reseals it), else 0. */
export async function countPersonNumberKeyNotUnderCurrentKey(db: Queryable): Promise<number> {
  const stored = await getSetting<string>(db, KEY_SETTING);
  return stored !== null && stored.split('.')[1] !== currentKeyId() ? 1 : 0;
}

/** Reseals the person-number key under the current data key (the key itself, and so every number, stays). */
export async function resealPersonNumberKey(db: Queryable): Promise<number> {
  if ((await countPersonNumberKeyNotUnderCurrentKey(db)) === 0) return 0;
  const stored = (await getSetting<string>(db, KEY_SETTING)) as string;
  await putSetting(db, KEY_SETTING, sealAt(KEY_PLACE, unsealAt(KEY_PLACE, stored)));
  return 1;
}
