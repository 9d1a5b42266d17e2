import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { provided } from '../support/database.js';

/**
 * The embedded database starts with a small buffer pool (issue #20: PGlite touches the whole pool at
 * start, and 128 MB of it was most of the bot's idle memory), and the setting does not replace the
 * settings its data directory already holds.
 */
describe('the embedded database (PGlite) as the bot opens it', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'embedded-settings-'));
    const template = provided('pgliteTemplateFolder');
    if (template) await cp(template, join(folder, 'data', 'pgdata'), { recursive: true });
  }, 60_000);
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const settings = async (target: Parameters<typeof openDatabase>[0]) => {
    const database = await openDatabase(target);
    try {
      const [buffers] = await queryRows<{ shared_buffers: string }>(database.db, sql`show shared_buffers`);
      const [zone] = await queryRows<{ TimeZone: string }>(database.db, sql`show timezone`);
      return { sharedBuffers: buffers?.shared_buffers, timeZone: zone?.TimeZone };
    } finally {
      await database.close();
    }
  };

  it('a data folder opens with 16 MB of shared buffers, twice, keeping its own time zone setting', async () => {
    const dataDir = join(folder, 'data');
    expect(await settings({ dataDir })).toEqual({ sharedBuffers: '16MB', timeZone: 'UTC' });
    expect(await settings({ dataDir })).toEqual({ sharedBuffers: '16MB', timeZone: 'UTC' });
  }, 60_000);

  it('so does an in-memory database (the tests)', async () => {
    expect((await settings({ memory: true })).sharedBuffers).toBe('16MB');
  }, 60_000);
});
