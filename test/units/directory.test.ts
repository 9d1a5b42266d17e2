import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadUnits,
  parseUnitsCsv,
  seedUnitsIfEmpty,
  unitByCode,
  upsertUnits,
} from '../../src/units/directory.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('the unit directory', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('is seeded once, read by code, and updated without losing heads', async () => {
    expect(await seedUnitsIfEmpty(harness.db)).toBe(0);
    const hpz = await unitByCode(harness.db, 'HPZ');
    expect(hpz).toMatchObject({ code: 'HPZ', nameZh: '鹤浦镇' });
    expect(await unitByCode(harness.db, 'NOPE')).toBeNull();
    await upsertUnits(harness.db, [{ ...(hpz as NonNullable<typeof hpz>), nameEn: 'Hepu', headName: null }]);
    expect(await unitByCode(harness.db, 'HPZ')).toMatchObject({
      nameEn: 'Hepu',
      headName: hpz?.headName ?? null,
    });
    expect((await loadUnits(harness.db)).map((u) => u.code)).toContain('HPZ');
  });

  it('reports each bad CSV row with its line', () => {
    const { units, problems } = parseUnitsCsv(
      'code,name_zh,name_en,kind\nAB,甲,A,town\nx,乙,B,town\nCD,丙,C,castle\n',
    );
    expect(units.map((u) => u.code)).toEqual(['AB']);
    expect(problems.map((p) => p.line)).toEqual([3, 4]);
  });
});
