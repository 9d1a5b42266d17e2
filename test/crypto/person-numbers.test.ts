import { afterEach, describe, expect, it } from 'vitest';
import {
  isPersonNumber,
  newPersonNumberKey,
  personNumberOf,
  telegramIdOfPersonNumber,
  usePersonNumberKey,
} from '../../src/crypto/person-numbers.js';
import { allowLegacyValues, configureKeyring, generateKey } from '../../src/crypto/sealing.js';

describe('person numbers (how the database names a person without their Telegram id)', () => {
  afterEach(() => {
    usePersonNumberKey(null);
    allowLegacyValues({ v1: true, clear: true });
  });

  it('turns ids into numbers above every id and back, one number per id', () => {
    configureKeyring([generateKey()]);
    const ids = [0, 1, 2, 777_000, 5_123_456_789, 2 ** 40 + 3, 2 ** 52 - 1];
    const numbers = ids.map(personNumberOf);
    expect(new Set(numbers).size).toBe(ids.length);
    for (const [index, number] of numbers.entries()) {
      expect(isPersonNumber(number)).toBe(true);
      expect(Number.isSafeInteger(number)).toBe(true);
      expect(number).not.toBe(ids[index]);
      expect(telegramIdOfPersonNumber(number, 'people.telegram_id')).toBe(ids[index]);
    }
    // Neighbouring ids do not give neighbouring numbers (the order of ids is not kept).
    expect(Math.abs(personNumberOf(5_123_456_790) - personNumberOf(5_123_456_789))).toBeGreaterThan(1000);
  });

  it('depends on the key: another database key gives other numbers for the same id', () => {
    configureKeyring([generateKey()]);
    const first = personNumberOf(5_123_456_789);
    configureKeyring([generateKey()]);
    const second = personNumberOf(5_123_456_789);
    expect(second).not.toBe(first);
    // A key loaded from the database wins over the one the current data key would make.
    const stored = newPersonNumberKey();
    configureKeyring([generateKey()]);
    usePersonNumberKey(stored);
    expect(personNumberOf(5_123_456_789)).toBe(second);
  });

  it('refuses an id in clear once clear values are no longer read, naming the place only', () => {
    configureKeyring([generateKey()]);
    expect(telegramIdOfPersonNumber(5_123_456_789, 'items.assignee_id')).toBe(5_123_456_789);
    allowLegacyValues({ v1: false, clear: false });
    expect(() => telegramIdOfPersonNumber(5_123_456_789, 'items.assignee_id')).toThrow(
      /^a Telegram id in clear in items\.assignee_id, refused$/,
    );
    expect(() => personNumberOf(-100_123)).toThrow(/below 2\^52/);
    expect(() => personNumberOf(2 ** 52)).toThrow(/below 2\^52/);
  });
});
