import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBackup } from '../../src/backup/restore.js';
import { backupFileName, writeScheduledBackup } from '../../src/backup/schedule.js';
import { testDatabaseKind } from '../support/database.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TEST_DATA_KEY } from '../support/test-key.js';

describe(`scheduled backups on ${testDatabaseKind}`, () => {
  let harness: Harness;
  let folder: string;
  beforeAll(async () => {
    harness = await createHarness({ DATA_KEY: TEST_DATA_KEY });
    folder = await mkdtemp(join(tmpdir(), 'scheduled-'));
  });
  afterAll(async () => {
    await harness.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('writes owner-only backups named by local time, keeps the newest BACKUP_KEEP, and leaves other files alone', async () => {
    const dir = join(folder, 'backups');
    await writeFile(join(folder, 'placeholder'), '');
    const config = { ...harness.config, backup: { dir, keep: 2 } };
    const times = ['2026-03-01T19:00:00Z', '2026-03-02T19:00:00Z', '2026-03-03T19:00:00Z'].map(
      (t) => new Date(t),
    );
    const written: string[] = [];
    for (const at of times) written.push((await writeScheduledBackup(harness.database, config, at)).path);
    await writeFile(join(dir, 'notes.txt'), 'kept');
    await writeScheduledBackup(harness.database, config, new Date('2026-03-04T19:00:00Z'));
    // Shanghai is UTC+8: 19:00 UTC is 03:00 the next day there.
    expect(backupFileName(times[0] as Date, 'Asia/Shanghai')).toBe('liaison-bot-20260302-030000.backup');
    expect((await readdir(dir)).sort()).toEqual([
      'liaison-bot-20260304-030000.backup',
      'liaison-bot-20260305-030000.backup',
      'notes.txt',
    ]);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const newest = join(dir, 'liaison-bot-20260305-030000.backup');
    expect((await stat(newest)).mode & 0o777).toBe(0o600);
    const contents = await verifyBackup(newest, [Buffer.from(TEST_DATA_KEY, 'base64')]);
    expect(contents.perTable.units).toBeGreaterThan(0);
    expect(written).toHaveLength(3);
  });
});
