import { afterEach, describe, expect, it } from 'vitest';
import {
  allowLegacyValues,
  blindIndex,
  blindIndexes,
  blindIndexesFor,
  blindIndexFor,
  formatOfValue,
  configureKeyring,
  currentKeyId,
  generateKey,
  keyIdOf,
  keyIdOfValue,
  parseKeyring,
  SealingError,
  seal,
  sealAt,
  unseal,
  unsealAt,
} from '../../src/crypto/sealing.js';
import { TEST_DATA_KEY } from '../support/test-key.js';

const testKey = Buffer.from(TEST_DATA_KEY, 'base64');

describe('sealing', () => {
  afterEach(() => configureKeyring([testKey]));

  it('seals with a fresh nonce in the v1 format and unseals back', () => {
    const first = seal('镇长指定施工方');
    const second = seal('镇长指定施工方');
    expect(first).not.toBe(second);
    expect(first).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+$/);
    expect(first.split('.')[1]).toBe(keyIdOf(testKey));
    expect(first).not.toContain('施工');
    expect(unseal(first)).toBe('镇长指定施工方');
    expect(unseal(seal(''))).toBe('');
  });

  it('rejects a tampered value instead of returning altered text', () => {
    const sealed = seal('300万元');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] as string, 'base64');
    body[0] = (body[0] as number) ^ 1;
    parts[3] = body.toString('base64');
    expect(() => unseal(parts.join('.'))).toThrow(SealingError);
  });

  it('reads values in clear from before sealing as they are', () => {
    expect(unseal('{"text":"old"}')).toBe('{"text":"old"}');
  });

  it('unseals old values after a rotation and refuses keys not in the ring', () => {
    const old = seal('旧的');
    const next = generateKey();
    configureKeyring([next, testKey]);
    expect(currentKeyId()).toBe(keyIdOf(next));
    expect(unseal(old)).toBe('旧的');
    expect(keyIdOfValue(seal('新的'))).toBe(keyIdOf(next));
    configureKeyring([next]);
    expect(() => unseal(old)).toThrow(/not in the keyring/);
  });

  it('gives a keyed, stable blind index and finds it under every ring key during a rotation', () => {
    const before = blindIndex('reporter:7001');
    expect(blindIndex('reporter:7001')).toBe(before);
    expect(blindIndex('reporter:7002')).not.toBe(before);
    expect(before).not.toContain('7001');
    const next = generateKey();
    configureKeyring([next, testKey]);
    expect(blindIndex('reporter:7001')).not.toBe(before);
    expect(blindIndexes('reporter:7001')).toContain(before);
    expect(keyIdOfValue(before)).toBe(keyIdOf(testKey));
  });

  it('parses a keyring and refuses keys that are not 32 bytes of base64', () => {
    const other = generateKey();
    expect(parseKeyring(`${TEST_DATA_KEY},${other.toString('base64')}`)).toEqual([testKey, other]);
    expect(() => parseKeyring('c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseKeyring('')).toThrow(SealingError);
    expect(() => configureKeyring([testKey, testKey])).toThrow(/twice/);
  });
});

describe('sealing bound to its place (v2)', () => {
  const text = { table: 'items', column: 'text', row: 12 };
  afterEach(() => {
    configureKeyring([testKey]);
    allowLegacyValues({ v1: true, clear: true });
  });

  it('seals in the v2 format with a fresh nonce and opens only at the same table, column and row', () => {
    const first = sealAt(text, '镇长指定施工方');
    expect(first).toMatch(/^v2\.[0-9a-f]{8}\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]*\.[A-Za-z0-9+/=]+$/);
    expect(sealAt(text, '镇长指定施工方')).not.toBe(first);
    expect(unsealAt(text, first)).toBe('镇长指定施工方');
    expect(keyIdOfValue(first)).toBe(keyIdOf(testKey));
    // Another row of the same column: one item's sealed reporter copied into another does not open.
    expect(() => unsealAt({ ...text, row: 13 }, first)).toThrow(/items\.text \(row 13\).*another place/);
    // Another column, another table: an item's text copied into an officer's display name does not open.
    expect(() => unsealAt({ ...text, column: 'reference' }, first)).toThrow(SealingError);
    expect(() => unsealAt({ table: 'people', column: 'display_name', row: 12 }, first)).toThrow(SealingError);
    // A value sealed for row "1" is not the value for row "12" even though one prefixes the other.
    expect(() => unsealAt({ ...text, row: 1 }, sealAt({ ...text, row: '12' }, 'x'))).toThrow(SealingError);
  });

  it('says where a refused value was, never what it holds', () => {
    const planted = sealAt(text, '秘密内容MKSECRET');
    let message = '';
    try {
      unsealAt({ ...text, row: 99 }, planted);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('items.text (row 99)');
    expect(message).not.toContain('MKSECRET');
  });

  it('uses a subkey: a v2 value does not open with the data key as v1 did', () => {
    const sealed = sealAt(text, 'abc');
    const asV1 = `v1.${sealed.slice(3)}`;
    expect(() => unseal(asV1)).toThrow(SealingError);
  });

  it('reads v1 and clear values only while they are allowed, and refuses them without their content after', () => {
    const old = seal('旧格式');
    expect(formatOfValue(old)).toBe('v1');
    expect(formatOfValue(sealAt(text, 'x'))).toBe('v2');
    expect(formatOfValue('plain')).toBe('clear');
    expect(unsealAt(text, old)).toBe('旧格式');
    expect(unsealAt(text, 'written before sealing')).toBe('written before sealing');
    allowLegacyValues({ v1: false, clear: false });
    expect(() => unsealAt(text, old)).toThrow(/items\.text \(row 12\) holds a value in the old v1 format/);
    expect(() => unsealAt(text, 'planted MKCLEAR')).toThrow(/is not sealed: refused/);
    try {
      unsealAt(text, 'planted MKCLEAR');
    } catch (error) {
      expect((error as Error).message).not.toContain('MKCLEAR');
    }
  });

  it('gives blind indexes that differ by purpose, so one person is not the same value in two tables', () => {
    expect(blindIndexFor('person', '7001')).not.toBe(blindIndexFor('chat', '7001'));
    expect(blindIndexFor('person', '7001')).toBe(blindIndexFor('person', '7001'));
    expect(blindIndexesFor('ledger', '7001')).toContain(blindIndexFor('ledger', '7001'));
  });

  it('opens values sealed under an older key of the ring during a rotation', () => {
    const old = sealAt(text, '轮换前');
    configureKeyring([generateKey(), testKey]);
    expect(unsealAt(text, old)).toBe('轮换前');
    configureKeyring([generateKey()]);
    expect(() => unsealAt(text, old)).toThrow(/not in the keyring/);
  });
});
