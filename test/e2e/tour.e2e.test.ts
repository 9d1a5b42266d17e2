// Issue #13, acceptance 2: a tour of the whole bot through the real process in both languages, against
// a fake Bot API that refuses what Telegram refuses. Every chat command of INTERFACE.md is sent by
// every role (bare, with bad arguments and with good ones), every button of every keyboard received
// is pressed, and so are the buttons that those presses bring, two levels deep. Texts carry `< & >`
// and 4,000 Chinese characters. Not one call may be refused, and no call may carry a parameter
// Telegram does not know.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personNumberOf } from '../../src/crypto/person-numbers.js';
import { columnPlace, sealAt } from '../../src/crypto/sealing.js';
import { testDatabaseKind } from '../support/database.js';
import { buttonsOf, E2eSession, messageIdOf, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { callbackQuery, type TgUser, textMessage, user } from '../support/updates.js';

const SECTION_GROUP = { id: -100_777_013, type: 'supergroup' as const, title: '干部科 <tour> & co' };
const AWKWARD = 'a<b> & c > d &amp; <i>not a tag</i>';
const LONG_CHINESE = '镇长在防波堤工程中指定施工方，'.repeat(267).slice(0, 4000);
const PRESSES_PER_ROLE_AND_LEVEL = 40;
// Telegram allows one message a second per chat: the tour spreads each role's commands over a few
// people of that role, so the chats fill in parallel instead of one long queue per role.
const PERSONAS_PER_ROLE = 3;
const ROLES = ['admin', 'officer', 'monitor', 'liaison', 'stranger'] as const;
type TourRole = (typeof ROLES)[number];

interface Persona {
  person: TgUser;
  role: TourRole;
  language: 'en' | 'zh';
  /** Which share of the command list this persona sends. */
  share: number;
}

const personas: Persona[] = [];
for (const [languageIndex, language] of (['en', 'zh'] as const).entries()) {
  for (const [roleIndex, role] of ROLES.entries()) {
    for (let share = 0; share < PERSONAS_PER_ROLE; share += 1) {
      const id = 13_000 + languageIndex * 1000 + roleIndex * 10 + share;
      const lang = language === 'en' ? 'en' : 'zh-hans';
      personas.push({
        person: user(id, { lang, name: `${role} ${share} <${language}> & co` }),
        role,
        language,
        share,
      });
    }
  }
}
const everyone = personas.map((persona) => persona.person);
function first(role: TourRole, language: 'en' | 'zh'): TgUser {
  const found = personas.find((p) => p.role === role && p.language === language && p.share === 0);
  if (!found) throw new Error(`no ${role} in ${language}`);
  return found.person;
}

/** Every command form of INTERFACE.md, with an item number the tour created. */
function commandsFor(item: number, personId: number): string[] {
  return [
    '/start',
    '/help',
    '/start not-a-valid-token',
    `/start show-${item}`,
    '/cancel',
    '/invite',
    '/invite monitor',
    '/invite monitor 东门社区 <&>',
    '/invite liaison',
    '/invite liaison NOPE',
    '/invite liaison CDI',
    '/invite officer',
    '/invite admin',
    '/revoke',
    '/revoke abc',
    '/revoke 1',
    '/people',
    '/units',
    '/bindchat',
    '/tip',
    '/cancel',
    '/tip F-HPZ',
    '/tip Q-NOPE x',
    `/tip F-HPZ ${AWKWARD}`,
    `/tip I-DXZ ${LONG_CHINESE}`,
    '/notice',
    `/notice P-HPZ ${AWKWARD}`,
    '/my',
    '/add',
    `/add ${item}`,
    `/add ${item} ${AWKWARD}`,
    '/add 999999 x',
    '/queue',
    '/show',
    '/show abc',
    `/show ${item}`,
    '/show 999999',
    '/log',
    '/log phone F-HPZ signed x',
    `/log hotline F-HPZ anonymous ${AWKWARD}`,
    `/log mailbox S-DXZ signed ${LONG_CHINESE}`,
    '/ask',
    `/ask ${item}`,
    `/ask ${item} ${AWKWARD}`,
    '/digest',
    '/digest hourly',
    '/digest daily',
    '/digest weekly',
    '/digest monthly',
    '/export',
    '/head',
    `/head HPZ 张三 <镇长> 2026-01-01`,
    '/heads',
    '/heads HPZ',
    '/talks',
    '/talks add HPZ 新任职',
    '/reveal',
    `/reveal ${item}`,
    `/reveal ${item} 县纪委要求约谈举报人核实情况 <&>`,
    '/nosuchcommand',
    AWKWARD,
    `${personId}`,
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// What the tour checks — every text and keyboard against Telegram's rules — does not depend on the
// database, and it takes minutes (one message a second per chat): it runs on the embedded default
// only; the rest of the suite covers PostgreSQL's paths.
describe.skipIf(testDatabaseKind === 'postgres')(
  `a tour of every command and button in both languages on ${testDatabaseKind}`,
  {
    timeout: 600_000,
  },
  () => {
    let session: E2eSession;
    let item = 0;

    /** Waits until Telegram has delivered every update and the bot has made no call for `quietMs`. */
    async function quiet(quietMs = 2500, timeoutMs = 240_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const last = session.api.calls.findLast((call) => call.method !== 'getUpdates');
        if (session.api.pendingUpdates() === 0 && (!last || Date.now() - last.at >= quietMs)) return;
        if (Date.now() > deadline) throw new Error('the bot did not go quiet');
        await sleep(250);
      }
    }

    /** Presses every distinct callback button (per person, capped) on the private messages in `calls`. */
    /**
     * Presses every distinct callback button on the private messages in `calls`: each button once per
     * role and language (its personas get the same keyboards), at most PRESSES_PER_ROLE_AND_LEVEL.
     */
    function pressAll(calls: readonly RecordedCall[]): number {
      const pressed = new Map<string, Set<string>>();
      let count = 0;
      for (const call of calls) {
        const chatId = call.params.chat_id;
        const persona = personas.find((candidate) => candidate.person.id === chatId);
        if (typeof chatId !== 'number' || !persona) continue;
        const group = `${persona.role}:${persona.language}`;
        const seen = pressed.get(group) ?? new Set<string>();
        pressed.set(group, seen);
        for (const button of buttonsOf(call)) {
          const data = button.callback_data;
          if (!data || seen.has(data) || seen.size >= PRESSES_PER_ROLE_AND_LEVEL) continue;
          seen.add(data);
          count += 1;
          session.api.pushUpdate(
            callbackQuery(persona.person, data, {
              messageId: messageIdOf(call),
              chatId,
              messageText: textOf(call),
            }),
          );
        }
      }
      return count;
    }

    beforeAll(async () => {
      // Enrolled as invites would have (the invite commands themselves are part of the tour).
      session = await E2eSession.create(
        {
          ADMIN_IDS: personas
            .filter((persona) => persona.role === 'admin')
            .map((persona) => persona.person.id)
            .join(','),
        },
        async (db) => {
          for (const { person, role, language } of personas) {
            if (role === 'admin' || role === 'stranger') continue;
            await db.execute(
              // Sealed as the bot seals them: a started bot refuses values in clear.
              sql`insert into people (telegram_id, role, community, agency, language)
                values (${personNumberOf(person.id)}, ${role},
                        ${role === 'monitor' ? sealAt(columnPlace('people', 'community'), `社区${person.id}`) : null},
                        ${role === 'liaison' ? sealAt(columnPlace('people', 'agency'), language === 'en' ? 'CDI' : 'AUD') : null},
                        ${language === 'en' ? 'en' : 'zh-CN'})`,
            );
          }
        },
      );
      await session.start();
      await session.bindSectionChat(first('admin', 'en'), SECTION_GROUP);
      const receipt = await session.say(first('monitor', 'zh'), `/tip F-HPZ ${AWKWARD}`);
      const match = /#(\d+)/.exec(textOf(receipt));
      if (!match) throw new Error(`no receipt: ${textOf(receipt)}`);
      item = Number(match[1]);
      await quiet();
    }, 300_000);
    afterAll(() => session?.dispose());

    it('sends every command as every role, presses every button two levels deep, and Telegram refuses nothing', async () => {
      const start = session.mark();
      for (const { person, share } of personas) {
        // Each persona sends its share of the commands, and every one of them those a dialogue needs.
        for (const [index, command] of commandsFor(item, person.id).entries()) {
          if (index % PERSONAS_PER_ROLE === share || ['/tip', '/cancel'].includes(command)) {
            session.api.pushUpdate(textMessage(person, command));
          }
        }
      }
      // The group: a stranger's command is ignored, an admin's /bindchat answered.
      session.api.pushUpdate(textMessage(first('stranger', 'en'), '/help', { chat: SECTION_GROUP }));
      session.api.pushUpdate(textMessage(first('admin', 'zh'), '/bindchat', { chat: SECTION_GROUP }));
      const began = Date.now();
      const phase = (name: string) => {
        if (process.env.TOUR_DEBUG)
          process.stderr.write(`${name}: ${Date.now() - began} ms, ${session.api.calls.length} calls\n`);
      };
      await quiet();
      phase('commands');
      const commandsDone = session.mark();
      const firstLevel = pressAll(
        session.api.calls.filter((call) => call.seq > start && call.status === 200),
      );
      await quiet();
      phase(`first level (${firstLevel} presses)`);
      const secondLevel = pressAll(
        session.api.calls.filter((call) => call.seq > commandsDone && call.status === 200),
      );
      await quiet();

      phase(`second level (${secondLevel} presses)`);
      const calls = session.api.calls.filter((call) => call.seq > start);
      const refused = calls
        .filter((call) => call.status >= 400 && call.status < 500)
        .map(
          (call) =>
            `${call.method} ${call.status} ${call.description} :: ${JSON.stringify(call.params).slice(0, 300)}`,
        );
      expect(refused).toEqual([]);
      expect(session.api.unknownParameters).toEqual([]);

      // The tour reached what it meant to: answers in both languages, long texts, every press answered.
      const answered = calls.filter(
        (call) => call.method === 'answerCallbackQuery' && call.status === 200,
      ).length;
      expect(firstLevel).toBeGreaterThan(20);
      expect(secondLevel).toBeGreaterThan(10);
      expect(answered).toBeGreaterThanOrEqual(firstLevel + secondLevel);
      for (const person of everyone)
        expect(session.api.sent(person.id).length, `${person.first_name}`).toBeGreaterThan(3);
      const englishHelp = calls.find(
        (call) =>
          personas.some(
            (p) => p.role === 'officer' && p.language === 'en' && p.person.id === call.params.chat_id,
          ) && /\/show ‹number›/.test(textOf(call)),
      );
      expect(englishHelp, 'the English help reached the officer').toBeDefined();
      const longPieces = calls.filter(
        (call) =>
          call.method === 'sendMessage' && textOf(call).includes('镇长在防波堤工程中指定施工方，镇长'),
      );
      expect(longPieces.length).toBeGreaterThan(0);
      // Nothing was left behind in the outbox as failed (stopped first: on PGlite the process owns the data).
      await session.stop();
      expect(await session.count(sql`select count(*) as count from outbox where status = 'failed'`)).toBe(0);
    });
  },
);
