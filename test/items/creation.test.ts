import { eq, or } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemAuditEntries } from '../../src/audit.js';
import { SealingError } from '../../src/crypto/sealing.js';
import { itemAttachments, itemLinks, items, people } from '../../src/db/schema.js';
import { MAX_ATTACHMENTS, MAX_RELATED_LINKS } from '../../src/domain/limits.js';
import { type CreationContext, createItem, type NewItem } from '../../src/items/creation.js';
import { reportedItemIds } from '../../src/items/ledger.js';
import { reporterIdOf } from '../../src/items/reporter-link.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { testDatabaseKind } from '../support/database.js';
import { insertItem } from '../support/digest-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('createItem', () => {
  let harness: Harness;
  const context = (): CreationContext => ({
    now: harness.services.now(),
    config: harness.config,
    botUsername: 'liaison_test_bot',
  });
  const base = (text: string, actorId: number): NewItem => ({
    kind: 'report',
    sourceKind: 'hotline',
    sourceAgency: null,
    reporterId: null,
    actorId,
    signed: false,
    domain: 'O',
    unitCode: 'JSJ',
    text,
  });

  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('links items about the same unit and domain both ways and flags the third as a repeat subject', async () => {
    const ids: number[] = [];
    for (const text of ['第一条反映', '第二条反映', '第三条反映']) {
      harness.clock.advance(120_000);
      const result = await createItem(harness.db, new OutboxBuffer(), base(text, 8001), context());
      if (result.kind !== 'created') throw new Error(result.kind);
      ids.push(result.item.id);
    }
    const [first, second, third] = ids as [number, number, number];
    const links = await harness.db
      .select()
      .from(itemLinks)
      .where(or(eq(itemLinks.itemId, third), eq(itemLinks.relatedId, third)));
    expect(links).toHaveLength(4);
    expect(links).toEqual(
      expect.arrayContaining([
        { itemId: third, relatedId: first },
        { itemId: first, relatedId: third },
        { itemId: third, relatedId: second },
        { itemId: second, relatedId: third },
      ]),
    );
    const [stored] = await harness.db.select().from(items).where(eq(items.id, third));
    expect(stored?.repeatSubject).toBe(true);
    expect(stored?.mustInvestigate).toBe(false);
  });

  it('links only the newest MAX_RELATED_LINKS items of the unit and domain, however many there are', async () => {
    const now = harness.services.now();
    const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    const older: number[] = [];
    for (let index = MAX_RELATED_LINKS + 5; index >= 1; index -= 1) {
      older.push(
        await insertItem(harness.db, { domain: 'D', unitCode: 'HPZ', createdAt: minutesAgo(index) }),
      );
    }
    // Outside the 90-day window: never linked.
    await insertItem(harness.db, { domain: 'D', unitCode: 'HPZ', createdAt: minutesAgo(91 * 24 * 60) });
    const result = await createItem(
      harness.db,
      new OutboxBuffer(),
      { ...base('防波堤工程再次被反映', 8003), domain: 'D', unitCode: 'HPZ' },
      context(),
    );
    if (result.kind !== 'created') throw new Error(result.kind);
    expect(result.decision.relatedItemIds).toEqual(older.slice(-MAX_RELATED_LINKS));
    const links = await harness.db.select().from(itemLinks).where(eq(itemLinks.itemId, result.item.id));
    expect(links.map((link) => link.relatedId).sort((a, b) => a - b)).toEqual(
      older.slice(-MAX_RELATED_LINKS),
    );
    expect(result.decision.repeatSubject).toBe(true);
  });

  it('flags a repeat subject from items of the unit in other domains, without linking them', async () => {
    const now = harness.services.now();
    for (const domain of ['F', 'P'] as const) {
      await insertItem(harness.db, {
        domain,
        unitCode: 'DXZ',
        createdAt: new Date(now.getTime() - 3_600_000),
      });
    }
    const result = await createItem(
      harness.db,
      new OutboxBuffer(),
      { ...base('另一方面的问题', 8004), domain: 'S', unitCode: 'DXZ' },
      context(),
    );
    if (result.kind !== 'created') throw new Error(result.kind);
    expect(result.decision.relatedItemIds).toEqual([]);
    expect(result.decision.repeatSubject).toBe(true);
    const alone = await createItem(
      harness.db,
      new OutboxBuffer(),
      { ...base('单独一条', 8005), domain: 'S', unitCode: 'JXJD' },
      context(),
    );
    if (alone.kind !== 'created') throw new Error(alone.kind);
    expect(alone.decision.repeatSubject).toBe(false);
  });

  it("queues no alert for an item that need not be investigated (the receipt is the handler's)", async () => {
    harness.clock.advance(120_000);
    const out = new OutboxBuffer();
    const result = await createItem(harness.db, out, base('情况不详', 8002), context());
    expect(result.kind).toBe('created');
    expect(out.messages).toEqual([]);
  });

  it('queues the alert for a must-investigate item, never its text', async () => {
    harness.clock.advance(120_000);
    // No section chat is bound here: the alert goes to each admin privately.
    await harness.enrol(9001, 'admin');
    const out = new OutboxBuffer();
    const result = await createItem(
      harness.db,
      out,
      { ...base('镇长收受工程款300万元', 8006), signed: true, domain: 'F', unitCode: 'HPZ' },
      context(),
    );
    if (result.kind !== 'created') throw new Error(result.kind);
    expect(result.item.mustInvestigate).toBe(true);
    expect(out.messages.map((message) => message.ref)).toEqual(
      out.messages.map(() => `alert:${result.item.id}`),
    );
    expect(out.messages.map((message) => message.chatId)).toEqual([9001]);
    expect(JSON.stringify(out.messages)).not.toContain('镇长收受');
  });

  it('refuses more than ten attachments and an empty text, storing nothing', async () => {
    const before = (await harness.db.select().from(items)).length;
    const out = new OutboxBuffer();
    const attachments = Array.from({ length: MAX_ATTACHMENTS + 1 }, (_, index) => ({
      fileKind: 'photo' as const,
      fileId: `f${index}`,
      fileUniqueId: null,
      fileSize: null,
    }));
    const many = await createItem(harness.db, out, { ...base('附件太多', 8003), attachments }, context());
    const empty = await createItem(harness.db, out, base(' \u0007 ', 8003), context());
    expect(many).toEqual({ kind: 'refused', reason: 'too_many_attachments', max: MAX_ATTACHMENTS });
    expect(empty).toEqual({ kind: 'refused', reason: 'missing_text' });
    expect(out.messages).toEqual([]);
    expect((await harness.db.select().from(items)).length).toBe(before);
  });

  it("seals the reporter to the new item's own row, and a resend reserves no item number", async () => {
    const reporter = 8004;
    const tip: NewItem = {
      ...base('镇长在工程招标中打招呼', reporter),
      kind: 'tip',
      sourceKind: 'monitor',
      reporterId: reporter,
    };
    const first = await createItem(harness.db, new OutboxBuffer(), tip, context());
    if (first.kind !== 'created') throw new Error(first.kind);
    const [row] = await harness.db.select().from(items).where(eq(items.id, first.item.id));
    if (!row) throw new Error('the item was not stored');
    expect(reporterIdOf(row)).toBe(reporter);
    // Bound to the row: the same value read as another item's does not open.
    expect(() => reporterIdOf({ id: row.id + 1, reporterSealed: row.reporterSealed })).toThrow(SealingError);

    const resent = await createItem(harness.db, new OutboxBuffer(), tip, context());
    expect(resent).toMatchObject({ kind: 'duplicate', item: { id: first.item.id } });
    harness.clock.advance(120_000);
    const next = await createItem(harness.db, new OutboxBuffer(), base('另一条反映', 8005), context());
    if (next.kind !== 'created') throw new Error(next.kind);
    expect(next.item.id).toBe(first.item.id + 1);
  });

  it("stores with the item, in its one insert, the reporter's ledger entry and day, the files, the links and the audit row", async () => {
    const reporter = 8006;
    await harness.db.insert(people).values({ telegramId: reporter, role: 'monitor', community: '城东社区' });
    const tip: NewItem = {
      ...base('局长亲属承揽工程', reporter),
      kind: 'tip',
      sourceKind: 'monitor',
      reporterId: reporter,
      domain: 'F',
      unitCode: 'HPZ',
      attachments: [{ fileKind: 'photo', fileId: 'photo-1', fileUniqueId: 'u-1', fileSize: 1000 }],
    };
    harness.clock.advance(120_000);
    const earlier = await createItem(
      harness.db,
      new OutboxBuffer(),
      { ...tip, text: '局长亲属另一条' },
      context(),
    );
    harness.clock.advance(120_000);
    const created = await createItem(harness.db, new OutboxBuffer(), tip, context());
    if (earlier.kind !== 'created' || created.kind !== 'created') throw new Error('not stored');
    const id = created.item.id;

    expect(await reportedItemIds(harness.db, reporter)).toEqual([earlier.item.id, id]);
    const [person] = await harness.db.select().from(people).where(eq(people.telegramId, reporter));
    expect(person?.lastReportedAt).not.toBeNull();
    const files = await harness.db.select().from(itemAttachments).where(eq(itemAttachments.itemId, id));
    expect(files.map((file) => file.fileId)).toEqual(['photo-1']);
    const links = await harness.db.select().from(itemLinks).where(eq(itemLinks.itemId, id));
    expect(links.map((link) => link.relatedId)).toContain(earlier.item.id);
    const audit = await itemAuditEntries(harness.db, id);
    expect(audit.map((entry) => [entry.action, entry.actorId])).toEqual([['item.created', null]]);
    expect(audit[0]?.details).toMatchObject({ by: 'reporter', attachments: 1, code: 'F-HPZ' });
  });

  it.runIf(testDatabaseKind === 'postgres')(
    "locks the reporter's ledger in its first read: two tips of one reporter at once both stay listed",
    async () => {
      const reporter = 8007;
      const store = (text: string) =>
        harness.db.transaction(async (tx) => {
          const outcome = await createItem(
            tx,
            new OutboxBuffer(),
            { ...base(text, reporter), kind: 'tip', sourceKind: 'monitor', reporterId: reporter },
            context(),
          );
          // Hold the lock a moment, so the other transaction really waits on it.
          await new Promise((resolve) => setTimeout(resolve, 100));
          return outcome;
        });
      await store('第一条'); // the ledger row exists from here on, so there is a row to lock
      const both = await Promise.all([store('第二条'), store('第三条')]);
      const ids = both.map((outcome) => (outcome.kind === 'created' ? outcome.item.id : null));
      expect(ids).not.toContain(null);
      expect(await reportedItemIds(harness.db, reporter)).toEqual(expect.arrayContaining(ids));
    },
  );
});
