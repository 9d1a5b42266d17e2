// Issue 20: the inbox reads settings and the unit directory through a per-process cache. What it must
// never do: serve a value changed elsewhere since, hide a transaction's own write from it, or keep a
// value a rolled-back transaction wrote.
import { TransactionRollbackError } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useReadCache } from '../../src/db/read-cache.js';
import { getSectionChat, setSectionChat } from '../../src/settings.js';
import { upsertUnits } from '../../src/units/directory.js';
import { testDatabaseKind } from '../support/database.js';
import { createHarness, type Harness } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

const monitor = user(9101, { name: '东门信息员' });
const TIP = '镇长在防波堤工程中指定施工方，金额约300万元';
const chat = (chatId: number) => ({
  chatId,
  title: '干部科',
  boundBy: null,
  boundAt: '2026-12-01T00:00:00Z',
});

describe(`the inbox's read cache on ${testDatabaseKind}`, () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness({ ALERT_BATCH_MINUTES: '0' });
    await harness.enrol(monitor.id, 'monitor', { community: '东门社区' });
  });
  afterAll(() => harness.close());

  it('an update sees the section chat and the units as changed outside the inbox since the update before', async () => {
    await setSectionChat(harness.db, chat(-501));
    const first = await harness.send(textMessage(monitor, `/tip F-HPZ ${TIP}（一）`));
    expect(first.map((message) => message.chatId)).toContain(-501);

    // As another replica or the CLI would: committed outside this process's inbox transactions.
    await setSectionChat(harness.db, chat(-502));
    const second = await harness.send(textMessage(monitor, `/tip F-HPZ ${TIP}（二）`));
    expect(second.map((message) => message.chatId)).toContain(-502);
    expect(second.map((message) => message.chatId)).not.toContain(-501);

    const before = await harness.send(textMessage(monitor, `/tip F-QXZ ${TIP}（三）`));
    expect(before.map((message) => message.text).join('\n')).not.toMatch(/#\d+/);
    await upsertUnits(harness.db, [
      {
        code: 'QXZ',
        nameZh: '测试镇',
        nameEn: 'Test Town',
        kind: 'town',
        auditClass: null,
        headName: null,
        headTitle: null,
      },
    ]);
    const after = await harness.send(textMessage(monitor, `/tip F-QXZ ${TIP}（三）`));
    expect(after.map((message) => message.text).join('\n')).toMatch(/#\d+/);
  });

  it('a transaction that wrote a setting reads its own write, and a rolled-back write is never cached', async () => {
    const committed = (await getSectionChat(harness.db))?.chatId;
    await harness.db
      .transaction(async (tx) => {
        useReadCache(harness.database, tx, 'version-a');
        expect((await getSectionChat(tx))?.chatId).toBe(committed);
        await setSectionChat(tx, chat(-503));
        expect((await getSectionChat(tx))?.chatId).toBe(-503);
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof TransactionRollbackError)) throw error;
      });
    await harness.db
      .transaction(async (tx) => {
        useReadCache(harness.database, tx, 'version-b');
        await setSectionChat(tx, chat(-504));
        expect((await getSectionChat(tx))?.chatId).toBe(-504);
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof TransactionRollbackError)) throw error;
      });
    // Same versions as above: what they cached is the committed value, never -503 or -504.
    for (const version of ['version-a', 'version-b']) {
      await harness.db.transaction(async (tx) => {
        useReadCache(harness.database, tx, version);
        expect((await getSectionChat(tx))?.chatId).toBe(committed);
      });
    }
  });
});
