// Issue #7 through the real process and the fake Bot API: the data key is generated on the embedded
// default (or taken from DATA_KEY on Postgres), `npm run cli -- rotate-key` re-encrypts everything,
// and after a restart every item is still readable by the section and still its reporter's.
// Issue 14, point 3: after the rotation, every feature that needs a reporter (or a person's chat) still
// works through the real process: replies, /add, /ask, /reveal, feedback, the flood limit, the circulation.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { FLOOD_LIMIT } from '../../src/domain/limits.js';
import { packageRoot } from '../../src/paths.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { TEST_DATA_KEY } from '../support/test-key.js';
import { textMessage, user } from '../support/updates.js';

const admin = user(9700, { name: '赵部长' });
const monitor = user(9701, { name: '丹东信息员' });
const officer = user(9702, { name: '干部科小王' });
const liaison = user(9703, { name: '审计局联络员' });
const SECTION_GROUP = { id: -100_970_001, type: 'supergroup' as const, title: '干部科' };
const TIP_TEXT = '镇长在防波堤工程中指定施工方，金额约300万元';

describe(`data key and rotate-key through the real process on ${testDatabaseKind}`, {
  timeout: 180_000,
}, () => {
  let session: E2eSession;
  // On the embedded default the bot makes its own key file; on Postgres DATA_KEY is required.
  const env: Record<string, string> = {
    ADMIN_IDS: String(admin.id),
    ...(testDatabaseKind === 'pglite' ? { DATA_KEY: '' } : { DATA_KEY: TEST_DATA_KEY }),
  };
  let itemId = 0;
  let receipt: RecordedCall;

  const cli = (args: string[]) =>
    spawnSync(process.execPath, [join(packageRoot(), 'dist/src/cli.js'), ...args], {
      cwd: session.database.cwd,
      env: { PATH: process.env.PATH ?? '', ...session.database.env, ...env },
      encoding: 'utf8',
    });

  beforeAll(async () => {
    session = await E2eSession.create(env);
    await session.start();
    await session.enrol(admin, monitor, 'monitor 丹东社区');
    await session.enrol(admin, officer, 'officer');
    await session.enrol(admin, liaison, 'liaison AUD');
    receipt = await session.say(monitor, `/tip F-HPZ ${TIP_TEXT}`);
    itemId = Number(/#(\d+)/.exec(textOf(receipt))?.[1]);
  }, 180_000);
  afterAll(() => session.dispose());

  it('stores the tip sealed, and on the embedded default warns to back up the generated key', async () => {
    if (testDatabaseKind === 'pglite') expect(session.output()).toMatch(/generated a new data key: BACK UP/);
    const [row] = await session.withDatabase((db) =>
      queryRows<{ text: string; reporter_id: unknown }>(
        db,
        sql`select text, reporter_id from items where id = ${itemId}`,
      ),
    );
    expect(row?.text).toMatch(/^v2\.[0-9a-f]{8}\./);
    expect(row?.reporter_id).toBeNull();
  });

  it('rotate-key re-encrypts under a new key; after a restart the item reads and /my still finds it', async () => {
    await session.stop();
    if (testDatabaseKind === 'pglite') {
      const rotated = cli(['rotate-key']);
      expect(rotated.status, rotated.stderr).toBe(0);
      expect(rotated.stdout).toMatch(/items\.text: 1/);
      expect(rotated.stdout).toMatch(/retired old keys: [0-9a-f]{8}/);
    } else {
      const advice = cli(['rotate-key']);
      expect(advice.status, advice.stderr).toBe(0);
      const next = /DATA_KEY=([A-Za-z0-9+/=]+),<current DATA_KEY>/.exec(advice.stdout)?.[1];
      expect(next).toBeDefined();
      env.DATA_KEY = `${next},${TEST_DATA_KEY}`;
      const rotated = cli(['rotate-key']);
      expect(rotated.status, rotated.stderr).toBe(0);
      expect(rotated.stdout).toMatch(/items\.text: 1/);
      expect(rotated.stdout).toMatch(/remove the old keys/);
      env.DATA_KEY = next as string;
    }
    await session.start();
    const card = await session.say(officer, `/show ${itemId}`);
    expect(textOf(card)).toContain(TIP_TEXT);
    expect(textOf(card)).not.toContain('丹东信息员');
    const mine = await session.say(monitor, '/my');
    expect(textOf(mine)).toContain(`#${itemId}`);
  });

  it('after the rotation and restart, under the new key only: a reply to the old receipt, /add, /ask and its answer, /reveal', async () => {
    // The receipt was sent before the rotation: its reply lookup was re-indexed under the new key.
    let mark = session.push(textMessage(monitor, '合同是三月签的', { replyTo: receipt.result as object }));
    expect(textOf(await session.messageTo(monitor.id, mark))).toContain(`#${itemId}`);
    expect(textOf(await session.say(monitor, `/add ${itemId} 施工方是镇长同学的公司`))).toContain(
      `#${itemId}`,
    );
    mark = session.push(textMessage(officer, `/ask ${itemId} 大约是哪一天？`));
    const question = await session.messageTo(monitor.id, mark, `#${itemId}`);
    await session.settle(500);
    mark = session.push(textMessage(monitor, '三月十二日', { replyTo: question.result as object }));
    await session.messageTo(monitor.id, mark);
    // The officer is told an answer came; the card shows it.
    await session.messageTo(officer.id, mark, `#${itemId}`);
    expect(textOf(await session.say(officer, `/show ${itemId}`))).toContain('三月十二日');
    const revealed = await session.say(
      admin,
      `/reveal ${itemId} 县纪委来函要求核实该线索的举报人身份以便约谈`,
    );
    expect(textOf(revealed)).toContain('丹东信息员');
  });

  it('after the rotation: filing tells the reporter, and the flood limit still counts the tip sent before it', async () => {
    // Filing ends handling; the reporter, found through the item's sealed link, is told in general terms.
    const card = await session.say(officer, `/show ${itemId}`);
    let mark = session.press(officer, card, '存档备查');
    const filed = await session.messageTo(monitor.id, mark, `#${itemId}`);
    expect(textOf(filed)).toContain(`您反映的问题 #${itemId} 已存档备查`);
    // The hour's limit reads the reporter's ledger, re-keyed by the rotation: with the tip from before
    // it, FLOOD_LIMIT - 1 more are taken and the next is refused.
    for (let n = 1; n < FLOOD_LIMIT; n += 1) {
      mark = session.push(textMessage(monitor, `/tip F-HPZ 第${n}条线索：防波堤工程款去向不明`));
      expect(textOf(await session.messageTo(monitor.id, mark))).toMatch(/#\d+/);
    }
    const refused = await session.say(monitor, '/tip F-HPZ 再一条线索：施工方账目');
    expect(textOf(refused)).toContain(`已经发送了 ${FLOOD_LIMIT} 条信息`);
  });

  it('after the rotation: the monthly circulation reaches the liaison (enrolled before it) of the agency an item went to', async () => {
    await session.bindSectionChat(admin, SECTION_GROUP);
    let mark = session.push(textMessage(officer, `/show ${itemId + 1}`));
    const card = await session.messageTo(officer.id, mark, `#${itemId + 1}`);
    mark = session.press(officer, card, '转办');
    const choose = await session.messageTo(officer.id, mark, '转办');
    mark = session.press(officer, choose, '审计局');
    await session.messageTo(liaison.id, mark, `#${itemId + 1}`);
    // A restart on the first of next month (the test clock): the catch-up sends this month's circulation.
    await session.stop();
    const nextMonth = DateTime.now().setZone('Asia/Shanghai').plus({ months: 1 }).startOf('month');
    mark = session.mark();
    await session.start({ NODE_ENV: 'test', TEST_CLOCK_START: nextMonth.plus({ hours: 10 }).toISO() ?? '' });
    const circulation = await session.messageTo(liaison.id, mark, '联席会议信息通报', 60_000);
    expect(textOf(circulation)).toContain(`#${itemId + 1}`);
    expect(textOf(circulation)).not.toContain(monitor.first_name);
  });
});
