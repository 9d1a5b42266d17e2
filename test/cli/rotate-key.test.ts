import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKeyCommand } from '../../src/cli/rotate-key.js';
import { defaultKeyFilePath, readKeyFile, writeKeyFile } from '../../src/crypto/key-store.js';
import { countNotUnderCurrentKey } from '../../src/crypto/reseal.js';
import {
  blindIndexFor,
  configureKeyring,
  generateKey,
  keyIdOf,
  keyIdOfValue,
} from '../../src/crypto/sealing.js';
import { queryRows } from '../../src/db/client.js';
import { itemAdditions, items, people } from '../../src/db/schema.js';
import { getDialogue, setDialogue } from '../../src/dialogues.js';
import { buildDigest } from '../../src/digests/compose.js';
import { translatorFor } from '../../src/i18n.js';
import { concludeItem } from '../../src/items/conclusion.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { capture, runCommand } from '../support/cli.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TEST_DATA_KEY } from '../support/test-key.js';
import { textMessage, user } from '../support/updates.js';

const testKey = Buffer.from(TEST_DATA_KEY, 'base64');
const MONITOR = 7101;
const LIAISON = 7102;
const OFFICER = 7103;
const ZONE = 'Asia/Shanghai';
const TEXT = '镇长在防波堤工程中指定施工方，金额约300万元';

