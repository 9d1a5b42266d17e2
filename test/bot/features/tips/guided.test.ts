import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../../../src/buttons.js';
import { dialogues, itemAttachments, items } from '../../../../src/db/schema.js';
import { dialogueRowKey } from '../../../../src/dialogues.js';
import { reportedItemIds } from '../../../../src/items/ledger.js';
import { createHarness, type Harness } from '../../../support/harness.js';
import { callbackQuery, documentMessage, photoMessage, textMessage, user } from '../../../support/updates.js';

const GUIDED = 6001;
const ONE_LINE = 6002;
const TEXT = '镇长在防波堤工程中指定施工方，金额约300万元';

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };

function buttonsOf(
  payload: Record<string, unknown> | undefined,
): Array<{ text: string; callback_data?: string }> {
  return ((payload?.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat();
}

describe('guided /tip', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(GUIDED, 'monitor', { community: '丹东社区' });
    await harness.enrol(ONE_LINE, 'monitor', { community: '丹西社区' });
  });
  afterAll(() => harness.close());

  it('walks domain → unit → text → attachments → confirmation and stores the same item as the one-line form', async () => {
    const me = user(GUIDED);
    const [domainStep] = await harness.send(textMessage(me, '/tip'));
    const domainButtons = buttonsOf(domainStep?.payload).map((button) => button.callback_data);
    // The three powers come first.
    expect(domainButtons.slice(0, 3)).toEqual(['tip.domain|D', 'tip.domain|F', 'tip.domain|P']);
    // Six domains, then Cancel (step 1 has nothing to go back to).
    expect(domainButtons).toHaveLength(7);
    expect(domainButtons.at(-1)).toBe('tip.cancel');

    const unitStep = await harness.send(callbackQuery(me, encodeCallback('tip.domain', 'F')));
    const unitMessage = unitStep.find((message) => message.method === 'sendMessage');
    const unitButtons = buttonsOf(unitMessage?.payload);
    expect(unitButtons.length).toBeLessThanOrEqual(11);
    expect(unitButtons.slice(-3).map((button) => button.callback_data)).toEqual([
      'tip.type',
      'tip.back|unit',
      'tip.cancel',
    ]);
    const [row] = await harness.db
      .select()
      .from(dialogues)
      .where(eq(dialogues.userId, dialogueRowKey(GUIDED)));
    expect(row).toMatchObject({ kind: 'tip', step: 'unit', data: { domain: 'F' } });

    // Typing the unit's Chinese name works as well as a button.
    const [textStep] = await harness.send(textMessage(me, '鹤浦镇'));
    expect(textStep?.text).toContain('第 3 步');
    // Step 4 is the last screen (issue 18): what will be sent, with Submit; files may be sent first.
    const [attachStep] = await harness.send(textMessage(me, TEXT));
    expect(buttonsOf(attachStep?.payload).map((button) => button.callback_data)).toEqual([
      'tip.submit',
      'tip.edit',
      'tip.back|attachments',
      'tip.cancel',
    ]);
    await harness.send(photoMessage(me));
    const [confirm] = await harness.send(documentMessage(me, 'contract.pdf'));
    expect(confirm?.text).toContain('第 4 步（共 4 步）');
    expect(confirm?.text).toContain('F-HPZ');
    expect(confirm?.text).toContain('附件：2');
    expect(buttonsOf(confirm?.payload).map((button) => button.callback_data)).toEqual([
      'tip.submit',
      'tip.edit',
      'tip.back|attachments',
      'tip.cancel',
    ]);

    const submitted = await harness.send(callbackQuery(me, encodeCallback('tip.submit')));
    const [guidedItem] = await harness.db
      .select()
      .from(items)
      .where(inArray(items.id, await reportedItemIds(harness.db, GUIDED)));
    expect(
      submitted.find((message) => message.chatId === GUIDED && message.method === 'sendMessage')?.text,
    ).toContain(`#${guidedItem?.id}`);
    expect(
      await harness.db
        .select()
        .from(dialogues)
        .where(eq(dialogues.userId, dialogueRowKey(GUIDED))),
    ).toHaveLength(0);
    const attachments = await harness.db
      .select()
      .from(itemAttachments)
      .where(eq(itemAttachments.itemId, guidedItem?.id ?? 0));
    expect(attachments.map((attachment) => attachment.fileKind).sort()).toEqual(['document', 'photo']);

    await harness.send(textMessage(user(ONE_LINE), `/tip F-HPZ ${TEXT}`));
    const [oneLineItem] = await harness.db
      .select()
      .from(items)
      .where(inArray(items.id, await reportedItemIds(harness.db, ONE_LINE)));
    const comparable = (item: typeof guidedItem) => ({
      kind: item?.kind,
      sourceKind: item?.sourceKind,
      sourceAgency: item?.sourceAgency,
      signed: item?.signed,
      domain: item?.domain,
      unitCode: item?.unitCode,
      text: item?.text,
      reference: item?.reference,
      status: item?.status,
      mustInvestigate: item?.mustInvestigate,
      reasons: item?.reasons,
      priority: item?.priority,
      adminsOnly: item?.adminsOnly,
    });
    expect(comparable(guidedItem)).toEqual(comparable(oneLineItem));
  });

  it('answers a stale button without storing anything, and /cancel leaves the dialogue', async () => {
    const me = user(GUIDED);
    const before = (await harness.db.select().from(items)).length;
    const stale = await harness.send(callbackQuery(me, encodeCallback('tip.submit')));
    expect(stale.find((message) => message.method === 'answerCallbackQuery')?.payload.show_alert).toBe(true);
    await harness.send(textMessage(me, '/tip'));
    await harness.send(callbackQuery(me, encodeCallback('tip.domain', 'P')));
    const [cancelled] = await harness.send(textMessage(me, '/cancel'));
    expect(cancelled?.text).toContain('已退出');
    expect(
      await harness.db
        .select()
        .from(dialogues)
        .where(eq(dialogues.userId, dialogueRowKey(GUIDED))),
    ).toHaveLength(0);
    expect((await harness.db.select().from(items)).length).toBe(before);
  });

  it('suggests units for a mistyped name and accepts a suggestion button', async () => {
    const me = user(GUIDED);
    await harness.send(textMessage(me, '/tip'));
    await harness.send(callbackQuery(me, encodeCallback('tip.domain', 'D')));
    // 鹤浦 alone is found (issue 18); a wrong character still gets suggestions.
    const [suggestion] = await harness.send(textMessage(me, '鹤铺镇'));
    expect(buttonsOf(suggestion?.payload).map((button) => button.callback_data)).toContain('tip.unit|HPZ');
    const [next] = (await harness.send(callbackQuery(me, encodeCallback('tip.unit', 'HPZ')))).filter(
      (message) => message.method === 'sendMessage',
    );
    expect(next?.text).toContain('第 3 步');
    await harness.send(textMessage(me, '/cancel'));
  });

  it('Edit changes one answer and keeps the others; an old Back button is stale and changes nothing', async () => {
    const me = user(GUIDED);
    await harness.send(textMessage(me, '/tip'));
    await harness.send(callbackQuery(me, encodeCallback('tip.domain', 'F')));
    await harness.send(textMessage(me, '鹤浦镇'));
    await harness.send(textMessage(me, TEXT));
    // Back from step 2, pressed now that the person is at step 4: stale, the draft stays where it is.
    const stale = await harness.send(callbackQuery(me, encodeCallback('tip.back', 'unit')));
    expect(stale.find((message) => message.method === 'answerCallbackQuery')?.payload.show_alert).toBe(true);
    expect(stale.filter((message) => message.method === 'sendMessage')).toHaveLength(0);
    let [row] = await harness.db
      .select()
      .from(dialogues)
      .where(eq(dialogues.userId, dialogueRowKey(GUIDED)));
    expect(row?.step).toBe('attachments');

    const [choose] = (await harness.send(callbackQuery(me, encodeCallback('tip.edit')))).filter(
      (message) => message.method === 'sendMessage',
    );
    expect(buttonsOf(choose?.payload).map((button) => button.callback_data)).toEqual([
      'tip.goto|domain',
      'tip.goto|unit',
      'tip.goto|text',
      'tip.back|edit',
      'tip.cancel',
    ]);
    const [unitStep] = (await harness.send(callbackQuery(me, encodeCallback('tip.goto', 'unit')))).filter(
      (message) => message.method === 'sendMessage',
    );
    expect(unitStep?.text).toContain('第 2 步（共 4 步）');
    // Changing the unit goes straight back to the review, the domain and the text kept.
    const [review] = await harness.send(textMessage(me, '大徐镇'));
    expect(review?.text).toContain('第 4 步（共 4 步）');
    expect(review?.text).toContain('F-DXZ');
    expect(review?.text).toContain(TEXT);
    [row] = await harness.db
      .select()
      .from(dialogues)
      .where(eq(dialogues.userId, dialogueRowKey(GUIDED)));
    expect(row).toMatchObject({ step: 'attachments', data: { domain: 'F', unitCode: 'DXZ', text: TEXT } });
    expect(row?.data).not.toHaveProperty('editing');

    // Back from the review is the text step, showing the text with a button to keep it.
    const [textStep] = (
      await harness.send(callbackQuery(me, encodeCallback('tip.back', 'attachments')))
    ).filter((message) => message.method === 'sendMessage');
    expect(textStep?.text).toContain('第 3 步（共 4 步）');
    expect(textStep?.text).toContain(TEXT);
    const [kept] = (await harness.send(callbackQuery(me, encodeCallback('tip.keep')))).filter(
      (message) => message.method === 'sendMessage',
    );
    expect(kept?.text).toContain('第 4 步（共 4 步）');
    expect(kept?.text).toContain(TEXT);
    await harness.send(textMessage(me, '/cancel'));
  });

  it('is refused to an officer and ignores a non-reporter’s plain text', async () => {
    await harness.enrol(6003, 'officer');
    const [refusal] = await harness.send(textMessage(user(6003), '/tip'));
    expect(refusal?.text).toContain('身份不能使用');
    const pressed = await harness.send(callbackQuery(user(6003), encodeCallback('tip.domain', 'F')));
    expect(pressed.find((message) => message.method === 'answerCallbackQuery')?.payload.show_alert).toBe(
      true,
    );
  });
});
