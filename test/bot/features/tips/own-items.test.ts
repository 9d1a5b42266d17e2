import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, itemAdditions, itemAttachments, items } from '../../../../src/db/schema.js';
import { reportedItemIds } from '../../../../src/items/ledger.js';
import { writeOutbox } from '../../../../src/telegram/outbox.js';
import { createHarness, type Harness } from '../../../support/harness.js';
import { photoMessage, textMessage, user } from '../../../support/updates.js';
import { markDelivered } from '../queue/fixtures.js';

const OWNER = 7001;
const OTHER = 7002;

describe('/my, /add and replies to a receipt', () => {
  let harness: Harness;
  let itemId = 0;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(OWNER, 'monitor', { community: '丹东社区' });
    await harness.enrol(OTHER, 'monitor', { community: '丹西社区' });
    await harness.send(textMessage(user(OWNER), '/tip F-HPZ 镇长在防波堤工程中指定施工方，金额约300万元'));
    const [item] = await harness.db
      .select()
      .from(items)
      .where(inArray(items.id, await reportedItemIds(harness.db, OWNER)));
    itemId = item?.id ?? 0;
  });
  afterAll(() => harness.close());

  it('lists the reporter’s own items with number, code, date and the reporter-visible status', async () => {
    await harness.db.update(items).set({ status: 'verifying' }).where(eq(items.id, itemId));
    const [reply] = await harness.send(textMessage(user(OWNER), '/my'));
    expect(reply?.text).toContain(`#${itemId} F-HPZ`);
    expect(reply?.text).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(reply?.text).toContain('正在办理');
    expect(reply?.text).not.toContain('verifying');
    const [other] = await harness.send(textMessage(user(OTHER, { lang: 'en' }), '/my'));
    expect(other?.text).toContain('not sent anything');
  });

  it('appends information with /add and audits it', async () => {
    const [reply] = await harness.send(textMessage(user(OWNER), `/add ${itemId} 工程款是在三月份支付的`));
    expect(reply?.text).toContain(`#${itemId}`);
    const additions = await harness.db.select().from(itemAdditions).where(eq(itemAdditions.itemId, itemId));
    expect(additions).toMatchObject([{ kind: 'addition', authorId: null, text: '工程款是在三月份支付的' }]);
    const audits = await harness.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.itemId, itemId), eq(auditLog.action, 'item.addition')));
    expect(audits).toHaveLength(1);
    expect(JSON.stringify(audits)).not.toContain('三月份');
  });

  it('gives another reporter the same answer as for an item that does not exist', async () => {
    const [refused] = await harness.send(textMessage(user(OTHER), `/add ${itemId} 我也想补充`));
    const [missing] = await harness.send(textMessage(user(OTHER), '/add 99999 我也想补充'));
    expect(refused?.text).toBe(missing?.text.replace('99999', String(itemId)));
    expect(
      await harness.db.select().from(itemAdditions).where(eq(itemAdditions.authorId, OTHER)),
    ).toHaveLength(0);
    const [usage] = await harness.send(textMessage(user(OWNER), '/add'));
    expect(usage?.text).toContain('/add 12');
  });

  it('adds a text reply and a photo reply to the receipt to the item', async () => {
    // The sender records Telegram's message id for the receipt; the harness has no sender, so record it here.
    // The ref is sealed at rest, so the receipt is found by reading refs back, not by comparing in SQL.
    const receipt = (await harness.queued(OWNER)).find((message) => message.ref === `receipt:${itemId}`);
    await markDelivered(harness.db, receipt?.id ?? 0, 555);
    const [textReply] = await harness.send(textMessage(user(OWNER), '施工方是镇长的亲戚', { replyTo: 555 }));
    expect(textReply?.text).toContain(`#${itemId}`);
    const [photoReply] = await harness.send(photoMessage(user(OWNER), undefined, { replyTo: 555 }));
    expect(photoReply?.text).toContain(`#${itemId}`);
    const additions = await harness.db.select().from(itemAdditions).where(eq(itemAdditions.itemId, itemId));
    expect(additions.map((addition) => addition.text)).toContain('施工方是镇长的亲戚');
    expect(
      await harness.db.select().from(itemAttachments).where(eq(itemAttachments.itemId, itemId)),
    ).toHaveLength(1);
  });

  it('does not let another person use a reply to add to the item', async () => {
    // A message in the other person's chat that refers to the owner's item (as a forged or stale ref
    // would), delivered as their message 556: replying to it must not add to an item not theirs.
    await writeOutbox(harness.db, [
      {
        chatId: OTHER,
        method: 'sendMessage',
        payload: { chat_id: OTHER, text: 'x' },
        ref: `receipt:${itemId}`,
      },
    ]);
    const [copy] = (await harness.queued(OTHER)).filter((message) => message.ref === `receipt:${itemId}`);
    await markDelivered(harness.db, copy?.id ?? 0, 556);
    const reply = (await harness.send(textMessage(user(OTHER), '冒充补充', { replyTo: 556 }))).at(-1);
    expect(reply?.text).toContain('没有找到');
    expect(
      await harness.db.select().from(itemAdditions).where(eq(itemAdditions.authorId, OTHER)),
    ).toHaveLength(0);
  });
});
