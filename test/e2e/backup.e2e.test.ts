// Issue #19, acceptance 3, through the real processes: items, people, a receipt's reply lookup and a
// message still waiting in the outbox survive `backup --out` (taken while the bot runs) → `restore`
// into a fresh place → start; a restore into a non-empty target is refused; a tampered or truncated
// backup fails `backup --check`.
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, type BotDatabase, createBotDatabase } from '../support/bot-process.js';
import { runCliProcess } from '../support/cli-process.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

const admin = user(9900, { name: '赵部长' });
const monitor = user(9901, { name: '丹东信息员' });
const officer = user(9902, { name: '干部科小王' });
const FIRST_TIP = '镇长在防波堤工程中指定施工方，金额约300万元';
const SECOND_TIP = '书记在八小时以外频繁出入私人会所';
const ADDED = '工程款是在三月份支付的';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`backup → restore → start on ${testDatabaseKind}`, { timeout: 300_000 }, () => {
  let session: E2eSession;
  let restored: BotDatabase;
  let bot: BotProcess | null = null;
  let firstReceipt: RecordedCall;
  let file: string;
  const cliIn = (place: BotDatabase, ...args: string[]) =>
    runCliProcess(args, { ...place.env, LOG_LEVEL: 'info' }, place.cwd);

  beforeAll(async () => {
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id) });
    restored = await createBotDatabase();
    file = join(session.database.cwd, 'liaison.backup');
    await session.start();
    await session.enrol(admin, monitor, 'monitor 丹东社区');
    await session.enrol(admin, officer, 'officer');
    firstReceipt = await session.say(monitor, `/tip F-HPZ ${FIRST_TIP}`);
    expect(textOf(firstReceipt)).toContain('#1');
    // Telegram now refuses every message: the second receipt stays in the outbox, waiting.
    session.api.setFaults({ rate500: 1, methods: ['sendMessage'] });
    const mark = session.mark();
    session.push(textMessage(monitor, `/tip S-DXZ ${SECOND_TIP}`));
    await session.api.waitFor(
      (call) => call.seq > mark && call.method === 'sendMessage' && call.params.chat_id === monitor.id,
      30_000,
    );
  }, 300_000);
  afterAll(async () => {
    await bot?.kill();
    await session.dispose();
    await restored.dispose();
  });

  it('backup --out takes a snapshot while the bot runs, owner-only, and --check says it is intact', async () => {
    const taken = await cliIn(session.database, 'backup', '--out', file);
    expect({ code: taken.code, stderr: taken.stderr }).toMatchObject({ code: 0 });
    expect(taken.stdout).toBe('');
    expect(taken.stderr).toContain('backup written');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = await readFile(file);
    for (const secret of [FIRST_TIP, SECOND_TIP, '丹东信息员', String(monitor.id)]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    const checked = await cliIn(session.database, 'backup', '--check', file);
    expect({ code: checked.code, stderr: checked.stderr }).toMatchObject({ code: 0 });
    expect(checked.stdout).toContain('intact');
  });

  it('a tampered or truncated backup fails --check with exit 1', async () => {
    const bytes = await readFile(file);
    const tampered = Buffer.from(bytes);
    const middle = Math.floor(bytes.length / 2);
    tampered[middle] = (tampered[middle] as number) ^ 0x20;
    const cases = { tampered, truncated: bytes.subarray(0, middle) };
    for (const [name, content] of Object.entries(cases)) {
      const path = join(session.database.cwd, `${name}.backup`);
      await writeFile(path, content);
      const checked = await cliIn(session.database, 'backup', '--check', path);
      expect({ name, code: checked.code }).toEqual({ name, code: 1 });
      expect(checked.stderr).toMatch(/changed or cut short|cut short|damaged/);
    }
  });

  it('restores into a fresh place, and refuses the same place once it holds data', async () => {
    await session.stop();
    session.api.setFaults(null);
    const done = await cliIn(restored, 'restore', file);
    expect({ code: done.code, stderr: done.stderr }).toMatchObject({ code: 0 });
    expect(done.stderr).toContain('restored');
    const again = await cliIn(restored, 'restore', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not empty');
  });

  it('the restored bot delivers the waiting receipt, answers a reply to the old one, and knows everyone', async () => {
    const api = session.api;
    const mark = session.mark();
    bot = BotProcess.start(
      { BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.url, ADMIN_IDS: String(admin.id), ...restored.env },
      restored.cwd,
    );
    const started = Date.now();
    while (!bot.text().includes('"bot started"')) {
      if (Date.now() - started > 90_000) throw new Error(`restored bot did not start:\n${bot.text()}`);
      await sleep(50);
    }
    // Pending at backup time, delivered now by the restored bot (a claimed one after its lease).
    const second = await api.waitFor(
      (call) =>
        call.seq > mark &&
        call.status === 200 &&
        call.method === 'sendMessage' &&
        call.params.chat_id === monitor.id &&
        textOf(call).includes('#2'),
      60_000,
    );
    expect(textOf(second)).toContain('S-DXZ');

    // A reply to the receipt sent before the backup is matched to its item through the outbox.
    const replying = session.mark();
    api.pushUpdate(textMessage(monitor, ADDED, { replyTo: firstReceipt.result as object }));
    const added = await session.messageTo(monitor.id, replying);
    expect(textOf(added)).toContain('#1');

    const my = await session.say(monitor, '/my');
    expect(textOf(my)).toContain('#1');
    expect(textOf(my)).toContain('#2');
    const shown = await session.say(officer, '/show 1');
    expect(textOf(shown)).toContain(FIRST_TIP);
    expect(textOf(shown)).toContain(ADDED);
    expect(bot.text()).not.toMatch(/"level":50/);
  });
});
