import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config.js';
import {
  checkDatabaseKey,
  DatabaseKeyLostError,
  findDatabaseKeyLoss,
  watchDatabaseKey,
} from '../../src/crypto/key-guard.js';
import { configureKeyring, currentKeyId, generateKey, keyIdOf } from '../../src/crypto/sealing.js';
import type { Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { getSetting, putSetting } from '../../src/settings.js';
import { createTestDatabase } from '../support/database.js';

describe('checkDatabaseKey', () => {
  let database: Database;
  const first = generateKey();
  const second = generateKey();
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('records the key a new database is sealed under, and refuses a process with another key', async () => {
    configureKeyring([first]);
    await checkDatabaseKey(database.db, [keyIdOf(first)]);
    expect(await getSetting(database.db, 'data_key_id')).toBe(keyIdOf(first));
    configureKeyring([second]);
    const refused = await checkDatabaseKey(database.db, [keyIdOf(second)]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems[0]).toMatch(
      /^DATA_KEY: this database is encrypted with data key/,
    );
  });

  it('accepts a keyring that still holds the old key during a rotation, and moves the record on', async () => {
    configureKeyring([second, first]);
    await checkDatabaseKey(database.db, [keyIdOf(second), keyIdOf(first)]);
    expect(await getSetting(database.db, 'data_key_id')).toBe(currentKeyId());
    expect(currentKeyId()).toBe(keyIdOf(second));
  });
});

describe('the running check of the database key', () => {
  let database: Database;
  const ours = generateKey();
  const theirs = generateKey();
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('says nothing while the recorded key is in the ring, and reports once, by id only, when it no longer is', async () => {
    configureKeyring([ours]);
    await checkDatabaseKey(database.db, [keyIdOf(ours)]);
    expect(await findDatabaseKeyLoss(database.db)).toBeNull();
    const lost: DatabaseKeyLostError[] = [];
    const watch = watchDatabaseKey(database.db, createLogger('silent'), (error) => lost.push(error), 20);
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lost).toEqual([]);
      // Another process rotated the shared database to a key this one does not have.
      await putSetting(database.db, 'data_key_id', keyIdOf(theirs));
      await vi.waitFor(() => expect(lost).toHaveLength(1), { timeout: 5_000, interval: 20 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lost).toHaveLength(1);
      const [error] = lost;
      expect(error).toBeInstanceOf(DatabaseKeyLostError);
      expect(error?.recorded).toBe(keyIdOf(theirs));
      expect(error?.message).toContain(keyIdOf(theirs));
      expect(error?.message).toContain(keyIdOf(ours));
      for (const key of [ours, theirs]) {
        expect(error?.message).not.toContain(key.toString('base64'));
        expect(error?.message).not.toContain(key.toString('hex'));
      }
    } finally {
      watch.stop();
    }
  });
});
