import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPersonNumber, personNumberOf, usePersonNumberKey } from '../../src/crypto/person-numbers.js';
import { countNotUnderCurrentKey, resealAll } from '../../src/crypto/reseal.js';
import { configureKeyring, generateKey } from '../../src/crypto/sealing.js';
import { type Database, queryRows } from '../../src/db/client.js';
import { auditLog, itemAdditions, items, people } from '../../src/db/schema.js';
import { loadPersonNumberKey, numberPeople } from '../../src/people/numbering.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';

const OFFICER = 5_100_000_001;
const ADMIN = 5_100_000_002;
const MONITOR = 5_100_000_003;

describe(`person numbers replace Telegram ids stored by an older release, on ${testDatabaseKind}`, () => {
  let database: Database;
  const firstKey = generateKey();
  beforeAll(async () => {
    configureKeyring([firstKey]);
    database = await createTestDatabase();
    const db = database.db;
    // What the release before person numbers wrote: Telegram ids in every column naming a person.
    await db.execute(sql`insert into people (telegram_id, role) values (${OFFICER}, 'officer'), (${ADMIN}, 'admin'),
                         (${MONITOR}, 'monitor')`);
    await db.execute(sql`insert into invites (token_hash, role, created_by, expires_at, used_at, used_by)
                         values ('h1', 'monitor', ${ADMIN}, now(), now(), ${MONITOR})`);
    await db.execute(sql`insert into items (kind, source_kind, signed, domain, unit_code, text, assignee_id)
                         values ('tip', 'monitor', true, 'F', 'HPZ', 'v2.x', ${OFFICER})`);
    await db.execute(
      sql`insert into item_additions (item_id, kind, author_id, text) values (1, 'note', ${OFFICER}, 'v2.x')`,
    );
    await db.execute(sql`insert into audit_log (actor_id, action, item_id, details) values
                         (${ADMIN}, 'item.assign', 1, ${JSON.stringify({ from: null, to: OFFICER })}::jsonb),
                         (${ADMIN}, 'person.revoked', null, ${JSON.stringify({ userId: MONITOR, role: 'monitor' })}::jsonb),
                         (${OFFICER}, 'item.viewed', 1, null)`);
  });
  afterAll(() => database.close());

  it('converts every column and audit detail once, and the code still reads the ids', async () => {
    const db = database.db;
    // 3 people, 2 invite columns, 3 audit actors (two distinct), 1 assignee, 1 author, 2 audit details.
    expect(await numberPeople(db)).toBe(3 + 2 + 3 + 1 + 1 + 2);
    const raw = await queryRows<{ v: string }>(
      db,
      sql`select concat_ws(',', (select string_agg(telegram_id::text, ',') from people),
                 (select string_agg(concat_ws(',', created_by, used_by), ',') from invites),
                 (select string_agg(concat_ws(',', actor_id, details::text), ',') from audit_log),
                 (select string_agg(assignee_id::text, ',') from items),
                 (select string_agg(author_id::text, ',') from item_additions)) as v`,
    );
    for (const id of [OFFICER, ADMIN, MONITOR]) expect(raw[0]?.v).not.toContain(String(id));
    expect(raw[0]?.v).toContain(String(personNumberOf(OFFICER)));

    expect((await db.select({ id: people.telegramId }).from(people)).map((row) => row.id).sort()).toEqual(
      [OFFICER, ADMIN, MONITOR].sort(),
    );
    expect((await db.select({ to: items.assigneeId }).from(items))[0]?.to).toBe(OFFICER);
    expect((await db.select({ by: itemAdditions.authorId }).from(itemAdditions))[0]?.by).toBe(OFFICER);
    const assign = await db.select().from(auditLog).where(eq(auditLog.action, 'item.assign'));
    expect(assign[0]?.actorId).toBe(ADMIN);
    expect(assign[0]?.details).toEqual({ from: null, to: personNumberOf(OFFICER) });
    // Once converted, a start only loads the key.
    expect(await numberPeople(db)).toBe(0);
  });

  it('keeps every number through rotate-key: the person-number key is resealed, not replaced', async () => {
    const db = database.db;
    const before = personNumberOf(OFFICER);
    const nextKey = generateKey();
    configureKeyring([nextKey, firstKey]);
    expect(await countNotUnderCurrentKey(db)).toBeGreaterThanOrEqual(1);
    await resealAll(db);
    expect(await countNotUnderCurrentKey(db)).toBe(0);
    // A new process holding only the new key: what it would derive differs, what it loads does not.
    configureKeyring([nextKey]);
    usePersonNumberKey(null);
    expect(personNumberOf(OFFICER)).not.toBe(before);
    expect(await loadPersonNumberKey(db)).toBe(true);
    expect(personNumberOf(OFFICER)).toBe(before);
    expect(isPersonNumber(before)).toBe(true);
    const [officer] = await db
      .select({ id: people.telegramId })
      .from(people)
      .where(eq(people.telegramId, OFFICER));
    expect(officer?.id).toBe(OFFICER);
  });
});
