// The card's "ask the reporter" button leaves a pending question: the officer's next private text is
// relayed to the reporter. One pressed and forgotten must not relay a text sent much later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUTTONS } from '../../../../src/buttons.js';
import { getDialogue } from '../../../../src/dialogues.js';
import { createHarness, type Harness } from '../../../support/harness.js';
import { callbackQuery, textMessage, user } from '../../../support/updates.js';
import { ADMIN, insertItem, MONITOR, OFFICER_A } from './fixtures.js';

const officer = user(OFFICER_A, { lang: 'en', name: 'Wang Officer' });

describe('the card\'s "ask the reporter" button', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    await harness.enrol(MONITOR, 'monitor', { community: '丹城社区', language: 'zh-CN' });
  });
  afterAll(() => harness.close());

  const press = (id: number) =>
    harness.send(callbackQuery(officer, BUTTONS.askReporter.encode({ id }), { chatId: OFFICER_A }));

  it('relays the next text as the question', async () => {
    const id = await insertItem(harness.db);
    await press(id);
    const sent = await harness.send(textMessage(officer, 'When did you see it?'));
    expect(sent.some((message) => message.chatId === MONITOR)).toBe(true);
    expect(await getDialogue(harness.db, OFFICER_A)).toBeNull();
  });

  it('relays nothing when the text comes more than 30 minutes after the press, and says so', async () => {
    const id = await insertItem(harness.db);
    await press(id);
    harness.clock.advance(31 * 60_000);
    const sent = await harness.send(textMessage(officer, 'a note to myself, not for the reporter'));
    expect(sent.some((message) => message.chatId === MONITOR)).toBe(false);
    const reply = sent.find((message) => message.chatId === OFFICER_A);
    expect(reply?.text).toContain(`#${id}`);
    expect(reply?.text).toContain('30 minutes');
    expect(await getDialogue(harness.db, OFFICER_A)).toBeNull();
  });
});
