import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowLegacyValues, columnPlace, SealingError, sealAt } from '../../src/crypto/sealing.js';
import {
  isReporterAudit,
  REPORTER_ACTOR,
  reachableReporter,
  reporterIdOf,
  sealedReporterFor,
} from '../../src/items/reporter-link.js';
import { revokePerson } from '../../src/people/roster.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('the sealed reporter link', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(41, 'monitor');
    await harness.enrol(42, 'monitor');
    await revokePerson(harness.db, 42, new Date());
  });
  afterAll(() => harness.close());

  it('seals the reporter for its item only (null for a logged report): ownership is in the reporter ledger', () => {
    // A long id: two digits turn up by chance in base64 about once in seventy values.
    const sealed = sealedReporterFor(7, 5_123_456_789);
    expect(sealed).not.toContain('5123456789');
    expect(reporterIdOf({ id: 7, reporterSealed: sealed })).toBe(5_123_456_789);
    expect(reporterIdOf({ id: 7, reporterSealed: null })).toBeNull();
    expect(isReporterAudit({ ...REPORTER_ACTOR })).toBe(true);
    expect(isReporterAudit(null)).toBe(false);
  });

  it("refuses one item's sealed reporter copied onto another, and any other column's sealed value", () => {
    // A database writer without the key moving item 7's reporter onto item 8 to redirect /ask there.
    expect(() => reporterIdOf({ id: 8, reporterSealed: sealedReporterFor(7, 41) })).toThrow(SealingError);
    const itemText = sealAt(columnPlace('items', 'text'), '41');
    expect(() => reporterIdOf({ id: 7, reporterSealed: itemText })).toThrow(
      /items.reporter_sealed \(row 7\)/,
    );
  });

  it('refuses a value planted in clear once legacy values are not allowed, naming the place, never the value', () => {
    allowLegacyValues({ v1: false, clear: false });
    try {
      let message = '';
      try {
        reporterIdOf({ id: 7, reporterSealed: '4242424242' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/items.reporter_sealed \(row 7\) holds a value that is not sealed: refused/);
      expect(message).not.toContain('4242424242');
    } finally {
      allowLegacyValues({ v1: true, clear: true });
    }
  });

  it('reaches only an enrolled, not revoked monitor or liaison', async () => {
    const item = (reporter: number | null, sourceKind: string) => ({
      id: 9,
      reporterSealed: reporter === null ? null : sealedReporterFor(9, reporter),
      sourceKind,
    });
    expect(await reachableReporter(harness.db, item(41, 'monitor'))).toMatchObject({ telegramId: 41 });
    expect(await reachableReporter(harness.db, item(42, 'monitor'))).toBeNull();
    expect(await reachableReporter(harness.db, item(41, 'hotline'))).toBeNull();
    expect(await reachableReporter(harness.db, item(null, 'monitor'))).toBeNull();
  });
});
