/**
 * The leak hunt (`npm run test:leaks`): every feature is run through the in-process bot with marker
 * strings in tip texts, additions, answers, notes, references, file ids and reporters' names,
 * usernames and Telegram ids; every output — each queued message, digest, export, log line and
 * the whole database — is checked against the access table: a marker may appear only where it is
 * allowed, and nowhere in clear at rest.
 */
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/buttons.js';
import { exportCommand } from '../../src/cli/export.js';
import { queryRows } from '../../src/db/client.js';
import { type DigestDeps, runDigest } from '../../src/digests/scheduler.js';
import { createLogger } from '../../src/logger.js';
import { setSectionChat } from '../../src/settings.js';
import { OutboxSender } from '../../src/telegram/sender.js';
import { button, markDelivered } from '../bot/features/queue/fixtures.js';
import { capture, runCommand } from '../support/cli.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { createHarness, type Harness, type QueuedMessage } from '../support/harness.js';
import { callbackQuery, photoMessage, textMessage, user } from '../support/updates.js';

const ADMIN = 9901;
const OFFICER = 9902;
const MONITOR = 8765432101;
const LIAISON = 8765432102;
const OTHER_LIAISON = 9905;
const OTHER_MONITOR = 9906;
const STRANGER = 9907;
const SECTION = -100999;

/** What a marker stands for, and so who may see it. */
type MarkerKind = 'content' | 'identity';
interface Marker {
  value: string;
  kind: MarkerKind;
  /** The reporter it belongs to: they may see their own. */
  owner: number | null;
}

const MARKERS: Marker[] = [
  { value: 'MKTEXTMON', kind: 'content', owner: MONITOR },
  { value: 'MKTEXTPHOTO', kind: 'content', owner: MONITOR },
  { value: 'MKTEXTLIA', kind: 'content', owner: LIAISON },
  { value: 'MKTEXTHOT', kind: 'content', owner: null },
  { value: 'MKTEXTGUIDED', kind: 'content', owner: MONITOR },
  { value: 'MKTEXTGROUP', kind: 'content', owner: MONITOR },
  { value: 'MKADD', kind: 'content', owner: MONITOR },
  { value: 'MKQUESTION', kind: 'content', owner: MONITOR },
  { value: 'MKANSWER', kind: 'content', owner: MONITOR },
  { value: 'MKNOTE', kind: 'content', owner: null },
  { value: 'MKFILE', kind: 'content', owner: MONITOR },
  { value: '918273', kind: 'content', owner: LIAISON },
  { value: 'MKSTRANGER', kind: 'content', owner: STRANGER },
  { value: 'MKNAMEMON', kind: 'identity', owner: MONITOR },
  { value: 'mkusermon', kind: 'identity', owner: MONITOR },
  { value: 'MKNAMELIA', kind: 'identity', owner: LIAISON },
  { value: 'mkuserlia', kind: 'identity', owner: LIAISON },
  { value: String(MONITOR), kind: 'identity', owner: MONITOR },
  { value: String(LIAISON), kind: 'identity', owner: LIAISON },
];

/** Outputs in which an admin is entitled to see who a person is. */
const IDENTITY_OUTPUTS = new Set(['/people', '/reveal']);

interface Output {
  where: string;
  label: string;
  /** The recipient's role, 'group', or 'nobody' (exports, digests' builders, logs, the database). */
  audience: string;
  recipient: number | null;
  body: string;
}

const monitor = user(MONITOR, { name: 'MKNAMEMON', username: 'mkusermon' });
const liaison = user(LIAISON, { name: 'MKNAMELIA', username: 'mkuserlia' });
const officer = user(OFFICER, { name: 'Officer Wang', lang: 'en' });
const admin = user(ADMIN, { name: 'Chief Zhao', lang: 'en' });

function allowed(marker: Marker, output: Output): boolean {
  if (output.recipient !== null && output.recipient === marker.owner) return true;
  if (output.audience === 'admin' || output.audience === 'officer') {
    if (marker.kind === 'content') return true;
    return output.audience === 'admin' && IDENTITY_OUTPUTS.has(output.label);
  }
  return false;
}

