// Issue #19, point 3: a backup is a consistent logical dump of every table, encrypted whole, that
// restores exactly (every row, every column type, the sequences) into an empty database of either
// kind, refuses a non-empty one, and fails its check when changed or cut short.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase, publicTables, qualified } from '../../src/backup/dump.js';
import { BackupInvalidError, encryptBackup } from '../../src/backup/format.js';
import { RestoreRefusedError, restoreBackup, verifyBackup } from '../../src/backup/restore.js';
import { writeOutputFile } from '../../src/cli/output.js';
import { generateKey } from '../../src/crypto/sealing.js';
import { type Database, type Db, openDatabase, queryRows } from '../../src/db/client.js';
import { items, outbox, pointsDeductions } from '../../src/db/schema.js';
import { createScratchPostgres, TEST_DATABASE_URL, testDatabaseKind } from '../support/database.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TEST_DATA_KEY } from '../support/test-key.js';
import { textMessage, user } from '../support/updates.js';

const KEY = Buffer.from(TEST_DATA_KEY, 'base64');
const TIP_TEXT = '镇长在防波堤工程中指定施工方，金额约300万元';
const MONITOR_NAME = '丹东信息员张某';

/** An empty database of the kind the suite runs on, and how to drop it. */
async function emptyDatabase(): Promise<{ database: Database; dispose(): Promise<void> }> {
  if (!TEST_DATABASE_URL) {
    const database = await openDatabase({ memory: true });
    return { database, dispose: () => database.close() };
  }
  const scratch = await createScratchPostgres();
  const database = await openDatabase({ url: scratch.url, poolSize: 2 });
  return {
    database,
    async dispose() {
      await database.close();
      await scratch.drop();
    },
  };
}

/** Every table's rows as PostgreSQL's own JSON text, sorted: equal iff the contents are equal. */
async function contentsOf(db: Db): Promise<Record<string, string[]>> {
  const contents: Record<string, string[]> = {};
  for (const table of await publicTables(db)) {
    const rows = await queryRows<{ r: string }>(
      db,
      sql.raw(`select to_jsonb(t)::text as r from ${qualified(table)} t`),
    );
    contents[table] = rows.map((row) => row.r).sort();
  }
  return contents;
}

async function sequencesOf(db: Db): Promise<Record<string, string>> {
  const names = await queryRows<{ name: string }>(
    db,
    sql`select sequence_name as name from information_schema.sequences where sequence_schema = 'public'`,
  );
  const states: Record<string, string> = {};
  for (const { name } of names) {
    const [row] = await queryRows<{ last_value: unknown; is_called: unknown }>(
      db,
      sql.raw(`select last_value, is_called from ${qualified(name)}`),
    );
    states[name] = `${row?.last_value}/${row?.is_called}`;
  }
  return states;
}

