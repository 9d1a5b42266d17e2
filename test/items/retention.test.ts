import { asc, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionCommand } from '../../src/cli/retention.js';
import { queryRows } from '../../src/db/client.js';
import {
  auditLog,
  inboxUpdates,
  itemAdditions,
  itemAttachments,
  itemLinks,
  items,
} from '../../src/db/schema.js';
import { newItemCounts } from '../../src/digests/queries.js';
import { reportedItemIds } from '../../src/items/ledger.js';
import { loadExportRows } from '../../src/exports/items.js';
import { purgeExpiredItems, retentionCutoff } from '../../src/items/retention.js';
import { pruneHandledUpdates } from '../../src/telegram/inbox.js';
import { capture, runCommand } from '../support/cli.js';
import { createHarness, type Harness } from '../support/harness.js';
import { photoMessage, textMessage, user } from '../support/updates.js';

const MONITOR = 7201;
const YEAR_MS = 365.25 * 86_400_000;

describe('retention', () => {
  let harness: Harness;
  const now = new Date('2031-06-01T00:00:00Z');
  const longAgo = new Date(now.getTime() - 6 * YEAR_MS);
  const window = {
    start: new Date(longAgo.getTime() - 86_400_000),
    end: new Date(longAgo.getTime() + 86_400_000),
  };

  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(MONITOR, 'monitor', { community: '丹东社区' });
    harness.clock.set(longAgo);
    // #1 and #2 on one unit and domain (linked), #3 elsewhere; all six years old.
    await harness.send(photoMessage(user(MONITOR), 'F-HPZ 旧事一：镇长指定施工方'));
    await harness.send(textMessage(user(MONITOR), '/tip F-HPZ 旧事二：镇长挪用专项资金'));
    await harness.send(textMessage(user(MONITOR), '/tip P-DXZ 旧事三：未经集体讨论提拔'));
    await harness.send(textMessage(user(MONITOR), '/add 1 补充：合同在三月签订'));
    harness.clock.set(now);
    await harness.send(textMessage(user(MONITOR), '/tip S-HPZ 新事：工作日饮酒'));
    // #1 concluded six years ago with a note, #2 filed six years ago, #3 still open, #4 concluded now.
    await harness.db
      .update(items)
      .set({
        status: 'concluded',
        concludedAt: longAgo,
        conclusion: { finding: 'confirmed', note: '约谈镇长' },
      })
      .where(eq(items.id, 1));
    await harness.db.update(items).set({ status: 'filed', updatedAt: longAgo }).where(eq(items.id, 2));
    await harness.db.update(items).set({ status: 'concluded', concludedAt: now }).where(eq(items.id, 4));
  });
  afterAll(() => harness.close());

  it('counts in a dry run, then purges only what ended before the cutoff, keeping every count and export row', async () => {
    expect(await harness.db.select().from(itemLinks)).not.toHaveLength(0);
    expect(await harness.db.select().from(itemAttachments).where(eq(itemAttachments.itemId, 1))).toHaveLength(
      1,
    );
    expect(await harness.db.select().from(itemAdditions).where(eq(itemAdditions.itemId, 1))).toHaveLength(1);
    const countsBefore = await newItemCounts(harness.db, window, { includeAdminsOnly: true });
    const exportBefore = await loadExportRows(harness.db);
    expect((await purgeExpiredItems(harness.db, { now, years: 5, dryRun: true })).items).toBe(2);
    expect((await harness.db.select().from(items).where(eq(items.id, 1)))[0]?.text).toContain('旧事一');

    const result = await purgeExpiredItems(harness.db, { now, years: 5, batchSize: 1 });
    expect(result).toMatchObject({ items: 2, cutoff: retentionCutoff(now, 5) });
    const rows = await harness.db.select().from(items).orderBy(asc(items.id));
    expect(rows.map((row) => [row.id, row.text === '', row.purgedAt !== null])).toEqual([
      [1, true, true],
      [2, true, true],
      [3, false, false],
      [4, false, false],
    ]);
    expect(rows[0]).toMatchObject({
      reference: null,
      reporterRef: null,
      reporterSealed: null,
      contentHash: null,
      conclusion: { finding: 'confirmed' },
      domain: 'F',
      unitCode: 'HPZ',
      sourceKind: 'monitor',
      status: 'concluded',
    });
    expect(
      await harness.db
        .select()
        .from(itemAdditions)
        .where(inArray(itemAdditions.itemId, [1, 2])),
    ).toEqual([]);
    expect(
      await harness.db
        .select()
        .from(itemAttachments)
        .where(inArray(itemAttachments.itemId, [1, 2])),
    ).toEqual([]);
    expect(await harness.db.select().from(itemLinks)).toEqual([]);
    expect(await newItemCounts(harness.db, window, { includeAdminsOnly: true })).toEqual(countsBefore);
    expect(await loadExportRows(harness.db)).toEqual(exportBefore);

    const [audit] = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'retention.purged'));
    expect(audit).toMatchObject({
      actorId: null,
      details: { items: 2, cutoff: result.cutoff.toISOString(), years: 5 },
    });
    // The reporter's ledger forgot the purged items.
    expect(await reportedItemIds(harness.db, MONITOR)).toEqual([3, 4]);
    // /my still lists the reporter's other items, and the purged ones are no longer theirs.
    const [mine] = await harness.send(textMessage(user(MONITOR), '/my'));
    expect(mine?.text).toContain('#3');
    expect(mine?.text).not.toContain('#1 ');
  });

  it('is idempotent, and the CLI reports what it would purge', async () => {
    expect((await purgeExpiredItems(harness.db, { now, years: 5 })).items).toBe(0);
    const out = capture();
    expect(await runCommand(retentionCommand, harness, ['--dry-run'], out.stream)).toBe(0);
    expect(out.text()).toMatch(/^0 items ended before/);
    expect(await runCommand(retentionCommand, harness, [], capture().stream)).toBe(2);
  });

  it('keeps no update text or sender in the inbox once handled, and deletes handled rows after 6 hours', async () => {
    const stored = await queryRows<{ payload: string | null; order_key: string }>(
      harness.db,
      sql`select payload, order_key from inbox_updates`,
    );
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((row) => row.payload === null && row.order_key === '')).toBe(true);
    await harness.db.update(inboxUpdates).set({ handledAt: new Date(Date.now() - 5 * 3_600_000) });
    await pruneHandledUpdates(harness.db);
    expect((await harness.db.select().from(inboxUpdates)).length).toBe(stored.length);
    await harness.db.update(inboxUpdates).set({ handledAt: new Date(Date.now() - 7 * 3_600_000) });
    await pruneHandledUpdates(harness.db);
    expect(await harness.db.select().from(inboxUpdates)).toEqual([]);
  });
});
