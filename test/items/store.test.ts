import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSummaryRows, updateItemIfUnchanged } from '../../src/items/store.js';
import { testDatabaseKind } from '../support/database.js';
import { createHarness, type Harness } from '../support/harness.js';
import { insertItem, itemRow } from '../bot/features/queue/fixtures.js';

describe('updateItemIfUnchanged (optimistic locking)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('applies a change once per version and stamps triaged_at only the first time', async () => {
    const id = await insertItem(harness.db);
    const now = new Date('2025-06-10T02:00:00Z');
    expect(await updateItemIfUnchanged(harness.db, id, 1, { status: 'verifying' }, now)).toMatchObject({
      version: 2,
    });
    expect(await updateItemIfUnchanged(harness.db, id, 1, { status: 'accepted' }, now)).toBeNull();
    await updateItemIfUnchanged(harness.db, id, 2, { status: 'accepted' }, new Date('2025-06-11T02:00:00Z'));
    expect(await itemRow(harness.db, id)).toMatchObject({ status: 'accepted', version: 3, triagedAt: now });
  });

  it.runIf(testDatabaseKind === 'postgres')(
    'two concurrent transactions on the same version: exactly one wins',
    async () => {
      const id = await insertItem(harness.db);
      const now = new Date();
      const attempt = (status: 'accepted' | 'verifying') =>
        harness.db.transaction(async (tx) => {
          const row = await updateItemIfUnchanged(tx, id, 1, { status }, now);
          // Hold the row lock a moment so the other transaction really waits on it.
          await new Promise((resolve) => setTimeout(resolve, 50));
          return row;
        });
      const results = await Promise.all([attempt('accepted'), attempt('verifying')]);
      expect(results.filter((row) => row !== null)).toHaveLength(1);
      expect((await itemRow(harness.db, id)).version).toBe(2);
    },
  );
});

describe('itemSummaryRows', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('reads the summary columns with the unit’s names, null for a unit the directory lacks, never text or reporter', async () => {
    const known = await insertItem(harness.db, { domain: 'P', unitCode: 'HPZ' });
    const unknown = await insertItem(harness.db, { unitCode: 'NOWHERE', status: 'accepted' });
    const rows = await itemSummaryRows(harness.db, [unknown, 999_999, known]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect([...byId.keys()].sort((a, b) => a - b)).toEqual([known, unknown]);
    expect(byId.get(known)).toMatchObject({
      domain: 'P',
      unitCode: 'HPZ',
      unitNameZh: '鹤浦镇',
      status: 'new',
    });
    expect(byId.get(unknown)).toMatchObject({
      unitCode: 'NOWHERE',
      unitNameZh: null,
      unitNameEn: null,
      status: 'accepted',
    });
    expect(Object.keys(byId.get(known) ?? {}).sort()).toEqual(
      [
        'adminsOnly',
        'createdAt',
        'domain',
        'id',
        'kind',
        'mustInvestigate',
        'priority',
        'reasons',
        'repeatSubject',
        'sourceAgency',
        'sourceKind',
        'status',
        'unitCode',
        'unitNameEn',
        'unitNameZh',
        'updatedAt',
      ].sort(),
    );
  });
});