describe(`backup and restore on ${testDatabaseKind}`, { timeout: 120_000 }, () => {
  let harness: Harness;
  let folder: string;
  let file: string;

  beforeAll(async () => {
    harness = await createHarness();
    folder = await mkdtemp(join(tmpdir(), 'backup-'));
    file = join(folder, 'db.backup');
    await harness.enrol(7001, 'monitor', { community: '丹东社区' });
    await harness.enrol(7002, 'officer');
    const [receipt] = await harness.send(
      textMessage(user(7001, { name: MONITOR_NAME }), `/tip F-HPZ ${TIP_TEXT}`),
    );
    // As the sender would: a delivered receipt keeps its Telegram message id, for replies to it.
    await harness.db
      .update(outbox)
      .set({ status: 'sent', resultMessageId: 4242 })
      .where(eq(outbox.id, receipt?.id ?? 0));
    await harness.send(textMessage(user(7001), '/tip S-DXZ 书记酒驾'));
    // Column types a backup must carry exactly: bytea, numeric, a bigint beyond 2^53, jsonb.
    await harness.db.execute(
      sql`insert into outbox (chat_id, method, file_bytes, file_name)
          values (9007199254740993, 'sendDocument', ${Buffer.from([0, 1, 2, 250, 255])}, 'x.bin')`,
    );
    await harness.db
      .insert(pointsDeductions)
      .values({ unitCode: 'HPZ', personKey: 'unknown:HPZ', year: 2026, points: 1.5 });
    const dump = dumpDatabase(harness.database);
    await writeOutputFile(file, encryptBackup(dump.lines, KEY));
    await dump.summary;
  });
  afterAll(async () => {
    await harness.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('holds no readable text, name or id, and not the key', async () => {
    const bytes = await readFile(file);
    for (const secret of [TIP_TEXT, MONITOR_NAME, '7001', 'F-HPZ', TEST_DATA_KEY, KEY.toString('hex')]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    expect(bytes.subarray(0, 20).toString()).toBe('LIAISON-BOT-BACKUP 1');
  });

  it('verifies, and restores every row, column type and sequence exactly into an empty database', async () => {
    const contents = await verifyBackup(file, [KEY]);
    expect(contents.perTable.items).toBe(2);
    expect(contents.perTable.people).toBe(2);
    const target = await emptyDatabase();
    try {
      await restoreBackup(target.database, file, [KEY], 'the test target');
      expect(await contentsOf(target.database.db)).toEqual(await contentsOf(harness.db));
      expect(await sequencesOf(target.database.db)).toEqual(await sequencesOf(harness.db));
      // The restored database goes on where the old one stopped: the next item is #3.
      const [next] = await queryRows<{ id: number }>(
        target.database.db,
        sql`insert into items (kind, source_kind, signed, domain, unit_code, text)
            values ('tip', 'monitor', false, 'F', 'HPZ', 'x') returning id`,
      );
      expect(Number(next?.id)).toBe(3);
      const [big] = await queryRows<{ chat: string }>(
        target.database.db,
        sql`select chat_id::text as chat from outbox where file_name = 'x.bin'`,
      );
      expect(big?.chat).toBe('9007199254740993');
    } finally {
      await target.dispose();
    }
  });

  it('the restored receipt still answers a reply, and its item reads', async () => {
    const target = await emptyDatabase();
    try {
      await restoreBackup(target.database, file, [KEY], 'the test target');
      const [lookup] = await target.database.db
        .select({ ref: outbox.ref })
        .from(outbox)
        .where(eq(outbox.resultMessageId, 4242));
      expect(lookup?.ref).toBe('receipt:1');
      const [item] = await target.database.db.select({ text: items.text }).from(items).where(eq(items.id, 1));
      expect(item?.text).toBe(TIP_TEXT);
    } finally {
      await target.dispose();
    }
  });

  it('refuses a target that holds any row, and changes nothing there', async () => {
    const target = await emptyDatabase();
    try {
      await restoreBackup(target.database, file, [KEY], 'the test target');
      const before = await contentsOf(target.database.db);
      const again = await restoreBackup(target.database, file, [KEY], 'the test target').catch(
        (error) => error,
      );
      expect(again).toBeInstanceOf(RestoreRefusedError);
      expect(String(again)).toContain('is not empty');
      expect(await contentsOf(target.database.db)).toEqual(before);
    } finally {
      await target.dispose();
    }
  });

  it('fails the check when any byte changed, when cut short, or without its key', async () => {
    const bytes = await readFile(file);
    const bodyStart = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
    const damaged: Record<string, Buffer> = {};
    for (const [name, offset] of [
      ['header', 30],
      ['body start', bodyStart + 3],
      ['body middle', Math.floor((bodyStart + bytes.length) / 2)],
      ['tag', bytes.length - 5],
    ] as const) {
      const copy = Buffer.from(bytes);
      copy[offset] = (copy[offset] as number) ^ 0x01;
      damaged[name] = copy;
    }
    damaged['cut in half'] = bytes.subarray(0, Math.floor(bytes.length / 2));
    damaged['cut by one byte'] = bytes.subarray(0, bytes.length - 1);
    damaged['header only'] = bytes.subarray(0, bodyStart);
    const target = await emptyDatabase();
    try {
      for (const [name, content] of Object.entries(damaged)) {
        const path = join(folder, `${name}.backup`);
        await writeFile(path, content);
        const outcome = await verifyBackup(path, [KEY]).catch((error) => error);
        expect({ name, invalid: outcome instanceof BackupInvalidError }).toEqual({ name, invalid: true });
        // Nothing of a damaged backup reaches a target: not a row, not even the schema.
        const restored = await restoreBackup(target.database, path, [KEY], 'the test target').catch((e) => e);
        expect({ name, invalid: restored instanceof BackupInvalidError }).toEqual({ name, invalid: true });
        expect(await publicTables(target.database.db)).toEqual([]);
      }
    } finally {
      await target.dispose();
    }
    const wrongKey = await verifyBackup(file, [generateKey()]).catch((error) => error);
    expect(wrongKey).toBeInstanceOf(BackupInvalidError);
    expect(String(wrongKey)).toContain('which this keyring does not have');
  });

  it('a dump without its closing line is refused even when its encryption is intact', async () => {
    // Cut short before it was encrypted (a dump that died half-way): the tag holds, the structure does not.
    async function* withoutClosing(): AsyncGenerator<string> {
      const dump = dumpDatabase(harness.database);
      for await (const line of dump.lines) if (!String(line).startsWith('Z ')) yield line as string;
    }
    const path = join(folder, 'no-closing.backup');
    await writeOutputFile(path, encryptBackup(withoutClosing(), KEY));
    await expect(verifyBackup(path, [KEY])).rejects.toThrow(/no closing line/);
  });
});
