import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/buttons.js';
import { features } from '../../src/bot/features/index.js';
import { translatorFor } from '../../src/i18n.js';
import { AUDIENCES, type Audience } from '../../src/domain/roles.js';
import { setSectionChat } from '../../src/settings.js';
import { accessRows, accessTableMarkdown } from '../support/access-table.js';
import { createHarness, type Harness, type QueuedMessage } from '../support/harness.js';
import { callbackQuery, textMessage, user } from '../support/updates.js';

const t = translatorFor('zh-CN');
const REFUSALS = [t('common:not_for_your_role'), t('common:unknown_person')];
const SECTION_CHAT = { id: -100777, type: 'supergroup' as const, title: '干部科' };
const rows = accessRows(features);

let nextId = 60_000;

/** A fresh person of the audience, so no dialogue or earlier state carries over between cells. */
async function freshPerson(harness: Harness, audience: Audience): Promise<number> {
  nextId += 1;
  if (audience === 'monitor') await harness.enrol(nextId, 'monitor', { community: '丹东街道东门社区' });
  else if (audience === 'liaison') await harness.enrol(nextId, 'liaison', { agency: 'AUD' });
  else if (audience !== 'unknown') await harness.enrol(nextId, audience);
  return nextId;
}

describe('access matrix: every command and button × every audience', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await setSectionChat(harness.db, {
      chatId: SECTION_CHAT.id,
      title: '干部科',
      boundBy: null,
      boundAt: '',
    });
    if (process.env.PRINT_ACCESS_TABLE) process.stdout.write(`\n${accessTableMarkdown(features)}\n\n`);
  });
  afterAll(() => harness.close());

  const personOf = (audience: Audience) => freshPerson(harness, audience);

  const isRefusal = (message: QueuedMessage) => REFUSALS.includes(message.text);

  it('finds the commands every feature declared, including ones added later', () => {
    const names = rows.filter((row) => row.kind === 'command').map((row) => row.name);
    expect(names).toEqual(
      expect.arrayContaining(['start', 'help', 'cancel', 'invite', 'revoke', 'people', 'units', 'bindchat']),
    );
    expect(names.length).toBe(new Set(features.flatMap((f) => f.commands.map((c) => c.command))).size);
  });

  for (const row of rows.filter((r) => r.kind === 'command')) {
    for (const audience of AUDIENCES) {
      const allowed = row.audience.includes(audience);
      it(`/${row.name} by ${audience} is ${allowed ? 'allowed' : 'refused'}`, async () => {
        const id = await personOf(audience);
        const inPrivate = row.chats.includes('private');
        const chatId = inPrivate ? id : SECTION_CHAT.id;
        const failuresBefore = harness.processor.stats.failures;
        const queued = await harness.send(
          textMessage(user(id), `/${row.name}`, inPrivate ? {} : { chat: SECTION_CHAT }),
        );
        expect(harness.processor.stats.failures, 'the handler threw').toBe(failuresBefore);
        const toChat = queued.filter((message) => message.chatId === chatId);
        if (allowed) {
          expect(toChat.filter(isRefusal)).toEqual([]);
        } else {
          expect(toChat.map((message) => message.text)).toEqual([
            t(audience === 'unknown' ? 'common:unknown_person' : 'common:not_for_your_role'),
          ]);
          expect(queued).toHaveLength(1);
        }
      });
    }
  }

  for (const row of rows.filter((r) => r.kind === 'button')) {
    for (const audience of AUDIENCES) {
      const allowed = row.audience.includes(audience);
      it(`button ${row.name} by ${audience} is ${allowed ? 'allowed' : 'refused'}`, async () => {
        const id = await personOf(audience);
        const failuresBefore = harness.processor.stats.failures;
        const queued = await harness.send(callbackQuery(user(id), encodeCallback(row.name)));
        expect(harness.processor.stats.failures, 'the handler threw').toBe(failuresBefore);
        const answers = queued.filter((message) => message.method === 'answerCallbackQuery');
        expect(answers.length, 'every press is answered').toBeGreaterThan(0);
        const refusal = answers.find((message) => REFUSALS.includes(String(message.payload.text)));
        if (allowed) {
          expect(refusal).toBeUndefined();
        } else {
          expect(refusal?.payload).toMatchObject({
            text: t(audience === 'unknown' ? 'common:unknown_person' : 'common:not_for_your_role'),
            show_alert: true,
          });
          expect(queued).toHaveLength(1);
        }
      });
    }
  }
});

// Issue #15: in the bound section group the bot answers nothing but an admin's /bindchat (a refusal
// would tell every member who is enrolled, and a forged button press must never post an item there),
// and a private update whose chat is not its sender's is dropped whole.
describe('access matrix from the section group and from a forged private chat', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await setSectionChat(harness.db, {
      chatId: SECTION_CHAT.id,
      title: '干部科',
      boundBy: null,
      boundAt: '',
    });
  });
  afterAll(() => harness.close());

  const personOf = (audience: Audience) => freshPerson(harness, audience);
  const summary = (queued: readonly QueuedMessage[]) =>
    queued.map((message) => `${message.method} → ${message.chatId}: ${message.text ?? ''}`);

  for (const row of rows.filter((r) => r.kind === 'command')) {
    for (const audience of AUDIENCES) {
      const answered = row.name === 'bindchat' && audience === 'admin';
      it(`/${row.name} by ${audience} in the section group ${answered ? 'is answered there' : 'gets nothing'}`, async () => {
        const id = await personOf(audience);
        const queued = await harness.send(textMessage(user(id), `/${row.name} 1 x`, { chat: SECTION_CHAT }));
        if (answered) expect(queued.map((message) => message.chatId)).toEqual([SECTION_CHAT.id]);
        else expect(summary(queued)).toEqual([]);
      });
      it(`/${row.name} by ${audience} from a forged private chat gets nothing`, async () => {
        const id = await personOf(audience);
        const victim = await personOf('officer');
        const queued = await harness.send(
          textMessage(user(id), `/${row.name} 1 x`, { chat: { id: victim, type: 'private' } }),
        );
        expect(summary(queued)).toEqual([]);
      });
    }
  }

  for (const row of rows.filter((r) => r.kind === 'button')) {
    for (const audience of AUDIENCES) {
      it(`button ${row.name} by ${audience} in the section group only stops the spinner`, async () => {
        const id = await personOf(audience);
        const queued = await harness.send(
          callbackQuery(user(id), encodeCallback(row.name, 1, 1), { chatId: SECTION_CHAT.id }),
        );
        expect(queued.map((message) => [message.method, Object.keys(message.payload).sort()])).toEqual([
          ['answerCallbackQuery', ['callback_query_id']],
        ]);
      });
      it(`button ${row.name} by ${audience} from a forged private chat gets nothing`, async () => {
        const id = await personOf(audience);
        const victim = await personOf('admin');
        const queued = await harness.send(
          callbackQuery(user(id), encodeCallback(row.name, 1, 1), { chatId: victim }),
        );
        expect(summary(queued)).toEqual([]);
      });
    }
  }
});