describe('CLI rotate-key', () => {
  let harness: Harness;
  // DATA_DIR is a child of `parent`, so the key folder beside it (<DATA_DIR>-key) is removed with it.
  let parent: string;
  let dataDir: string;
  let keyFile: string;

  const readAll = async () => ({
    items: await harness.db.select({ id: items.id, text: items.text }).from(items).orderBy(asc(items.id)),
    additions: await harness.db.select({ text: itemAdditions.text }).from(itemAdditions),
    // Sorted: resealing rewrites rows, so their order in the table changes.
    names: (await harness.db.select({ name: people.displayName }).from(people)).map((row) => row.name).sort(),
  });

  beforeAll(async () => {
    configureKeyring([testKey]);
    parent = await mkdtemp(join(tmpdir(), 'liaison-rotate-'));
    dataDir = join(parent, 'data');
    keyFile = defaultKeyFilePath(dataDir);
    await writeKeyFile(keyFile, [testKey]);
    harness = await createHarness();
    await harness.enrol(MONITOR, 'monitor', { community: '丹东社区' });
    for (let n = 0; n < 5; n += 1) {
      await harness.send(textMessage(user(MONITOR, { name: '张保密' }), `/tip F-HPZ ${TEXT} 第${n}次`));
    }
    await harness.send(textMessage(user(MONITOR, { name: '张保密' }), '/add 1 工程款是在三月份支付的'));
    // For the last test: an officer, and item 5 forwarded to the audit bureau, whose liaison is enrolled.
    await harness.enrol(OFFICER, 'officer');
    await harness.enrol(LIAISON, 'liaison', { agency: 'AUD' });
    await harness.db.execute(
      sql`update items set status = 'forwarded', forwarded_agency = 'AUD' where id = 5`,
    );
    // A guided tip the liaison left half-written before the rotations.
    await setDialogue(harness.db, LIAISON, { kind: 'tip', step: 'text', data: { text: '草稿：工程款' } });
  });
  afterAll(async () => {
    await harness.close();
    await rm(parent, { recursive: true, force: true });
    configureKeyring([testKey]);
  });

  it('re-encrypts every value under a new key in batches, and a restart with only the new key reads everything', async () => {
    const before = await readAll();
    expect(before.items).toHaveLength(5);
    const out = capture();
    const config = { ...harness.config, dataKeys: undefined, databaseUrl: undefined, dataDir };
    expect(await runCommand(rotateKeyCommand, harness, ['--batch', '2'], out.stream, config)).toBe(0);
    const ring = await readKeyFile(keyFile);
    expect(ring).toHaveLength(1);
    const next = ring?.[0] as Buffer;
    expect(keyIdOf(next)).not.toBe(keyIdOf(testKey));
    expect(out.text()).toMatch(/items\.text: 5/);
    expect(out.text()).toContain(`retired old keys: ${keyIdOf(testKey)}`);
    // Backups are not re-encrypted: the operator hears which key the older ones need, by id only.
    expect(out.text()).toContain(
      `backups taken before this rotation are encrypted under key ${keyIdOf(testKey)}`,
    );
    expect(out.text()).not.toContain(TEST_DATA_KEY);
    expect(out.text()).toContain(`written first into ${keyFile}`);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

    // A restart: the process knows only what the key file now holds.
    configureKeyring(ring as Buffer[]);
    expect(await readAll()).toEqual(before);
    expect(await countNotUnderCurrentKey(harness.db)).toBe(0);
    const [row] = await queryRows<{ text: string; reporter_ref: string | null }>(
      harness.db,
      sql`select text, reporter_ref from items order by id limit 1`,
    );
    expect(keyIdOfValue(row?.text ?? '')).toBe(keyIdOf(next));
    expect(row?.reporter_ref).toBeNull();
    // The reporter's ledger is re-keyed: one row, its key and its entries under the new key.
    const ledgers = await queryRows<{ key: string; entries: string }>(
      harness.db,
      sql`select key, entries from reporter_ledgers`,
    );
    expect(ledgers).toHaveLength(1);
    expect(ledgers[0]?.key).toBe(blindIndexFor('ledger', String(MONITOR)));
    expect(keyIdOfValue(ledgers[0]?.entries ?? '')).toBe(keyIdOf(next));
    // Ownership lookups follow the new blind index: /my still lists the reporter's items.
    const [mine] = await harness.send(textMessage(user(MONITOR), '/my'));
    expect(mine?.text).toContain('#5');
  });

  it('resumes an interrupted rotation instead of starting another', async () => {
    const [current] = (await readKeyFile(keyFile)) as Buffer[];
    const newer = generateKey();
    // As if a run had written the new key and then died before re-encrypting anything.
    await writeKeyFile(keyFile, [newer, current as Buffer]);
    configureKeyring([newer, current as Buffer]);
    const out = capture();
    const config = { ...harness.config, dataKeys: undefined, databaseUrl: undefined, dataDir };
    expect(await runCommand(rotateKeyCommand, harness, [], out.stream, config)).toBe(0);
    expect(out.text()).toContain(`resuming the rotation to key ${keyIdOf(newer)}`);
    expect((await readKeyFile(keyFile))?.map(keyIdOf)).toEqual([keyIdOf(newer)]);
    configureKeyring([newer]);
    expect((await readAll()).items.map((item) => item.text)).toEqual(
      [0, 1, 2, 3, 4].map((n) => `${TEXT} 第${n}次`),
    );
    const [mine] = await harness.send(textMessage(user(MONITOR), '/my'));
    expect(mine?.text).toContain('#5');
    expect(mine?.text).toContain('#1');
  });

  it('with DATA_KEY, prints a new key and the steps, then re-encrypts once the operator put it first', async () => {
    const [current] = (await readKeyFile(keyFile)) as Buffer[];
    const envConfig = { ...harness.config, dataKeys: [current as Buffer] };
    const first = capture();
    expect(await runCommand(rotateKeyCommand, harness, [], first.stream, envConfig)).toBe(0);
    const printed = /DATA_KEY=([A-Za-z0-9+/=]+),<current DATA_KEY>/.exec(first.text())?.[1];
    expect(printed).toBeDefined();
    const next = Buffer.from(printed as string, 'base64');
    configureKeyring([next, current as Buffer]);
    const second = capture();
    const rotated = { ...harness.config, dataKeys: [next, current as Buffer] };
    expect(await runCommand(rotateKeyCommand, harness, [], second.stream, rotated)).toBe(0);
    expect(second.text()).toContain(`remove the old keys (${keyIdOf(current as Buffer)}) from DATA_KEY`);
    expect(second.text()).toContain(
      `backups taken before this rotation are encrypted under key ${keyIdOf(current as Buffer)}`,
    );
    configureKeyring([next]);
    expect((await readAll()).additions).toEqual([{ text: '工程款是在三月份支付的' }]);
    const [mine] = await harness.send(textMessage(user(MONITOR), '/my'));
    expect(mine?.text).toContain('#5');
    await harness.send(textMessage(user(MONITOR), '/add 2 还有一个证人'));
    expect((await readAll()).additions).toHaveLength(2);
    expect(await readFile(keyFile, 'utf8')).not.toContain(next.toString('base64'));
  });

  it('after the rotations, a draft from before them is still there (its row key does not follow the data key)', async () => {
    expect(await getDialogue(harness.db, LIAISON)).toEqual({
      kind: 'tip',
      step: 'text',
      data: { text: '草稿：工程款' },
    });
  });

  it('after the rotations, a conclusion still tells its reporter and the monthly circulation reaches the liaison', async () => {
    // Only the latest key is held now; the reporter's link, the officer and the liaison date from before.
    await harness.db.execute(sql`update items set status = 'verifying' where id = 4`);
    const [item] = await harness.db.select({ version: items.version }).from(items).where(eq(items.id, 4));
    const out = new OutboxBuffer();
    const outcome = await concludeItem(
      harness.db,
      out,
      {
        itemId: 4,
        version: item?.version ?? 0,
        conclusion: { finding: 'substantiated', measures: ['talk'], points: null, note: '' },
      },
      { viewer: { telegramId: OFFICER, admin: false }, now: new Date(), timeZone: ZONE },
    );
    expect(outcome).toMatchObject({ kind: 'concluded' });
    expect(out.messages.map((message) => [message.chatId, message.ref])).toContainEqual([
      MONITOR,
      'feedback:4',
    ]);
    // The circulation of this month, built at the start of the next: item 5 goes to AUD's liaison.
    const at = DateTime.now()
      .setZone(ZONE)
      .plus({ months: 1 })
      .startOf('month')
      .plus({ hours: 1 })
      .toJSDate();
    const built = await buildDigest(
      harness.db,
      'monthly',
      { at, timeZone: ZONE, botUsername: 'liaison_test_bot', includeAdminsOnly: false, adminOnlyUnits: [] },
      translatorFor('zh-CN'),
    );
    expect(built.agencyMessages.map((message) => [message.chatId, message.agency])).toEqual([
      [LIAISON, 'AUD'],
    ]);
    expect(built.agencyMessages[0]?.message.text).toContain('#5');
  });
});
