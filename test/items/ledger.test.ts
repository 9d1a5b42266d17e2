// Issue 14, "unlinkable at rest": a database reader without the key must not be able to tell that two
// items came from one reporter. Items carry no per-reporter value; each reporter's items are listed in
// one sealed ledger row, keyed by a blind index, with no time or order of its own.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blindIndexFor, seal } from '../../src/crypto/sealing.js';
import { queryRows } from '../../src/db/client.js';
import { items, settings } from '../../src/db/schema.js';
import { convertLegacyReporterRefs, recordReported, reportedItemIds } from '../../src/items/ledger.js';
import { purgeExpiredItems } from '../../src/items/retention.js';
import { countReportedSince, ownItems } from '../../src/items/store.js';
import { testDatabaseKind } from '../support/database.js';
import { createHarness, type Harness } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

const ALICE = 8101;
const BOB = 8102;
const CAROL = 8103;

type RawRow = Record<string, unknown>;

describe(`the reporter ledger on ${testDatabaseKind}`, () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(ALICE, 'monitor', { community: '丹东社区' });
    await harness.enrol(BOB, 'monitor', { community: '丹西社区' });
    await harness.enrol(CAROL, 'monitor', { community: '丹西社区' });
  });
  afterAll(() => harness.close());

  it('two items of one reporter share no stored value that items of different reporters do not share', async () => {
    await harness.send(textMessage(user(ALICE), '/tip F-HPZ 镇长在防波堤工程中指定施工方'));
    harness.clock.advance(5 * 60_000);
    await harness.send(textMessage(user(BOB), '/tip F-HPZ 镇长的亲属承包了码头工程'));
    harness.clock.advance(5 * 60_000);
    await harness.send(textMessage(user(ALICE), '/tip F-HPZ 防波堤工程款在三月份支付'));
    const rows = await queryRows<{ row: RawRow }>(
      harness.db,
      sql`select to_jsonb(i) as row from items i order by id`,
    );
    expect(rows).toHaveLength(3);
    const [a1, b1, a2] = rows.map((r) => r.row) as [RawRow, RawRow, RawRow];
    expect([a1.reporter_ref, b1.reporter_ref, a2.reporter_ref]).toEqual([null, null, null]);
    const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
    for (const column of Object.keys(a1)) {
      if (same(a1[column], a2[column])) {
        // Whatever Alice's two items share, Bob's item shares too: it says nothing about who sent them.
        expect({ column, value: b1[column] }).toEqual({ column, value: a1[column] });
      }
    }
    // The ledger row carries nothing but its blind-index key and the sealed list: no time, no serial.
    const columns = await queryRows<{ name: string }>(
      harness.db,
      sql`select column_name as name from information_schema.columns
          where table_name = 'reporter_ledgers' order by column_name`,
    );
    expect(columns.map((c) => c.name)).toEqual(['entries', 'key']);
    const ledgers = await queryRows<{ key: string; entries: string }>(
      harness.db,
      sql`select key, entries from reporter_ledgers order by key`,
    );
    expect(ledgers).toHaveLength(2);
    expect(ledgers.map((l) => l.key).sort()).toEqual(
      [blindIndexFor('ledger', String(ALICE)), blindIndexFor('ledger', String(BOB))].sort(),
    );
    for (const ledger of ledgers) expect(ledger.entries).toMatch(/^v2\./);
    expect(await reportedItemIds(harness.db, ALICE)).toEqual([a1.id, a2.id]);
    expect(await reportedItemIds(harness.db, BOB)).toEqual([b1.id]);
  });

  it('/my, ownership and the flood count read the ledger', async () => {
    const mine = await ownItems(harness.db, ALICE, 10);
    expect(mine.map((item) => item.id)).toEqual([3, 1]);
    const [reply] = await harness.send(textMessage(user(ALICE), '/my'));
    expect(reply?.text).toContain('#3');
    expect(reply?.text).toContain('#1');
    expect(reply?.text).not.toContain('#2');
    const now = harness.clock.now;
    expect(await countReportedSince(harness.db, ALICE, new Date(now.getTime() - 60 * 60_000))).toBe(2);
    expect(await countReportedSince(harness.db, ALICE, new Date(now.getTime() - 60_000))).toBe(1);
    expect(await countReportedSince(harness.db, CAROL, new Date(0))).toBe(0);
    for (let n = 0; n < 20; n += 1) {
      await harness.send(textMessage(user(CAROL), `/tip O-MYX 第${n}条信息`));
      harness.clock.advance(1000);
    }
    const [refusal] = await harness.send(textMessage(user(CAROL), '/tip O-MYX 第二十一条信息'));
    expect(refusal?.text).toContain('一小时');
    expect(await reportedItemIds(harness.db, CAROL)).toHaveLength(20);
  });

  it('moves items written the old way (a blind index per reporter) into ledgers, resumably and once', async () => {
    const insertOld = async (reporterId: number, text: string) => {
      const [row] = await queryRows<{ id: number }>(
        harness.db,
        sql`insert into items (kind, source_kind, reporter_ref, reporter_sealed, signed, domain, unit_code, text, created_at)
            values ('tip', 'monitor', ${blindIndexFor('reporter', String(reporterId))}, ${seal(String(reporterId))},
                    true, 'P', 'SPZ', ${seal(text)}, ${'2025-06-01T02:00:00Z'}::timestamptz)
            returning id`,
      );
      return Number(row?.id);
    };
    const OLD = 8201;
    const old1 = await insertOld(OLD, '旧的举报一');
    const old2 = await insertOld(OLD, '旧的举报二');
    const carols = await insertOld(CAROL, '旧的举报三');
    // Migration 0010 marks a database holding such rows; the start converts them then.
    await harness.db.insert(settings).values({ key: 'ledger.legacy_refs', value: true });

    expect(await convertLegacyReporterRefs(harness.db, { batchSize: 2 })).toBe(3);
    const refs = await queryRows<{ n: number }>(
      harness.db,
      sql`select count(*)::int as n from items where reporter_ref is not null`,
    );
    expect(Number(refs[0]?.n)).toBe(0);
    expect(await reportedItemIds(harness.db, OLD)).toEqual([old1, old2]);
    // Carol's old item joins the ledger her new items are in.
    expect(await reportedItemIds(harness.db, CAROL)).toHaveLength(21);
    expect(await reportedItemIds(harness.db, CAROL)).toContain(carols);
    expect((await ownItems(harness.db, OLD, 10)).map((item) => item.id)).toEqual([old2, old1]);
    // The old rows are an old day's: they do not count towards today's flood limit.
    expect(await countReportedSince(harness.db, OLD, new Date(Date.UTC(2025, 5, 2)))).toBe(0);
    expect(await countReportedSince(harness.db, OLD, new Date(Date.UTC(2025, 4, 31)))).toBe(2);

    // Idempotent: a second run changes nothing, and once the mark is gone a start does not even look.
    const marked = () => harness.db.select().from(settings).where(eq(settings.key, 'ledger.legacy_refs'));
    expect(await marked()).toEqual([]);
    await harness.db.insert(settings).values({ key: 'ledger.legacy_refs', value: true });
    expect(await convertLegacyReporterRefs(harness.db)).toBe(0);
    expect(await reportedItemIds(harness.db, OLD)).toEqual([old1, old2]);
    expect(await reportedItemIds(harness.db, CAROL)).toHaveLength(21);
    expect(await marked()).toEqual([]);
  });

  it('retention drops purged items from ledgers, deletes a ledger left empty, and a write drops old purged entries', async () => {
    const DAVE = 8301;
    await harness.enrol(DAVE, 'monitor', { community: '丹东社区' });
    harness.clock.advance(2 * 60 * 60_000);
    await harness.send(textMessage(user(DAVE), '/tip I-HPZ 镇长收受礼金'));
    const [daves] = await reportedItemIds(harness.db, DAVE);
    await harness.db
      .update(items)
      .set({ status: 'concluded', concludedAt: harness.clock.now })
      .where(eq(items.id, daves as number));
    const later = new Date(harness.clock.now.getTime() + 6 * 366 * 86_400_000);
    expect((await purgeExpiredItems(harness.db, { now: later, years: 5 })).items).toBe(1);
    expect(await reportedItemIds(harness.db, DAVE)).toEqual([]);
    const keys = await queryRows<{ key: string }>(harness.db, sql`select key from reporter_ledgers`);
    expect(keys.map((k) => k.key)).not.toContain(blindIndexFor('ledger', String(DAVE)));

    // A ledger still listing an item purged long ago (say, by an older version) forgets it at its next write.
    const alices = await reportedItemIds(harness.db, ALICE);
    const longAgo = harness.clock.now.getTime() - 3 * 366 * 86_400_000;
    await harness.db.transaction((tx) =>
      recordReported(tx, ALICE, [{ id: alices[0] as number, at: longAgo }], harness.clock.now),
    );
    await harness.db
      .update(items)
      .set({ purgedAt: later })
      .where(eq(items.id, alices[0] as number));
    expect(await reportedItemIds(harness.db, ALICE)).toEqual(alices);
    await harness.db.transaction((tx) => recordReported(tx, ALICE, [], harness.clock.now));
    expect(await reportedItemIds(harness.db, ALICE)).toEqual(alices.slice(1));
  });
});
