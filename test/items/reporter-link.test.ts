import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isReporterAudit,
  REPORTER_ACTOR,
  reachableReporter,
  reporterColumns,
  reporterIdOf,
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

  it('stores the sealed id only (null for a logged report): ownership is in the reporter ledger', () => {
    expect(reporterColumns(null)).toEqual({ reporterSealed: null });
    expect(reporterColumns(41)).toEqual({ reporterSealed: '41' });
    expect(reporterIdOf({ reporterSealed: '41' })).toBe(41);
    expect(reporterIdOf({ reporterSealed: 'x' })).toBeNull();
    expect(isReporterAudit({ ...REPORTER_ACTOR })).toBe(true);
    expect(isReporterAudit(null)).toBe(false);
  });

  it('reaches only an enrolled, not revoked monitor or liaison', async () => {
    expect(
      await reachableReporter(harness.db, { reporterSealed: '41', sourceKind: 'monitor' }),
    ).toMatchObject({
      telegramId: 41,
    });
    expect(await reachableReporter(harness.db, { reporterSealed: '42', sourceKind: 'monitor' })).toBeNull();
    expect(await reachableReporter(harness.db, { reporterSealed: '41', sourceKind: 'hotline' })).toBeNull();
    expect(await reachableReporter(harness.db, { reporterSealed: null, sourceKind: 'monitor' })).toBeNull();
  });
});