describe('leak hunt: markers appear only where the access table allows', () => {
  let harness: Harness;
  const logLines: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const outputs: Output[] = [];
  const roles = new Map<number, string>([
    [ADMIN, 'admin'],
    [OFFICER, 'officer'],
    [MONITOR, 'monitor'],
    [LIAISON, 'liaison'],
    [OTHER_LIAISON, 'liaison'],
    [OTHER_MONITOR, 'monitor'],
    [STRANGER, 'unknown'],
  ]);

  const record = (label: string, messages: QueuedMessage[]) => {
    for (const message of messages) {
      const { chat_id: _chat, ...rest } = message.payload;
      outputs.push({
        where: `message ${message.method} → ${message.chatId}`,
        label,
        audience: message.chatId < 0 ? 'group' : (roles.get(message.chatId) ?? 'unknown'),
        recipient: message.chatId,
        body: JSON.stringify(rest),
      });
    }
    return messages;
  };
  const step = async (label: string, update: object) => record(label, await harness.send(update));
  const nobody = (where: string, label: string, body: string) =>
    outputs.push({ where, label, audience: 'nobody', recipient: null, body });

  beforeAll(async () => {
    const destination = logDestination;
    harness = await createHarness(
      { ADMIN_IDS: String(ADMIN), LOG_LEVEL: 'trace' },
      { logDestination: destination },
    );
    harness.clock.set(new Date('2025-06-10T02:00:00Z'));
    await harness.enrol(ADMIN, 'admin', { language: 'en' });
    await harness.enrol(OFFICER, 'officer', { language: 'en' });
    await harness.enrol(MONITOR, 'monitor', { community: '丹东社区' });
    await harness.enrol(OTHER_MONITOR, 'monitor', { community: '丹西社区' });
    await harness.enrol(LIAISON, 'liaison', { agency: 'AUD' });
    await harness.enrol(OTHER_LIAISON, 'liaison', { agency: 'CDI' });
    await setSectionChat(harness.db, {
      chatId: SECTION,
      title: '干部科',
      boundBy: ADMIN,
      boundAt: '2025-06-01',
    });
    // Profiles (names, usernames) are recorded as people write to the bot.
    await step('/help', textMessage(monitor, '/help'));
    await step('/help', textMessage(liaison, '/help'));
    await step('/help', textMessage(officer, '/help'));

    // Intake: tips, a captioned photo, an addition, a notice with a reference, a logged report.
    await step(
      '/tip',
      textMessage(monitor, '/tip F-HPZ 镇长MKTEXTMON在防波堤工程中指定施工方，金额约300万元'),
    );
    const photo = photoMessage(monitor, 'F-DXZ 书记MKTEXTPHOTO收受礼金，有照片') as {
      message: { photo: Array<{ file_id: string; file_unique_id: string }> };
    };
    photo.message.photo.forEach((size, index) => {
      size.file_id = `AgMKFILE${index}`;
      size.file_unique_id = `MKFILEu${index}`;
    });
    await step('photo tip', photo);
    await step('/add', textMessage(monitor, '/add 1 MKADD合同在三月签订'));
    await step('/notice', textMessage(liaison, '/notice F-CZJ 〔2019〕918273号 审计发现MKTEXTLIA一支笔审批'));
    await step('/log', textMessage(officer, '/log hotline P-DXZ anonymous 来电反映MKTEXTHOT未经集体讨论'));
    await step('/my', textMessage(monitor, '/my'));

    // The queue: list, show (officer and admin), history, forward, ask and answer, conclude.
    await step('/queue', textMessage(officer, '/queue'));
    for (const id of [1, 2, 3, 4]) await step('/show', textMessage(officer, `/show ${id}`));
    await step('/show', textMessage(admin, '/show 1'));
    const forward = await step('forward', callbackQuery(officer, encodeCallback('q.a', 3, 1, 'forward')));
    await step(
      'forward',
      callbackQuery(
        officer,
        button(
          forward.find((m) => m.method === 'sendMessage'),
          'Commission for Discipline',
        ),
      ),
    );
    const asked = await step('/ask', textMessage(officer, '/ask 1 MKQUESTION工程是哪天开工的？'));
    const question = asked.find((m) => m.chatId === MONITOR);
    await markDelivered(harness.db, question?.id ?? 0, 700_001);
    await step('answer', textMessage(monitor, 'MKANSWER上个月15号开工', { replyTo: 700_001 }));
    await step('accept', callbackQuery(officer, encodeCallback('q.a', 1, 1, 'accept')));
    await step('conclude', callbackQuery(officer, encodeCallback('q.a', 1, 2, 'conclude')));
    await step('conclude', callbackQuery(officer, encodeCallback('q.cf', 1, 'substantiated')));
    await step('conclude', callbackQuery(officer, encodeCallback('q.cm', 1, 'talk')));
    await step('conclude', callbackQuery(officer, encodeCallback('q.cm', 1, 'done')));
    await step('conclude', textMessage(officer, 'MKNOTE已约谈'));
    await step('conclude', callbackQuery(officer, encodeCallback('q.cc', 1)));
    await step('/history', textMessage(admin, '/history 1'));
    await step('/export', textMessage(officer, '/export'));
    await step('/digest', textMessage(officer, '/digest weekly'));

    // Admin-only identity: /people and /reveal.
    await step('/people', textMessage(admin, '/people'));
    await step('/reveal', textMessage(admin, '/reveal 1 县纪委要求约谈举报人核实情况'));

    // Error paths and refusals.
    await step('bad code', textMessage(monitor, '/tip X-NOWHERE MKTEXTMON再说一次'));
    await step('not owner', textMessage(OTHER_MONITOR_USER(), '/add 1 我也想补充'));
    await step('refused', textMessage(monitor, '/show 1'));
    await step('refused', textMessage(officer, '/reveal 1 县纪委要求约谈举报人核实情况'));
    await step('refused', textMessage(liaison, '/queue'));
    await step('missing', textMessage(officer, '/show 999'));
    await step('stale button', callbackQuery(officer, encodeCallback('q.a', 1, 1, 'accept')));
    await step('stale button', callbackQuery(monitor, encodeCallback('q.ans', 999)));
    await step('stranger', textMessage(user(STRANGER), 'MKSTRANGER我要举报'));
    await step(
      'group',
      textMessage(monitor, '/tip F-HPZ MKTEXTGROUP 群里发的', { chat: { id: SECTION, type: 'supergroup' } }),
    );
    await step('group', textMessage(officer, '/show 1', { chat: { id: SECTION, type: 'supergroup' } }));

    // A guided tip left half-done (the last thing the monitor does): its draft text waits in the dialogue.
    await step('/tip guided', textMessage(monitor, '/tip'));
    await step('guided', callbackQuery(monitor, encodeCallback('tip.domain', 'S')));
    await step('guided', callbackQuery(monitor, encodeCallback('tip.unit', 'HPZ')));
    await step('guided', textMessage(monitor, '工作日饮酒MKTEXTGUIDED'));

    // Digests of every kind, as scheduled: to the section chat and, monthly, to the agencies.
    const deps: DigestDeps = {
      db: harness.db,
      config: harness.config,
      logger: createLogger('trace', destination),
      botUsername: () => 'liaison_test_bot',
      now: () => harness.clock.now,
      wake: () => {},
    };
    const before = (await harness.queued()).length;
    harness.clock.set(new Date('2025-07-01T02:00:00Z'));
    for (const kind of ['daily', 'weekly', 'monthly'] as const)
      await runDigest(deps, kind, harness.clock.now);
    record('digest', (await harness.queued()).slice(before));
  }, 120_000);
  afterAll(() => harness?.close());

  function OTHER_MONITOR_USER() {
    return user(OTHER_MONITOR, { name: 'Other Monitor' });
  }

  it('exports (xlsx sent by /export, CLI jsonl and csv) carry no marker', async () => {
    const xlsx = (await harness.queued()).find((m) => m.method === 'sendDocument');
    expect(xlsx).toBeDefined();
    const [row] = await queryRows<{ file_bytes: Buffer | Uint8Array }>(
      harness.db,
      sql`select file_bytes from outbox where id = ${xlsx?.id ?? 0}`,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(row?.file_bytes ?? []) as never);
    const cells: string[] = [];
    workbook.eachSheet((sheet) =>
      sheet.eachRow((sheetRow) => sheetRow.eachCell((cell) => cells.push(String(cell.value ?? '')))),
    );
    expect(cells.length).toBeGreaterThan(10);
    nobody('xlsx from /export', 'export', cells.join('\t'));
    for (const format of ['jsonl', 'csv']) {
      const out = capture();
      expect(await runCommand(exportCommand, harness, ['--format', format], out.stream)).toBe(0);
      nobody(`CLI export ${format}`, 'export', out.text());
    }
  });

  async function scanDatabase(when: string): Promise<void> {
    const tables = await queryRows<{ name: string }>(
      harness.db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    for (const { name } of tables) {
      const rows = await queryRows<{ row: string; about_item: boolean }>(
        harness.db,
        name === 'audit_log'
          ? sql`select t::text as row, t.item_id is not null as about_item from audit_log t`
          : sql`select t::text as row, ${sql.raw(String(ITEM_TABLES.includes(name)))} as about_item from ${sql.identifier(name)} t`,
      );
      // A person's Telegram id is their row's key in people (and the address of messages to them);
      // beside an item, an addition, a file or an audit entry about an item it would say who reported what.
      const body = rows.map((r) => (r.about_item ? r.row : removeIds(r.row))).join('\n');
      nobody(`table ${name} (${rows.length} rows, ${when})`, 'database', body);
    }
    const url = harness.database.url;
    if (harness.database.kind === 'postgres' && url) {
      const dump = execFileSync('pg_dump', ['--data-only', '--no-owner', url], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      expect(dump).toContain('COPY public.items');
      nobody(`pg_dump --data-only (${when})`, 'database', removeIds(dump));
    }
  }

  it('the database holds no marker in clear before and after delivery (full table scan; pg_dump on Postgres)', async () => {
    await scanDatabase('nothing sent yet');
    // Deliver every queued message to a fake Bot API: the sender logs each send, and Telegram's
    // refusals (unknown chats, stale message ids) exercise its error paths.
    const api = await FakeBotApi.start();
    const sender = new OutboxSender(
      harness.db,
      new Telegram(api.token, { apiRoot: api.url }),
      createLogger('trace', logDestination),
      { enforceLimits: false },
    );
    sender.start();
    sender.wake();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [open] = await queryRows<{ n: number }>(
        harness.db,
        sql`select count(*)::int as n from outbox where status in ('pending', 'sending')`,
      );
      if (Number(open?.n ?? 0) === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await sender.stop();
    await api.stop();
    await scanDatabase('after delivery');
  });

  it('logs at trace level carry no marker', () => {
    expect(logLines.length).toBeGreaterThan(0);
    logLines.forEach((line, index) => {
      nobody(`log line ${index + 1}`, 'log', line);
    });
  });

  it('every output checked: 0 leaks', () => {
    const leaks: string[] = [];
    const report: string[] = [];
    for (const output of outputs) {
      const found = MARKERS.filter((marker) =>
        output.body.toLowerCase().includes(marker.value.toLowerCase()),
      );
      const bad = found.filter((marker) => !allowed(marker, output));
      for (const marker of bad) {
        leaks.push(
          `LEAK ${marker.value} (${marker.kind}) in ${output.where} [${output.label}, to ${output.audience}]: ${excerpt(output.body, marker.value)}`,
        );
      }
      report.push(
        `${bad.length === 0 ? 'ok  ' : 'LEAK'} ${output.label.padEnd(12)} ${output.where} (to ${output.audience})${
          found.length > 0 ? ` — markers allowed here: ${found.map((m) => m.value).join(', ')}` : ''
        }`,
      );
    }
    process.stdout.write(
      `\nleak hunt: ${outputs.length} outputs checked against ${MARKERS.length} markers\n${report.join('\n')}\n${
        leaks.length === 0 ? '' : `${leaks.join('\n')}\n`
      }leaks: ${leaks.length}\n`,
    );
    // The hunt must have seen the markers where they belong, or it proves nothing.
    const seen = (value: string, audience: string) =>
      outputs.some((o) => o.audience === audience && o.body.includes(value));
    expect(seen('MKTEXTMON', 'officer')).toBe(true);
    expect(seen('MKFILE', 'officer')).toBe(true);
    expect(seen('MKQUESTION', 'monitor')).toBe(true);
    expect(seen('MKNAMEMON', 'admin')).toBe(true);
    expect(outputs.some((o) => o.audience === 'group')).toBe(true);
    expect(outputs.some((o) => o.label === 'digest' && o.audience === 'liaison')).toBe(true);
    expect(leaks).toEqual([]);
  });
});

/** 60 characters either side of a marker, so a leak report says where it is. */
function excerpt(body: string, value: string): string {
  const at = body.toLowerCase().indexOf(value.toLowerCase());
  return body.slice(Math.max(0, at - 60), at + value.length + 60).replace(/\s+/g, ' ');
}

const ITEM_TABLES = ['items', 'item_additions', 'item_attachments', 'item_links'];

/** Removes the reporters' Telegram ids where they are keys or addresses, not links to an item. */
function removeIds(text: string): string {
  return text.replaceAll(String(MONITOR), '<id>').replaceAll(String(LIAISON), '<id>');
}
