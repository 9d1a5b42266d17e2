import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberConfigAdminLanguage, revokePerson } from '../../src/people/roster.js';
import {
  activePerson,
  agencyLiaisons,
  displayNames,
  languageOf,
  liaisonsOf,
  personById,
  sectionStaff,
  silentReporterCounts,
  staffName,
  staffRecipients,
} from '../../src/people/store.js';
import { nameStaff } from '../bot/features/queue/fixtures.js';
import { insertPerson } from '../support/digest-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('people lookups', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(10, 'admin', { language: 'en' });
    await harness.enrol(11, 'officer');
    await harness.enrol(12, 'officer');
    await harness.enrol(20, 'liaison', { agency: 'AUD', language: 'en' });
    await harness.enrol(21, 'liaison', { agency: 'CDI' });
    await harness.enrol(30, 'monitor', { community: '丹城社区' });
    await nameStaff(harness.db, { 11: 'Wang' });
    await revokePerson(harness.db, 12, new Date());
  });
  afterAll(() => harness.close());

  it('finds the person behind an update; ADMIN_IDS are admins before enrolling; revoked people are nobody', async () => {
    expect(await activePerson(harness.db, 30, [])).toMatchObject({ role: 'monitor', community: '丹城社区' });
    expect(await activePerson(harness.db, 12, [])).toBeNull();
    expect(await activePerson(harness.db, 99, [99])).toEqual({
      telegramId: 99,
      role: 'admin',
      community: null,
      agency: null,
      language: null,
    });
    expect(await personById(harness.db, 12)).toMatchObject({ role: 'officer', revokedAt: expect.any(Date) });
  });

  it('lists staff, liaisons and alert recipients, and names staff', async () => {
    expect((await sectionStaff(harness.db, false)).map((m) => m.telegramId)).toEqual([10, 11]);
    expect((await sectionStaff(harness.db, true)).map((m) => m.telegramId)).toEqual([10]);
    expect(await agencyLiaisons(harness.db, 'AUD')).toEqual([{ telegramId: 20, language: 'en' }]);
    expect((await liaisonsOf(harness.db, ['AUD', 'CDI'])).map((l) => [l.telegramId, l.agency])).toEqual([
      [20, 'AUD'],
      [21, 'CDI'],
    ]);
    expect(await liaisonsOf(harness.db, [])).toEqual([]);
    expect(await staffRecipients(harness.db, [10, 77, 30], true)).toEqual([
      { chatId: 10, language: 'en' },
      { chatId: 11, language: 'zh-CN' },
      { chatId: 77, language: 'zh-CN' },
    ]);
    // An ADMIN_IDS admin without enrolment is written to in the language their updates carried (issue 18).
    expect(await rememberConfigAdminLanguage(harness.db, 77, 'en-GB')).toBe(true);
    expect(await rememberConfigAdminLanguage(harness.db, 77, 'en-GB')).toBe(false);
    expect(await staffRecipients(harness.db, [10, 77, 30], false)).toEqual([
      { chatId: 10, language: 'en' },
      { chatId: 77, language: 'en' },
    ]);
    expect(await languageOf(harness.db, 77)).toBe('en-GB');
    expect((await activePerson(harness.db, 77, [77]))?.language).toBe('en-GB');
    expect(staffName({ telegramId: 5, displayName: null, username: 'li' })).toBe('@li');
    expect(staffName({ telegramId: 5, displayName: null, username: null })).toBe('#5');
    expect(await displayNames(harness.db, [11, 10])).toEqual(
      new Map([
        [11, 'Wang'],
        [10, null],
      ]),
    );
    expect(await languageOf(harness.db, 20)).toBe('en');
  });
});

describe('silentReporterCounts', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('counts active monitors and liaisons quiet since before the cutoff, by place, monitors first', async () => {
    const old = new Date('2025-01-01T00:00:00Z');
    const cutoff = new Date('2025-03-01T00:00:00Z');
    const recent = new Date('2025-03-05T00:00:00Z');
    const person = (telegramId: number, role: 'monitor' | 'liaison' | 'officer', place: string) => ({
      telegramId,
      role,
      community: role === 'monitor' ? place : null,
      agency: role === 'liaison' ? place : null,
      enrolledAt: old,
    });
    // Never reported since enrolling before the cutoff: silent.
    await insertPerson(harness.db, person(1, 'monitor', '丹城社区'));
    await insertPerson(harness.db, person(2, 'monitor', '丹城社区'));
    await insertPerson(harness.db, person(3, 'monitor', '爵溪社区'));
    await insertPerson(harness.db, person(4, 'liaison', 'CDI'));
    // Last report before the cutoff: silent, even though enrolled earlier still.
    await insertPerson(harness.db, { ...person(5, 'liaison', 'AUD'), lastReportedAt: old });
    // Reported after the cutoff, enrolled after it, revoked, or not a reporter: not counted.
    await insertPerson(harness.db, { ...person(6, 'monitor', '爵溪社区'), lastReportedAt: recent });
    await insertPerson(harness.db, { ...person(7, 'liaison', 'CDI'), enrolledAt: recent });
    await insertPerson(harness.db, { ...person(8, 'monitor', '丹城社区'), revokedAt: old });
    await insertPerson(harness.db, person(9, 'officer', ''));
    // Exactly at the cutoff is not before it.
    await insertPerson(harness.db, { ...person(10, 'liaison', 'AUD'), lastReportedAt: cutoff });

    expect(await silentReporterCounts(harness.db, cutoff)).toEqual([
      { role: 'monitor', place: '丹城社区', count: 2 },
      { role: 'monitor', place: '爵溪社区', count: 1 },
      { role: 'liaison', place: 'AUD', count: 1 },
      { role: 'liaison', place: 'CDI', count: 1 },
    ]);
    expect(await silentReporterCounts(harness.db, old)).toEqual([]);
  });
});
