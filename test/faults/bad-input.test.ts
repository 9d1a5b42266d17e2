import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { features } from '../../src/bot/features/index.js';
import { parseTip, type UnitRef } from '../../src/domain/tip-code.js';
import { packageRoot } from '../../src/paths.js';
import { accessRows } from '../support/access-table.js';
import {
  callbackQuery,
  editedMessage,
  nextMessageId,
  type TgUser,
  textMessage,
  user,
} from '../support/updates.js';
import {
  type Enrolment,
  FaultRig,
  FULL,
  receiptsByChat,
  recordResult,
  runSeed,
  seededRandom,
} from './rig.js';

const UPDATES = FULL ? 10_000 : 1500;
const OWNERS = [31_000, 31_001];
const OWNER_TIPS = 3;
const SECTION_LIKE_GROUP = -100_555;

const units: UnitRef[] = readFileSync(
  join(packageRoot(), '..', 'shared', 'data', 'units.xiangshan.csv'),
  'utf8',
)
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const [code = '', nameZh = '', nameEn = ''] = line.split(',');
    return { code, nameZh, nameEn };
  });

const COMMANDS = [
  ...new Set(
    accessRows(features)
      .filter((r) => r.kind === 'command')
      .map((r) => r.name),
  ),
];
const ACTIONS = accessRows(features)
  .filter((r) => r.kind === 'button')
  .map((r) => r.name);
const MALFORMED_CODES = [
  'X-HPZ',
  'F-NOPE',
  'FHPZ',
  'F_HPZ',
  '-',
  'F-',
  '-HPZ',
  'Q-DDJD',
  '财权-不存在镇',
  'F-HPZ-X',
  '🙂-🙂',
];

