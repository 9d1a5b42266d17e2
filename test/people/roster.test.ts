import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRevoked,
  enrolPerson,
  listActivePeople,
  refreshProfile,
  reportedDayUpdate,
  revokePerson,
} from '../../src/people/roster.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('the roster', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('enrols, re-enrols with a new role, refreshes a changed profile only, and revokes', async () => {
    const now = new Date('2025-06-01T00:00:00Z');
    const profile = { displayName: 'Li', username: 'li', language: 'en' };
    const monitor = { role: 'monitor' as const, community: '丹城社区', agency: null };
    expect(await enrolPerson(harness.db, 5, monitor, profile, now)).toEqual({ previousRole: null });
    expect(
      await enrolPerson(harness.db, 5, { role: 'officer', community: null, agency: null }, profile, now),
    ).toEqual({ previousRole: 'monitor' });
    expect(await refreshProfile(harness.db, 5, profile)).toBe(false);
    expect(await refreshProfile(harness.db, 5, { ...profile, username: 'li2' })).toBe(true);
    await reportedDayUpdate(harness.db, 5, now);
    expect(await listActivePeople(harness.db)).toEqual([
      expect.objectContaining({ telegramId: 5, role: 'officer', username: 'li2', lastReportedAt: now }),
    ]);
    expect(await revokePerson(harness.db, 5, now)).toBe('officer');
    expect(await revokePerson(harness.db, 5, now)).toBeNull();
    expect(await refreshProfile(harness.db, 5, profile)).toBe(false);
    expect(await countRevoked(harness.db)).toBe(1);
    expect(await listActivePeople(harness.db)).toEqual([]);
  });
});
