import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemAdditions } from '../../src/db/schema.js';
import { questionIdOfRef } from '../../src/items/notifications.js';
import {
  answerQuestion,
  askability,
  askReporter,
  MAX_RELAY_LENGTH,
  questionFor,
} from '../../src/items/relay.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { createHarness, type Harness } from '../support/harness.js';
import { insertItem, MONITOR, OFFICER_A, OFFICER_B } from '../bot/features/queue/fixtures.js';

describe('relay: questions to a reporter and their answers', () => {
  let harness: Harness;
  const officer = { telegramId: OFFICER_A, admin: false };
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    await harness.enrol(MONITOR, 'monitor', { community: '丹城社区', language: 'zh-CN' });
  });
  afterAll(() => harness.close());

  it('relays a question with an Answer button, and the answer back without its author', async () => {
    const itemId = await insertItem(harness.db);
    const out = new OutboxBuffer();
    const asked = await askReporter(harness.db, out, { itemId, question: '何时开工？' }, officer);
    if (asked.kind !== 'sent') throw new Error(asked.kind);
    const [toReporter] = out.messages;
    expect(toReporter?.chatId).toBe(MONITOR);
    expect(questionIdOfRef(toReporter?.ref ?? null)).toBe(asked.questionId);
    expect(JSON.stringify(toReporter?.payload)).toContain(`q.ans|${asked.questionId}`);
    expect(JSON.stringify(toReporter?.payload)).not.toContain(String(OFFICER_A));

    expect(await questionFor(harness.db, asked.questionId, 12345)).toBeNull();
    const back = new OutboxBuffer();
    const now = new Date();
    expect(
      await answerQuestion(harness.db, back, { questionId: asked.questionId, text: ' ' }, MONITOR, now),
    ).toEqual({
      kind: 'empty',
    });
    expect(
      await answerQuestion(
        harness.db,
        back,
        { questionId: asked.questionId, text: 'x'.repeat(MAX_RELAY_LENGTH + 1) },
        MONITOR,
        now,
      ),
    ).toEqual({ kind: 'empty' });
    expect(
      await answerQuestion(harness.db, back, { questionId: asked.questionId, text: '三月' }, 999, now),
    ).toEqual({
      kind: 'gone',
    });
    expect(
      await answerQuestion(harness.db, back, { questionId: asked.questionId, text: '三月' }, MONITOR, now),
    ).toEqual({
      kind: 'saved',
      itemId,
    });
    expect(back.messages.map((m) => m.chatId)).toEqual([OFFICER_A]);
    const rows = await harness.db.select().from(itemAdditions).where(eq(itemAdditions.itemId, itemId));
    expect(rows.map((row) => [row.kind, row.authorId, row.text])).toEqual([
      ['question', OFFICER_A, '何时开工？'],
      ['answer', null, '三月'],
    ]);
    expect(rows[0]?.answeredAt).not.toBeNull();
  });

  it('cannot relay to a hotline caller, and says the item is not found when hidden', async () => {
    const call = await insertItem(harness.db, {
      sourceKind: 'hotline',
      reporterRef: null,
      reporterSealed: null,
    });
    const hidden = await insertItem(harness.db, { adminsOnly: true });
    const out = new OutboxBuffer();
    expect(await askReporter(harness.db, out, { itemId: call, question: '?' }, officer)).toEqual({
      kind: 'nobody',
    });
    expect(await askReporter(harness.db, out, { itemId: hidden, question: '?' }, officer)).toEqual({
      kind: 'not_found',
    });
    expect(out.messages).toEqual([]);
    // The card's "ask the reporter" button is offered (and its press accepted) exactly when /ask would relay.
    expect(await askability(harness.db, call, officer)).toBe('nobody');
    expect(await askability(harness.db, hidden, officer)).toBe('not_found');
    expect(await askability(harness.db, await insertItem(harness.db), officer)).toBe('ok');
    expect(out.messages).toEqual([]);
  });

  it('an answer tells the officer who asked, and the assignee (when someone else) that there is new information', async () => {
    await harness.enrol(OFFICER_B, 'officer', { language: 'zh-CN' });
    const itemId = await insertItem(harness.db, { assigneeId: OFFICER_B });
    const asked = await askReporter(harness.db, new OutboxBuffer(), { itemId, question: '何时？' }, officer);
    if (asked.kind !== 'sent') throw new Error(asked.kind);
    const back = new OutboxBuffer();
    await answerQuestion(
      harness.db,
      back,
      { questionId: asked.questionId, text: '五月初' },
      MONITOR,
      new Date(),
    );
    expect(back.messages.map((m) => m.chatId)).toEqual([OFFICER_A, OFFICER_B]);
    expect(String(back.messages[1]?.payload.text)).toContain(`#${itemId} 有新的补充信息`);
    for (const message of back.messages) expect(JSON.stringify(message.payload)).not.toContain('五月初');
  });
});
