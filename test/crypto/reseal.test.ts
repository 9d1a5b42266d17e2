import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPersonNumber } from '../../src/crypto/person-numbers.js';
import { countNotUnderCurrentKey, sealLegacyRows } from '../../src/crypto/reseal.js';
import { allowLegacyValues, seal } from '../../src/crypto/sealing.js';
import { type Database, queryRows } from '../../src/db/client.js';
import { itemAdditions, items, people, settings } from '../../src/db/schema.js';
import { reportedItemIds } from '../../src/items/ledger.js';
import { reporterIdOf } from '../../src/items/reporter-link.js';
import { numberPeople } from '../../src/people/numbering.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';

describe(`sealing rows stored in clear before encryption at rest, on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('seals every clear value and moves reporter_id into the sealed link, once, when migration 0004 marked the database', async () => {
    const db = database.db;
    // What a database written by the previous version holds: everything in clear.
    await db.execute(sql`insert into people (telegram_id, role, community, display_name, username)
                         values (4401, 'monitor', '丹东社区', '张旧名', 'old_user')`);
    await db.execute(sql`insert into items (kind, source_kind, reporter_id, signed, domain, unit_code, text, content_hash)
                         values ('tip', 'monitor', 4401, true, 'F', 'HPZ', '旧的明文举报', 'deadbeef')`);
    await db.execute(
      sql`insert into item_additions (item_id, kind, author_id, text) values (1, 'addition', null, '旧的补充')`,
    );
    await db.execute(sql`insert into outbox (chat_id, method, payload, ref)
                         values (4401, 'sendMessage', '{"chat_id":4401,"text":"旧的消息"}', 'receipt:1')`);
    await db.execute(
      sql`insert into dialogues (user_id, kind, step, data) values (4401, 'tip', 'text', '{"text":"草稿"}')`,
    );
    await db.insert(settings).values({ key: 'sealing.legacy_rows', value: true });

    const sealed = await sealLegacyRows(db);
    expect(sealed).toBeGreaterThanOrEqual(7);
    expect(await countNotUnderCurrentKey(db)).toBe(0);
    // As at start (src/app.ts): the person's Telegram id is replaced by their person number.
    expect(await numberPeople(db)).toBe(1);
    const [keyed] = await queryRows<{ id: string | number }>(db, sql`select telegram_id as id from people`);
    expect(Number(keyed?.id)).not.toBe(4401);
    expect(isPersonNumber(Number(keyed?.id))).toBe(true);
    const [raw] = await queryRows<{ text: string; reporter_id: unknown; content_hash: unknown }>(
      db,
      sql`select text, reporter_id, content_hash from items where id = 1`,
    );
    expect(raw).toMatchObject({ reporter_id: null, content_hash: null });
    expect(raw?.text).toMatch(/^v2\./);
    const [item] = await db
      .select()
      .from(items)
      .where(inArray(items.id, await reportedItemIds(db, 4401)));
    expect(item).toMatchObject({ id: 1, text: '旧的明文举报' });
    expect(reporterIdOf(item as { id: number; reporterSealed: string | null })).toBe(4401);
    expect((await db.select().from(itemAdditions))[0]?.text).toBe('旧的补充');
    expect((await db.select().from(people))[0]).toMatchObject({
      displayName: '张旧名',
      username: 'old_user',
    });
    const dump = await queryRows<{ row: string }>(
      db,
      sql`select concat_ws('|', (select string_agg(t::text, ',') from items t), (select string_agg(t::text, ',') from people t),
                 (select string_agg(t::text, ',') from outbox t), (select string_agg(t::text, ',') from dialogues t),
                 (select string_agg(t::text, ',') from item_additions t)) as row`,
    );
    for (const clear of ['旧的', '张旧名', 'old_user', '草稿', 'receipt:1'])
      expect(dump[0]?.row).not.toContain(clear);
    expect(await db.select().from(settings).where(eq(settings.key, 'sealing.legacy_rows'))).toEqual([]);
    expect(await sealLegacyRows(db)).toBe(0);
  });

  it('reseals v1 values (bound to no place) when migration 0012 marked the database, then refuses v1 and clear values', async () => {
    const db = database.db;
    allowLegacyValues({ v1: true, clear: true });
    await db.execute(sql`insert into items (kind, source_kind, signed, domain, unit_code, text, reporter_sealed)
                         values ('tip', 'monitor', true, 'S', 'DXZ', ${seal('v1 时代的举报')}, ${seal('4402')})`);
    const [{ id } = { id: 0 }] = await queryRows<{ id: number }>(
      db,
      sql`select max(id)::int as id from items`,
    );
    await db.insert(settings).values({ key: 'sealing.v1_values', value: true });
    expect(await sealLegacyRows(db)).toBeGreaterThanOrEqual(2);
    const [raw] = await queryRows<{ text: string; reporter_sealed: string }>(
      db,
      sql`select text, reporter_sealed from items where id = ${id}`,
    );
    expect(raw?.text).toMatch(/^v2\./);
    expect(reporterIdOf({ id, reporterSealed: raw?.reporter_sealed ?? null })).toBe(4402);
    expect((await db.select().from(items).where(eq(items.id, id)))[0]?.text).toBe('v1 时代的举报');
    // From now on a planted v1 or clear value is refused where it is read, by place, without its content.
    await db.execute(sql`update items set text = ${seal('planted v1')} where id = ${id}`);
    await expect(db.select().from(items).where(eq(items.id, id))).rejects.toThrow(
      /items.text .*v1 format: refused/,
    );
    await db.execute(sql`update items set text = 'planted in clear' where id = ${id}`);
    const refusal = await db
      .select()
      .from(items)
      .where(eq(items.id, id))
      .then(
        () => '',
        (error: Error) => error.message,
      );
    expect(refusal).toMatch(/items.text .*not sealed: refused/);
    expect(refusal).not.toContain('planted in clear');
  });
});
