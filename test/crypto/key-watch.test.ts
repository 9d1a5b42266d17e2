// Issue #14, point 5: a running bot re-checks that its keyring still opens the database. Another
// process finishing a rotation (or the database replaced under it) must stop this one, rather than let
// it seal rows under a key the database has left.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkDatabaseKey, type DatabaseKeyLostError } from '../../src/crypto/key-guard.js';
import { configureKeyring, generateKey, keyIdOf } from '../../src/crypto/sealing.js';
import { startBackgroundJobs } from '../../src/jobs.js';
import { createLogger } from '../../src/logger.js';
import { putSetting } from '../../src/settings.js';
import { testDatabaseKind } from '../support/database.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TEST_DATA_KEY } from '../support/test-key.js';

describe(`the background jobs' data key check on ${testDatabaseKind}`, () => {
  let harness: Harness;
  const testKey = Buffer.from(TEST_DATA_KEY, 'base64');
  beforeAll(async () => {
    configureKeyring([testKey]);
    harness = await createHarness({ DATA_KEY: TEST_DATA_KEY });
    await checkDatabaseKey(harness.db, [keyIdOf(testKey)]);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('reports a database moved to a key this process lacks, once, and the jobs still stop cleanly', async () => {
    const lost: DatabaseKeyLostError[] = [];
    const jobs = startBackgroundJobs(
      harness.database,
      harness.config,
      createLogger('silent'),
      harness.services,
      () => {},
      { onLost: (error) => lost.push(error), intervalMs: 25 },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(lost).toEqual([]);
      // What rotate-key run by another process records once it re-encrypted everything.
      const elsewhere = generateKey();
      await putSetting(harness.db, 'data_key_id', keyIdOf(elsewhere));
      await vi.waitFor(() => expect(lost).toHaveLength(1), { timeout: 5_000, interval: 25 });
      expect(lost[0]?.recorded).toBe(keyIdOf(elsewhere));
      expect(lost[0]?.keyIds).toEqual([keyIdOf(testKey)]);
      expect(lost[0]?.message).not.toContain(TEST_DATA_KEY);
      expect(lost[0]?.message).not.toContain(elsewhere.toString('base64'));
    } finally {
      await jobs.stop();
      await putSetting(harness.db, 'data_key_id', keyIdOf(testKey));
    }
  });
});
