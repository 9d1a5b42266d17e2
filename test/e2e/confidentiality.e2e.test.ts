// Issue #7 through the real process and the fake Bot API: the data key is generated on the embedded
// default (or taken from DATA_KEY on Postgres), `npm run cli -- rotate-key` re-encrypts everything,
// and after a restart every item is still readable by the section and still its reporter's.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { packageRoot } from '../../src/paths.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { TEST_DATA_KEY } from '../support/test-key.js';
import { textMessage, user } from '../support/updates.js';

const admin = user(9700, { name: '赵部长' });
const monitor = user(9701, { name: '丹东信息员' });
const officer = user(9702, { name: '干部科小王' });
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
    const revealed = await session.say(admin, `/reveal ${itemId} 县纪委来函要求核实该线索的举报人身份以便约谈`);
    expect(textOf(revealed)).toContain('丹东信息员');
  });
});