describe(`scenario 4: ${UPDATES} generated bad updates`, () => {
  let rig: FaultRig;
  afterAll(() => rig?.dispose('bad-input'));

  it('never crashes, stores no item, answers every waiting person and every button, echoes no stranger', async () => {
    const seed = runSeed('scenario 4');
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const int = (max: number) => Math.floor(random() * max);

    const people: Enrolment[] = [
      ...OWNERS.map((id) => ({ telegramId: id, role: 'monitor' as const, community: '东门社区' })),
      ...Array.from({ length: 20 }, (_, i) => ({
        telegramId: 32_000 + i,
        role: 'monitor' as const,
        community: `社区${i % 6}`,
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        telegramId: 32_100 + i,
        role: 'liaison' as const,
        agency: pick(['ORG', 'CDI', 'COURT', 'PROC', 'PSB', 'SUP', 'FIN', 'AUD', 'PET']),
      })),
      ...Array.from({ length: 10 }, (_, i) => ({ telegramId: 32_200 + i, role: 'officer' as const })),
      ...Array.from({ length: 5 }, (_, i) => ({ telegramId: 32_300 + i, role: 'admin' as const })),
    ];
    const enrolled = people.filter((p) => !OWNERS.includes(p.telegramId)).map((p) => p.telegramId);
    const strangers = Array.from({ length: Math.ceil(UPDATES / 10) }, (_, i) => 40_000 + i);
    rig = await FaultRig.create();
    await rig.enrol(people);
    await rig.start();

    // Real items first, so forged buttons and commands can name other people's items.
    for (const owner of OWNERS) {
      for (let n = 0; n < OWNER_TIPS; n += 1) {
        rig.api.pushUpdate(textMessage(user(owner), `/tip F-HPZ 所有者${owner}的第${n}条：局长违规发放补贴`));
      }
    }
    const ownerSet = new Set(OWNERS);
    await rig.settle(() => receiptsByChat(rig.messagesTo(ownerSet)).length >= OWNERS.length * OWNER_TIPS);
    const itemNumbers = [...new Set(receiptsByChat(rig.messagesTo(ownerSet)).map((r) => r.number))];
    const baseline = itemNumbers.length;

    const randomUnicode = (length: number) =>
      Array.from({ length }, () => {
        const roll = random();
        if (roll < 0.3) return String.fromCodePoint(0x4e00 + int(0x5000));
        if (roll < 0.4) return String.fromCodePoint(int(0x20));
        if (roll < 0.5) return String.fromCodePoint(0x1f300 + int(0x300));
        if (roll < 0.55)
          return pick(['<', '>', '&', '"', "'", '<b>', '</i>', '&amp;', '\u202e', '\u200b', '\ufeff']);
        if (roll < 0.6) return String.fromCodePoint(0xd800 + int(0x800)); // a lone surrogate
        return String.fromCodePoint(0x21 + int(0x5e));
      }).join('');
    const garbageArg = () =>
      pick([String(int(1_000_000)), String(999_999), '0', '-1', randomUnicode(int(12)), 'x'.repeat(40), '']);
    const malformedTip = () => {
      for (;;) {
        const line = `${pick(MALFORMED_CODES)} ${randomUnicode(1 + int(60))}`;
        if (!parseTip(line, units).ok) return line;
      }
    };
    const commandText = () => {
      const roll = random();
      const name = roll < 0.15 ? `nosuch${int(100)}` : pick(COMMANDS);
      const suffix = pick(['', '', '@liaison_test_bot', '@other_bot', '@']);
      let args = '';
      if (['tip', 'notice'].includes(name)) args = random() < 0.1 ? '' : malformedTip();
      else if (name === 'log') args = `${pick(['hotline', 'mailbox', 'phone'])} ${malformedTip()}`;
      else if (name === 'revoke')
        args = pick(['', String(int(1000)), String(9_000_000_000 + int(1000)), 'abc']);
      else if (['show', 'add', 'ask'].includes(name))
        args = `${random() < 0.5 ? pick(itemNumbers) : garbageArg()} ${randomUnicode(int(30))}`;
      else if (random() < 0.5) args = randomUnicode(int(40));
      return `/${name}${suffix}${args ? ` ${args}` : ''}`;
    };
    const messageText = () => {
      const roll = random();
      if (roll < 0.25) return commandText();
      if (roll < 0.35) return 'x'.repeat(1000) + randomUnicode(4000);
      if (roll < 0.45) return Array.from({ length: 50 }, () => String.fromCodePoint(int(0x20))).join('');
      if (roll < 0.6) return malformedTip();
      return randomUnicode(1 + int(200));
    };
    const forgedData = (): string => {
      const roll = random();
      if (roll < 0.2) return randomUnicode(64);
      if (roll < 0.3) return 'x'.repeat(65 + int(100));
      if (roll < 0.4) return `${pick(ACTIONS)}|${'9'.repeat(60)}`;
      const action = pick(ACTIONS);
      const args = Array.from({ length: int(4) }, () =>
        random() < 0.5
          ? String(pick(itemNumbers))
          : pick([String(999_999), String(int(100)), 'accept', 'reject', 'x']),
      );
      const data = [action, ...args].join('|');
      return Buffer.byteLength(data) <= 64 ? data : action;
    };

    const waiting = new Map<number, number>();
    const callbacks = new Set<string>();
    const strangerTexts: string[] = [];
    const kinds = new Map<string, number>();
    const count = (kind: string) => kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const privateMessage = (from: TgUser, body: Record<string, unknown>) => ({
      message: {
        message_id: nextMessageId(),
        from,
        chat: { id: from.id, type: 'private', first_name: from.first_name },
        date: Math.floor(Date.now() / 1000),
        ...body,
      },
    });
    for (let n = 0; n < UPDATES; n += 1) {
      const stranger = random() < 0.35;
      const id = stranger ? pick(strangers) : pick(enrolled);
      const from = user(id, random() < 0.3 ? { lang: 'en' } : {});
      const roll = random();
      let update: object;
      let kind: string;
      if (roll < 0.45) {
        const text = messageText();
        if (stranger) strangerTexts.push(text);
        update = textMessage(from, text);
        kind = 'text';
        waiting.set(id, (waiting.get(id) ?? 0) + 1);
      } else if (roll < 0.5) {
        update = editedMessage(from, messageText());
        kind = 'edited';
      } else if (roll < 0.6) {
        kind = pick(['sticker', 'location', 'contact', 'forward']);
        const body =
          kind === 'sticker'
            ? {
                sticker: {
                  file_id: `sticker${n}`,
                  file_unique_id: `s${n}`,
                  type: 'regular',
                  width: 512,
                  height: 512,
                  is_animated: false,
                  is_video: false,
                },
              }
            : kind === 'location'
              ? { location: { latitude: 29.4 + random(), longitude: 121.8 + random() } }
              : kind === 'contact'
                ? { contact: { phone_number: `+86${int(1e9)}`, first_name: randomUnicode(6) } }
                : {
                    text: messageText(),
                    forward_origin: { type: 'user', sender_user: user(int(1e6) + 1), date: 1_700_000_000 },
                    forward_date: 1_700_000_000,
                  };
        if (stranger && kind === 'forward') strangerTexts.push(String((body as { text?: string }).text));
        update = privateMessage(from, body);
        waiting.set(id, (waiting.get(id) ?? 0) + 1);
      } else if (roll < 0.65) {
        update = {
          channel_post: {
            message_id: nextMessageId(),
            chat: { id: -1_001_234_000 - int(10), type: 'channel', title: randomUnicode(8) },
            date: Math.floor(Date.now() / 1000),
            text: messageText(),
          },
        };
        kind = 'channel_post';
      } else if (roll < 0.72) {
        const text = messageText();
        const strangerFrom = user(pick(strangers));
        strangerTexts.push(text);
        update = textMessage(strangerFrom, text, {
          chat: {
            id: random() < 0.5 ? SECTION_LIKE_GROUP : -int(1e9) - 1,
            type: pick(['group', 'supergroup']),
            title: 'g',
          },
        });
        kind = 'group';
      } else {
        update = callbackQuery(from, forgedData(), { messageText: '…' });
        callbacks.add((update as { callback_query: { id: string } }).callback_query.id);
        kind = 'callback';
      }
      count(kind);
      rig.api.pushUpdate(update);
    }

    const answered = () =>
      new Set(
        rig.api.calls
          .filter((call) => call.method === 'answerCallbackQuery' && call.status === 200)
          .map((call) => String(call.params.callback_query_id)),
      );
    const repliesTo = () => {
      const counts = new Map<number, number>();
      for (const call of rig.api.sent()) {
        const chat = Number(call.params.chat_id);
        if (waiting.has(chat)) counts.set(chat, (counts.get(chat) ?? 0) + 1);
      }
      return counts;
    };
    const unansweredPeople = () => {
      const replies = repliesTo();
      return [...waiting.keys()].filter((chat) => !replies.has(chat)).length;
    };
    const unansweredButtons = () => {
      const done = answered();
      return [...callbacks].filter((id) => !done.has(id)).length;
    };
    let settled = true;
    try {
      await rig.settle(() => unansweredPeople() === 0 && unansweredButtons() === 0, {
        timeoutMs: FULL ? 900_000 : 240_000,
        quietMs: 3000,
      });
    } catch {
      settled = false;
    }
    const alive = rig.running();
    const exitCode = await rig.stop();
    const items = await rig.count(sql`select count(*) as n from items`);
    const parked = await rig.count(sql`select count(*) as n from inbox_updates where status <> 'done'`);

    const sentTexts = rig.api.calls
      .filter((call) => call.status === 200)
      .map((call) => `${String(call.params.text ?? '')}${String(call.params.caption ?? '')}`);
    // A bare command name (/bindchat) may appear in the bot's own help; anything longer is the stranger's.
    const distinctive = strangerTexts.filter(
      (text) => text.trim().length >= 8 && !/^\/[\w@]*$/.test(text.trim()),
    );
    const echoed = distinctive.filter((text) => sentTexts.some((sent) => sent.includes(text.trim()))).length;
    if (process.env.FAULTS_DEBUG) {
      for (const text of distinctive) {
        const hit = sentTexts.find((sent) => sent.includes(text.trim()));
        if (hit)
          process.stdout.write(`echoed stranger text ${JSON.stringify(text)} in ${JSON.stringify(hit)}\n`);
      }
    }
    const logs = rig.logs();
    const logged = distinctive.filter((text) => logs.includes(text.trim())).length;
    const replies = repliesTo();
    const shortAnswered = [...waiting.entries()].filter(([chat, n]) => (replies.get(chat) ?? 0) < n).length;
    const crashes = rig.crashes + rig.handlerFailures();
    recordResult({
      scenario: '4 bad input',
      sent: UPDATES,
      stored: items - baseline,
      lost: 0,
      duplicated: 0,
      crashes,
      notes: `${[...kinds].map(([k, v]) => `${v} ${k}`).join(', ')}; unanswered people ${unansweredPeople()}, buttons ${unansweredButtons()}; people with fewer replies than messages ${shortAnswered}; stranger texts echoed ${echoed}, logged ${logged}; seed ${seed}`,
    });
    expect(settled, 'every waiting person and button was answered in time').toBe(true);
    expect(alive).toBe(true);
    expect(exitCode).toBe(0);
    expect(crashes).toBe(0);
    expect(parked).toBe(0);
    expect(items).toBe(baseline);
    expect(unansweredPeople()).toBe(0);
    expect(unansweredButtons()).toBe(0);
    expect(shortAnswered).toBe(0);
    expect(echoed).toBe(0);
    expect(logged).toBe(0);
  });
});
