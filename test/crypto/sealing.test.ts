import { afterEach, describe, expect, it } from 'vitest';
import {
  blindIndex,
  blindIndexes,
  configureKeyring,
  currentKeyId,
  generateKey,
  keyIdOf,
  keyIdOfValue,
  parseKeyring,
  SealingError,
  seal,
  unseal,
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
