import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteSetting,
  getSectionChat,
  getSetting,
  putSetting,
  putSettingIfAbsent,
  setSectionChat,
} from '../src/settings.js';
import { createHarness, type Harness } from './support/harness.js';

describe('settings', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('keeps JSON values by key, and the bound section chat', async () => {
    expect(await getSetting(harness.db, 'missing')).toBeNull();
    await putSetting(harness.db, 'k', { a: 1 });
    await putSetting(harness.db, 'k', { a: 2 });
    expect(await getSetting(harness.db, 'k')).toEqual({ a: 2 });
    expect(await getSectionChat(harness.db)).toBeNull();
    const chat = { chatId: -1001, title: '干部科', boundBy: 900, boundAt: '2025-05-01T00:00:00.000Z' };
    await setSectionChat(harness.db, chat);
    expect(await getSectionChat(harness.db)).toEqual(chat);
  });

  it('writes a value only when the key has none, and says whether it wrote', async () => {
    expect(await putSettingIfAbsent(harness.db, 'first', '2025-01-01T00:00:00.000Z')).toBe(true);
    expect(await putSettingIfAbsent(harness.db, 'first', '2026-01-01T00:00:00.000Z')).toBe(false);
    expect(await getSetting(harness.db, 'first')).toBe('2025-01-01T00:00:00.000Z');
    await putSetting(harness.db, 'kept', 1);
    expect(await putSettingIfAbsent(harness.db, 'kept', 2)).toBe(false);
    expect(await getSetting(harness.db, 'kept')).toBe(1);
  });

  it('gives back a string setting exactly, also one that reads as a JSON number (a hex key id such as 402e3206)', async () => {
    // A data key id is eight hex digits; "402e3206" is also the JSON number 402×10^3206 (Infinity),
    // and a driver that parses jsonb and hands drizzle a string that drizzle parses again turns it into one.
    for (const value of ['402e3206', '12345678', 'true', 'null', '"quoted"', '']) {
      await putSetting(harness.db, 'string', value);
      expect(await getSetting(harness.db, 'string')).toBe(value);
    }
    expect(await putSettingIfAbsent(harness.db, 'absent-string', '1e5')).toBe(true);
    expect(await getSetting(harness.db, 'absent-string')).toBe('1e5');
  });

  it('deletes one setting by key and leaves the others', async () => {
    await putSetting(harness.db, 'gone', true);
    await putSetting(harness.db, 'stays', true);
    expect(await deleteSetting(harness.db, 'gone')).toBe(true);
    expect(await getSetting(harness.db, 'gone')).toBeNull();
    expect(await getSetting(harness.db, 'stays')).toBe(true);
    expect(await deleteSetting(harness.db, 'gone')).toBe(false);
  });
});
