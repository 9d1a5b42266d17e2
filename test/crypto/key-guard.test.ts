import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { checkDatabaseKey } from '../../src/crypto/key-guard.js';
import { configureKeyring, currentKeyId, generateKey, keyIdOf } from '../../src/crypto/sealing.js';
import type { Database } from '../../src/db/client.js';
import { getSetting } from '../../src/settings.js';
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
