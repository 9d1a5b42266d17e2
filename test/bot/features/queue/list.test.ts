import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../../../src/buttons.js';
import { recordHeadChange } from '../../../../src/heads/tenures.js';
import { htmlToPlainText } from '../../../../src/telegram/html.js';
import { createHarness, type Harness } from '../../../support/harness.js';
import { callbackQuery, textMessage, user } from '../../../support/updates.js';
import { button, buttonLabels, insertItem, OFFICER_A, SECRET } from './fixtures.js';

const officer = user(OFFICER_A, { lang: 'en' });

describe('/queue', () => {
  let harness: Harness;
  let late: number;
  let mine: number;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    for (let index = 0; index < 10; index += 1) await insertItem(harness.db, { priority: 'normal' });
    late = await insertItem(harness.db, {
      domain: 'P',
      unitCode: 'SPZ',
      triageDueAt: new Date(Date.now() - 3_600_000),
    });
    mine = await insertItem(harness.db, {
      status: 'accepted',
      assigneeId: OFFICER_A,
      domain: 'S',
      unitCode: 'DXZ',
    });
    await insertItem(harness.db, { status: 'closed' });
  });
  afterAll(() => harness.close());

  it('lists open items, most pressing first, numbers and codes only, 8 per page', async () => {
    const [list] = await harness.send(textMessage(officer, '/queue'));
    expect(list?.text).toContain('12 items, page 1/2');
    expect(list?.text).not.toContain(SECRET);
    const lines = (list?.text ?? '').split('\n').filter((line) => line.startsWith('#'));
    expect(lines).toHaveLength(8);
    expect(lines[0]).toContain(`#${late} P-SPZ · high · new`);
    expect(lines[0]).toContain('overdue');
    expect(buttonLabels(list)).toContain('Next ›');
  });

  it('pages and filters by editing the message in place', async () => {
    const [list] = await harness.send(textMessage(officer, '/queue'));
    const next = await harness.send(callbackQuery(officer, button(list, 'Next ›'), { messageId: 4242 }));
    const edit = next.find((m) => m.method === 'editMessageText');
    expect(edit?.payload).toMatchObject({ message_id: 4242 });
    expect(String(edit?.payload.text)).toContain('page 2/2');
    const overdue = await harness.send(callbackQuery(officer, encodeCallback('q.p', 'o', 1)));
    const text = String(overdue.find((m) => m.method === 'editMessageText')?.payload.text);
    expect(text).toContain('1 items');
    expect(text).toContain(`#${late} `);
    const mineOnly = await harness.send(callbackQuery(officer, encodeCallback('q.p', 'm', 1)));
    expect(String(mineOnly.find((m) => m.method === 'editMessageText')?.payload.text)).toContain(
      `#${mine} S-DXZ`,
    );
    const closed = await harness.send(callbackQuery(officer, encodeCallback('q.p', 'sclosed', 1)));
    expect(String(closed.find((m) => m.method === 'editMessageText')?.payload.text)).toContain('1 items');
    const byDomain = await harness.send(callbackQuery(officer, encodeCallback('q.p', 'dP.uSPZ', 1)));
    expect(String(byDomain.find((m) => m.method === 'editMessageText')?.payload.text)).toContain('1 items');
  });

  it('answers a press that would change nothing without editing (Telegram refuses such an edit)', async () => {
    const [list] = await harness.send(textMessage(officer, '/queue'));
    const shown = {
      messageText: htmlToPlainText(String(list?.payload.text)),
      replyMarkup: list?.payload.reply_markup as object,
    };
    // "Clear filters" on a list that has none.
    const cleared = await harness.send(callbackQuery(officer, button(list, 'Clear'), shown));
    expect(cleared.map((m) => m.method)).toEqual(['answerCallbackQuery']);
    // The same press on a filtered list does edit it.
    const filtered = await harness.send(
      callbackQuery(officer, button(list, 'Clear'), { messageText: 'other' }),
    );
    expect(filtered.map((m) => m.method)).toEqual(['editMessageText', 'answerCallbackQuery']);
  });

  it('offers the units that have items, and the statuses, as filter buttons', async () => {
    const units = await harness.send(callbackQuery(officer, encodeCallback('q.f', '', 'u')));
    const labels = buttonLabels(units.find((m) => m.method === 'editMessageText'));
    // Issue 18: units by name, as a person knows them, not by code.
    expect(labels).toEqual(expect.arrayContaining(['Any', 'Daxu Town', 'Hepu Town', 'Shipu Town']));
    expect(labels).not.toContain('HPZ');
    expect(labels).not.toContain('ZZB');
    expect(labels).not.toContain('County Organization Department');
    const statuses = await harness.send(callbackQuery(officer, encodeCallback('q.f', '', 's')));
    expect(buttonLabels(statuses.find((m) => m.method === 'editMessageText'))).toContain('closed');
  });

  it('opens an item from the list and from the section-chat deep link', async () => {
    const opened = await harness.send(callbackQuery(officer, encodeCallback('q.s', late)));
    expect(opened.find((m) => m.method === 'sendMessage')?.text).toContain(SECRET);
    const linked = await harness.send(textMessage(officer, `/start show-${late}`));
    expect(linked.find((m) => m.method === 'sendMessage')?.text).toContain(SECRET);
  });

  it('names the head an item is about beside its code when one is recorded', async () => {
    const recorded = await recordHeadChange(
      harness.db,
      { unitCode: 'XZZ', name: '王芳', title: null, from: '2025-01-02' },
      { actorId: 1, now: new Date('2025-01-02T02:00:00Z'), timeZone: 'Asia/Shanghai' },
    );
    if (recorded.kind !== 'recorded') throw new Error(recorded.kind);
    const id = await insertItem(harness.db, {
      domain: 'F',
      unitCode: 'XZZ',
      priority: 'urgent',
      headPersonKey: recorded.started.personKey,
    });
    const [list] = await harness.send(textMessage(officer, '/queue'));
    const line = (list?.text ?? '').split('\n').find((l) => l.startsWith(`#${id} `));
    expect(line).toContain(`#${id} F-XZZ 王芳 · `);
    // Items without a recorded head keep the short line.
    expect(list?.text).toContain(`#${late} P-SPZ · high · new`);
  });
});
