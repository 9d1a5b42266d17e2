import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/buttons.js';
import { features } from '../../src/bot/features/index.js';
import { translatorFor } from '../../src/i18n.js';
import { AUDIENCES, type Audience } from '../../src/domain/roles.js';
import { setSectionChat } from '../../src/settings.js';
import { accessRows } from '../support/access-table.js';
import { callbackQuery, textMessage, user } from '../support/updates.js';
import { type Enrolment, FaultRig, receiptsByChat, recordResult, runSeed } from './rig.js';

const t = translatorFor('zh-CN');
const REFUSAL = { unknown: t('common:unknown_person'), enrolled: t('common:not_for_your_role') };
const refusalFor = (audience: Audience) => (audience === 'unknown' ? REFUSAL.unknown : REFUSAL.enrolled);
const SECTION_CHAT = { id: -100_777, type: 'supergroup' as const, title: '干部科' };
const OWNER = 33_000;
const OFFICER = 33_001;
const ADMIN = 33_002;
const SECRET = 'faults_webhook_secret_0123456789abcdef';

interface Case {
  kind: 'command' | 'button';
  name: string;
  audience: Audience;
  allowed: boolean;
  inGroup: boolean;
  personId: number;
  callbackId?: string;
}

describe('scenario 5: access through the real process', () => {
  const rigs: FaultRig[] = [];
  afterAll(async () => {
    for (const rig of rigs) await rig.dispose('access');
  });

  it('refuses every command and button exactly as declared, ignores a revoked person’s old buttons, and rejects webhook posts without the secret', async () => {
    runSeed('scenario 5');
    const rig = await FaultRig.create();
    rigs.push(rig);
    const rows = accessRows(features);
    const cases: Case[] = [];
    const people: Enrolment[] = [
      { telegramId: OWNER, role: 'monitor', community: '东门社区' },
      { telegramId: OFFICER, role: 'officer' },
      { telegramId: ADMIN, role: 'admin' },
    ];
    let nextId = 34_000;
    for (const row of rows) {
      for (const audience of AUDIENCES) {
        nextId += 1;
        if (audience === 'monitor')
          people.push({ telegramId: nextId, role: 'monitor', community: '东门社区' });
        else if (audience === 'liaison') people.push({ telegramId: nextId, role: 'liaison', agency: 'AUD' });
        else if (audience !== 'unknown') people.push({ telegramId: nextId, role: audience });
        cases.push({
          kind: row.kind,
          name: row.name,
          audience,
          allowed: row.audience.includes(audience),
          inGroup: row.kind === 'command' && !row.chats.includes('private'),
          personId: nextId,
        });
      }
    }
    await rig.enrol(people);
    await rig.withDb((db) =>
      setSectionChat(db, {
        chatId: SECTION_CHAT.id,
        title: '干部科',
        boundBy: null,
        boundAt: new Date().toISOString(),
      }),
    );
    await rig.start();

    // A revoked officer's old buttons: an item, its buttons shown to the officer, then the revoke.
    rig.api.pushUpdate(textMessage(user(OWNER), '/tip F-HPZ 权限测试：局长违规审批资金'));
    const receipt = await rig.api.waitFor(
      (call) => call.method === 'sendMessage' && call.params.chat_id === OWNER,
      20_000,
    );
    const itemNumber = receiptsByChat([receipt])[0]?.number;
    expect(itemNumber).toBeDefined();
    rig.api.pushUpdate(textMessage(user(OFFICER), `/show ${itemNumber}`));
    const shown = await rig.api.waitFor(
      (call) =>
        call.method === 'sendMessage' &&
        call.params.chat_id === OFFICER &&
        call.params.reply_markup !== undefined,
      20_000,
    );
    const markup = shown.params.reply_markup as { inline_keyboard: Array<Array<{ callback_data?: string }>> };
    const oldButtons = markup.inline_keyboard
      .flat()
      .flatMap((button) => (button.callback_data ? [button.callback_data] : []));
    expect(oldButtons.length).toBeGreaterThan(0);
    rig.api.pushUpdate(textMessage(user(ADMIN), `/revoke ${OFFICER}`));
    await rig.api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === ADMIN, 20_000);
    await rig.settle(() => true, { quietMs: 1500 });
    const revokedPresses = oldButtons.map((data) => {
      const update = callbackQuery(user(OFFICER), data, {
        messageId: Number((shown.result as { message_id?: number })?.message_id ?? 1),
      });
      rig.api.pushUpdate(update);
      return (update as { callback_query: { id: string } }).callback_query.id;
    });

    // The matrix: private commands and buttons all at once, group commands one by one.
    for (const entry of cases.filter((c) => !c.inGroup)) {
      if (entry.kind === 'command') {
        rig.api.pushUpdate(textMessage(user(entry.personId), `/${entry.name}`));
      } else {
        const update = callbackQuery(user(entry.personId), encodeCallback(entry.name));
        entry.callbackId = (update as { callback_query: { id: string } }).callback_query.id;
        rig.api.pushUpdate(update);
      }
    }
    const answers = () =>
      new Map(
        rig.api.calls
          .filter((call) => call.method === 'answerCallbackQuery' && call.status === 200)
          .map((call) => [String(call.params.callback_query_id), call.params] as const),
      );
    const textsTo = (chatId: number) => rig.api.textsTo(chatId);
    const refusedCommandsAnswered = () =>
      cases
        .filter((c) => c.kind === 'command' && !c.inGroup && !c.allowed)
        .every((c) => textsTo(c.personId).length > 0);
    await rig.settle(
      () =>
        refusedCommandsAnswered() &&
        cases.filter((c) => c.callbackId).every((c) => answers().has(c.callbackId as string)) &&
        revokedPresses.every((id) => answers().has(id)),
      { quietMs: 3000, timeoutMs: 180_000 },
    );
    const groupTexts: Map<Case, string[]> = new Map();
    for (const entry of cases.filter((c) => c.inGroup)) {
      const before = textsTo(SECTION_CHAT.id).length;
      rig.api.pushUpdate(textMessage(user(entry.personId), `/${entry.name}`, { chat: SECTION_CHAT }));
      await rig.settle(() => true, { quietMs: 1200 });
      groupTexts.set(entry, textsTo(SECTION_CHAT.id).slice(before));
    }

    const wrong: string[] = [];
    for (const entry of cases) {
      const label = `${entry.kind} ${entry.name} by ${entry.audience}`;
      const refusal = refusalFor(entry.audience);
      if (entry.kind === 'command') {
        const texts = entry.inGroup ? (groupTexts.get(entry) ?? []) : textsTo(entry.personId);
        const refused = texts.includes(REFUSAL.unknown) || texts.includes(REFUSAL.enrolled);
        if (entry.allowed && refused) wrong.push(`${label}: refused`);
        // In the section chat a refused command gets nothing: a refusal would tell the group who is enrolled.
        if (!entry.allowed && entry.inGroup && texts.length > 0) {
          wrong.push(`${label}: ${texts.length} replies in the group instead of none`);
        }
        if (!entry.allowed && !entry.inGroup && (texts.length !== 1 || texts[0] !== refusal)) {
          wrong.push(`${label}: ${texts.length} replies instead of the refusal`);
        }
      } else {
        const answer = answers().get(entry.callbackId as string);
        if (!answer) wrong.push(`${label}: press not answered`);
        else if (entry.allowed && [REFUSAL.unknown, REFUSAL.enrolled].includes(String(answer.text))) {
          wrong.push(`${label}: refused`);
        } else if (!entry.allowed && (answer.text !== refusal || answer.show_alert !== true)) {
          wrong.push(`${label}: answered ${JSON.stringify(answer.text)}`);
        }
        if (!entry.allowed && textsTo(entry.personId).length > 0)
          wrong.push(`${label}: sent a message as well`);
      }
    }
    const revokedAnswers = revokedPresses.map((id) => answers().get(id));
    for (const answer of revokedAnswers) {
      if (answer?.text !== REFUSAL.unknown)
        wrong.push(`revoked officer's old button answered ${JSON.stringify(answer?.text)}`);
    }
    const crashes = rig.crashes + rig.handlerFailures();
    expect(await rig.stop()).toBe(0);
    const item = await rig.withDb(async (db) => {
      const result = (await db.execute(
        sql`select status, version from items where id = ${itemNumber}`,
      )) as unknown;
      const rowsOf = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
      return rowsOf[0] as { status: string; version: number };
    });
    if (item.status !== 'new' || Number(item.version) !== 1)
      wrong.push(`revoked officer changed item ${itemNumber}`);

    // Webhook mode: no secret or a wrong one is refused before anything is stored.
    const hook = await FaultRig.create();
    rigs.push(hook);
    const bot = await hook.start({
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.test/telegram/hook',
      WEBHOOK_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const port = /"port":(\d+),"msg":"webhook server listening"/.exec(bot.text())?.[1];
    const post = (id: number, headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/telegram/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ update_id: id, ...textMessage(user(35_000), '/help') }),
      }).then((response) => response.status);
    const statuses = [
      await post(1, {}),
      await post(2, { 'x-telegram-bot-api-secret-token': 'wrong' }),
      await post(3, { 'x-telegram-bot-api-secret-token': `${SECRET}x` }),
      await post(4, { 'x-telegram-bot-api-secret-token': '' }),
    ];
    // The control: with the secret, the same post is stored (so the count below can see a difference).
    const control = await post(5, { 'x-telegram-bot-api-secret-token': SECRET });
    await hook.api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === 35_000, 20_000);
    await hook.stop();
    const stored = await hook.count(sql`select count(*) as n from inbox_updates`);
    if (statuses.some((status) => status !== 401))
      wrong.push(`webhook answered ${statuses.join(',')} without the secret`);
    if (stored !== 1 || control !== 200)
      wrong.push(`webhook stored ${stored} updates (expected only the one with the secret)`);

    const sent = cases.length + revokedPresses.length + 3 + statuses.length + 1;
    recordResult({
      scenario: '5 access',
      sent,
      stored: 0,
      lost: 0,
      duplicated: 0,
      crashes,
      notes: `${cases.length} matrix cases, ${revokedPresses.length} revoked presses, 4 bad webhook posts; ${wrong.length} wrong`,
    });
    expect(wrong).toEqual([]);
    expect(crashes).toBe(0);
  });
});
