import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemCode, loadItemSummaries, loadItemSummary, unitNameFor } from '../../src/items/summary.js';
import { insertItem } from '../support/digest-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('item summaries', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('say what may be said without text or reporter, with the unit named in both languages', async () => {
    const id = await insertItem(harness.db, { text: '秘密内容', domain: 'P', unitCode: 'HPZ' });
    const summary = await loadItemSummary(harness.db, id);
    expect(summary).toMatchObject({ id, code: 'P-HPZ', domain: 'P', status: 'new', unitNameZh: '鹤浦镇' });
    expect(JSON.stringify(summary)).not.toContain('秘密内容');
    expect(summary && unitNameFor(summary, 'en')).toBe(summary?.unitNameEn);
    expect(await loadItemSummary(harness.db, 999_999)).toBeNull();
    expect(await loadItemSummaries(harness.db, [])).toEqual([]);
  });

  it('falls back to the unit code for a unit missing from the directory', async () => {
    const id = await insertItem(harness.db, { unitCode: 'NOWHERE' });
    expect(await loadItemSummary(harness.db, id)).toMatchObject({
      unitNameZh: 'NOWHERE',
      unitNameEn: 'NOWHERE',
    });
    expect(itemCode('F', 'HPZ')).toBe('F-HPZ');
  });
});
