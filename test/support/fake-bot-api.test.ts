import { Input, Markup, Telegram, TelegramError } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBotApi, type UploadedFile } from './fake-bot-api.js';
import {
  callbackQuery,
  groupAddedMessage,
  myChatMember,
  photoMessage,
  textMessage,
  user,
} from './updates.js';

interface ApiAnswer {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

let fake: FakeBotApi;
let telegram: Telegram;

async function call(method: string, body: object = {}, token = fake.token): Promise<ApiAnswer> {
  const res = await fetch(`${fake.url}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as ApiAnswer;
}

beforeEach(async () => {
  fake = await FakeBotApi.start();
  telegram = new Telegram(fake.token, { apiRoot: fake.url });
});

afterEach(async () => {
  await fake.stop();
});

describe('FakeBotApi basics', () => {
  it('answers getMe over fetch and through telegraf', async () => {
    const answer = await call('getMe');
    expect(answer).toMatchObject({
      ok: true,
      result: { id: 123456789, is_bot: true, first_name: 'Liaison Test', username: 'liaison_test_bot' },
    });
    const me = await telegram.getMe();
    expect(me.username).toBe('liaison_test_bot');
    expect(fake.calls.map((c) => c.method)).toEqual(['getMe', 'getMe']);
    expect(fake.calls[1]).toMatchObject({ seq: 2, token: fake.token, status: 200 });
  });

  it('rejects an unknown token with 401 Unauthorized', async () => {
    expect(await call('getMe', {}, '1:wrong')).toEqual({
      ok: false,
      error_code: 401,
      description: 'Unauthorized',
    });
    const other = new Telegram('1:wrong', { apiRoot: fake.url });
    await expect(other.getMe()).rejects.toMatchObject({ code: 401 });
  });

  it('returns Messages with per-chat increasing ids and echoes inline keyboards', async () => {
    const first = await telegram.sendMessage(
      42,
      'hello',
      Markup.inlineKeyboard([Markup.button.callback('OK', 'ok')]),
    );
    const second = await telegram.sendMessage(42, 'again');
    expect(second.message_id).toBeGreaterThan(first.message_id);
    expect(first).toMatchObject({ chat: { id: 42, type: 'private' }, text: 'hello', from: { is_bot: true } });
    expect(first.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ text: 'OK', callback_data: 'ok' });
    const group = await telegram.sendMessage(-5, 'hi group');
    expect(group.chat.type).toBe('group');
    expect(fake.textsTo(42)).toEqual(['hello', 'again']);
    expect(fake.sent(-5)).toHaveLength(1);
  });
});

describe('getUpdates', () => {
  it('confirms and drops updates below the offset', async () => {
    const alice = user(1001, { name: 'Alice' });
    const a = fake.pushUpdate(textMessage(alice, '/start'));
    const b = fake.pushUpdate(textMessage(alice, 'two'));
    const c = fake.pushUpdate(textMessage(alice, 'three'));
    expect([a, b, c]).toEqual([1000, 1001, 1002]);

    const all = await telegram.getUpdates(0, 100, 0, undefined);
    expect(all.map((u) => u.update_id)).toEqual([1000, 1001, 1002]);
    expect(fake.pendingUpdates()).toBe(3);

    const fromB = await call('getUpdates', { offset: b });
    expect((fromB.result as Array<{ update_id: number }>).map((u) => u.update_id)).toEqual([1001, 1002]);
    expect(fake.pendingUpdates()).toBe(2);
    expect(fake.confirmedOffset()).toBe(b);

    expect((await call('getUpdates', { offset: c + 1 })).result).toEqual([]);
    expect(fake.pendingUpdates()).toBe(0);
    // Confirmed updates are gone for good, even for a poll without an offset.
    expect((await call('getUpdates')).result).toEqual([]);
  });

  it('honours limit', async () => {
    for (let i = 0; i < 5; i++) fake.pushUpdate(textMessage(user(7), `m${i}`));
    const two = await telegram.getUpdates(0, 2, 0, undefined);
    expect(two).toHaveLength(2);
  });

  it('holds a long poll until pushUpdate wakes it', async () => {
    const started = Date.now();
    const poll = telegram.getUpdates(5, 100, 0, undefined);
    await new Promise((r) => setTimeout(r, 150));
    const id = fake.pushUpdate(textMessage(user(1002), 'wake up'));
    const updates = await poll;
    expect(updates.map((u) => u.update_id)).toEqual([id]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(updates[0]).toMatchObject({ message: { text: 'wake up', from: { id: 1002 } } });
  });

  it('delivers updates pushed in one burst as one batch', async () => {
    const poll = call('getUpdates', { timeout: 5 });
    await new Promise((r) => setTimeout(r, 100));
    fake.pushUpdate(textMessage(user(1), 'a'));
    fake.pushUpdate(textMessage(user(1), 'b'));
    expect((await poll).result).toHaveLength(2);
  });

  it('answers [] when the long poll times out', async () => {
    const started = Date.now();
    const answer = await call('getUpdates', { timeout: 1 });
    expect(answer).toEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('tells a waiter that a long poll arrived while the poll is still held, and not for polls before `since`', async () => {
    await call('getUpdates', { timeout: 0 });
    const since = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 5));
    // The poll made before `since` does not count; a 200 ms wait ends without one.
    await expect(fake.waitForPolling(since, 200)).rejects.toThrow(/no getUpdates arrived/);
    const poll = call('getUpdates', { timeout: 30 });
    const started = Date.now();
    const arrived = await fake.waitForPolling(since, 5000);
    expect(arrived).toBeGreaterThanOrEqual(since);
    // Known long before the held poll ends (30 s), and not yet recorded as a call.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.calls.filter((c) => c.method === 'getUpdates')).toHaveLength(1);
    fake.pushUpdate(textMessage(user(1), 'end the poll'));
    expect((await poll).result).toHaveLength(1);
  });

  it('answers a held long poll with [] on stop', async () => {
    const poll = call('getUpdates', { timeout: 30 });
    await new Promise((r) => setTimeout(r, 100));
    await fake.stop();
    expect(await poll).toEqual({ ok: true, result: [] });
  });

  it('terminates an older held poll with 409 when another getUpdates arrives', async () => {
    const first = call('getUpdates', { timeout: 30 });
    await new Promise((r) => setTimeout(r, 100));
    await call('getUpdates', { timeout: 0 });
    expect(await first).toMatchObject({ ok: false, error_code: 409 });
  });

  it('answers 409 while a webhook is set, until deleteWebhook', async () => {
    await telegram.setWebhook('https://example.org/hook', { secret_token: 's3cret' });
    expect(fake.webhook()).toEqual({ url: 'https://example.org/hook', secretToken: 's3cret' });
    expect((await telegram.getWebhookInfo()).url).toBe('https://example.org/hook');
    await expect(telegram.getUpdates(0, 100, 0, undefined)).rejects.toMatchObject({ code: 409 });
    await telegram.deleteWebhook();
    expect(fake.webhook()).toBeNull();
    expect(await telegram.getUpdates(0, 100, 0, undefined)).toEqual([]);
  });
});

describe('faults', () => {
  it('surfaces an injected 429 as TelegramError with retry_after', async () => {
    fake.failNext('sendMessage', 1, '429', 7);
    const error = await telegram.sendMessage(1, 'hi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramError);
    const tgError = error as TelegramError;
    expect(tgError.code).toBe(429);
    expect(tgError.response.parameters?.retry_after).toBe(7);
    expect(tgError.description).toBe('Too Many Requests: retry after 7');
    // Only the next one fails.
    await expect(telegram.sendMessage(1, 'hi')).resolves.toMatchObject({ text: 'hi' });
    expect(fake.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it('injects random faults reproducibly from a seed, only on matching methods', async () => {
    fake.setFaults({ rate429: 0.5, retryAfter: 2, seed: 42 });
    const outcomes: number[] = [];
    for (let i = 0; i < 20; i++) {
      outcomes.push((await call('sendMessage', { chat_id: 1, text: 'x' })).error_code ?? 200);
    }
    expect(outcomes).toContain(429);
    expect(outcomes).toContain(200);
    expect((await call('getMe')).ok).toBe(true);

    const again = await FakeBotApi.start();
    again.setFaults({ rate429: 0.5, retryAfter: 2, seed: 42 });
    const replay: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${again.url}/bot${again.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 1, text: 'x' }),
      });
      replay.push(res.status);
    }
    await again.stop();
    expect(replay).toEqual(outcomes);
  });

  it('maps 500 and 403 to TelegramError codes', async () => {
    fake.failNext('sendMessage', 1, '500');
    fake.failNext('sendMessage', 1, '403');
    await expect(telegram.sendMessage(1, 'a')).rejects.toMatchObject({ code: 500 });
    await expect(telegram.sendMessage(1, 'a')).rejects.toMatchObject({
      code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
  });

  it('drops the connection without an answer', async () => {
    fake.failNext('sendMessage', 2, 'drop');
    const viaTelegraf = await telegram.sendMessage(1, 'hi').catch((e: unknown) => e);
    expect(viaTelegraf).toBeInstanceOf(Error);
    expect(viaTelegraf).not.toBeInstanceOf(TelegramError);
    expect((viaTelegraf as Error).name).toBe('FetchError');
    await expect(call('sendMessage', { chat_id: 1, text: 'hi' })).rejects.toThrow(TypeError);
    expect(fake.calls.map((c) => c.status)).toEqual([0, 0]);
    expect(fake.sent()).toEqual([]);
  });

  it('is unreachable while down, then recovers', async () => {
    fake.setDown(300);
    await expect(telegram.getMe()).rejects.toMatchObject({ name: 'FetchError' });
    await new Promise((r) => setTimeout(r, 350));
    await expect(telegram.getMe()).resolves.toMatchObject({ is_bot: true });
  });

  it('answers 403 for every send to a chat that blocked the bot', async () => {
    fake.setBlocked(55);
    await expect(telegram.sendMessage(55, 'x')).rejects.toMatchObject({ code: 403 });
    await expect(telegram.sendMessage(56, 'x')).resolves.toBeDefined();
  });
});

describe('validation', () => {
  it('rejects text over 4096 characters and empty text with 400', async () => {
    await expect(telegram.sendMessage(1, 'a'.repeat(4097))).rejects.toMatchObject({
      code: 400,
      description: 'Bad Request: message is too long',
    });
    await expect(telegram.sendMessage(1, 'a'.repeat(4096))).resolves.toBeDefined();
    expect(await call('sendMessage', { chat_id: 1, text: '  ' })).toMatchObject({
      error_code: 400,
      description: 'Bad Request: message text is empty',
    });
    // Markup does not count toward the limit, as Telegram measures after parsing entities.
    const html = `<b>${'a'.repeat(4000)}</b>`;
    await expect(telegram.sendMessage(1, html, { parse_mode: 'HTML' })).resolves.toMatchObject({
      text: 'a'.repeat(4000),
    });
  });

  it('rejects callback_data over 64 bytes', async () => {
    const keyboard = Markup.inlineKeyboard([Markup.button.callback('x', 'é'.repeat(33))]);
    await expect(telegram.sendMessage(1, 'hi', keyboard)).rejects.toMatchObject({
      code: 400,
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
  });

  it('rejects an edit that changes nothing, like Telegram', async () => {
    const sent = await telegram.sendMessage(9, 'v1');
    await expect(telegram.editMessageText(9, sent.message_id, undefined, 'v2')).resolves.toMatchObject({
      text: 'v2',
    });
    await expect(telegram.editMessageText(9, sent.message_id, undefined, 'v2')).rejects.toMatchObject({
      code: 400,
      description: expect.stringContaining('message is not modified'),
    });
  });

  it('stores and validates bot commands per scope', async () => {
    await telegram.setMyCommands([{ command: 'start', description: 'Start' }]);
    expect(await telegram.getMyCommands()).toEqual([{ command: 'start', description: 'Start' }]);
    await expect(telegram.setMyCommands([{ command: 'Bad-Cmd', description: 'x' }])).rejects.toMatchObject({
      description: 'Bad Request: BOT_COMMAND_INVALID',
    });
  });
});

describe("Telegram's rules", () => {
  it('refuses HTML it cannot parse, as Telegram does, and measures the text after parsing', async () => {
    const refused = await call('sendMessage', {
      chat_id: 5,
      text: 'Usage: /show <number>',
      parse_mode: 'HTML',
    });
    expect(refused).toMatchObject({ ok: false, error_code: 400 });
    expect(refused.description).toMatch(/^Bad Request: Can't parse entities: unsupported start tag "number"/);
    expect(await call('sendMessage', { chat_id: 5, text: 'a &amp b', parse_mode: 'HTML' })).toMatchObject({
      ok: false,
      error_code: 400,
    });
    expect(await call('sendMessage', { chat_id: 5, text: '<b>x', parse_mode: 'HTML' })).toMatchObject({
      ok: false,
    });
    // Without a parse mode the same text is fine.
    expect(await call('sendMessage', { chat_id: 5, text: 'Usage: /show <number>' })).toMatchObject({
      ok: true,
    });
    const long = `<b>${'x'.repeat(4096)}</b>`;
    expect(await call('sendMessage', { chat_id: 5, text: long, parse_mode: 'HTML' })).toMatchObject({
      ok: true,
    });
    expect(
      await call('editMessageText', { chat_id: 5, message_id: 1, text: '<i>x</b>', parse_mode: 'HTML' }),
    ).toMatchObject({ ok: false, error_code: 400 });
    expect(
      await call('sendPhoto', { chat_id: 5, photo: 'AgAD', caption: '1 < 2', parse_mode: 'HTML' }),
    ).toMatchObject({ ok: false, error_code: 400 });
  });

  it('refuses missing and mistyped parameters and an overlong callback answer, and reports unknown ones', async () => {
    expect(await call('sendMessage', { text: 'x' })).toMatchObject({
      ok: false,
      description: 'Bad Request: chat_id is empty',
    });
    expect(await call('sendMessage', { chat_id: 5 })).toMatchObject({ ok: false, error_code: 400 });
    expect(await call('sendMessage', { chat_id: { id: 5 }, text: 'x' })).toMatchObject({
      ok: false,
      error_code: 400,
    });
    expect(
      await call('answerCallbackQuery', { callback_query_id: '1', text: 'x'.repeat(201) }),
    ).toMatchObject({
      ok: false,
      error_code: 400,
    });
    expect(await call('sendMessage', { chat_id: 5, text: 'x', colour: 'red' })).toMatchObject({ ok: true });
    expect(fake.unknownParameters).toEqual([{ method: 'sendMessage', name: 'colour' }]);
  });

  it('accepts anything in lenient mode, for a test that injects one fault only', async () => {
    const lenient = await FakeBotApi.start({ lenient: true });
    try {
      const res = await fetch(`${lenient.url}/bot${lenient.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 5, text: '/show <number>', parse_mode: 'HTML' }),
      });
      expect(await res.json()).toMatchObject({ ok: true });
    } finally {
      await lenient.stop();
    }
  });
});

describe('uploads', () => {
  it('records a multipart sendDocument with the file bytes', async () => {
    const message = await telegram.sendDocument(77, Input.fromBuffer(Buffer.from('x'), 'a.txt'), {
      caption: 'report',
      ...Markup.inlineKeyboard([Markup.button.callback('ack', 'ack:1')]),
    });
    expect(message.document).toMatchObject({ file_name: 'a.txt', mime_type: 'text/plain', file_size: 1 });
    const [recorded] = fake.sent(77);
    const doc = recorded?.params.document as UploadedFile;
    expect(doc.filename).toBe('a.txt');
    expect(doc.size).toBe(1);
    expect(doc.bytes.toString()).toBe('x');
    // Multipart values arrive as strings; ids come back as numbers and reply_markup as an object.
    expect(recorded?.params.chat_id).toBe(77);
    // telegraf's Markup buttons carry its own `hide: false`, sent to Telegram as is.
    expect(recorded?.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'ack', callback_data: 'ack:1', hide: false }]],
    });
    // telegraf sends parts without a Content-Type; the type is inferred from the name as Telegram does.
    expect(doc.mimeType).toBe('text/plain');
    // telegraf's multipart body repeats the method as a field; Telegram ignores it, the fake reports it.
    expect(fake.unknownParameters).toEqual([{ method: 'sendDocument', name: 'method' }]);
    expect(fake.textsTo(77)).toEqual(['report']);

    // The uploaded file can be fetched back the way the bot would download it.
    const link = await telegram.getFileLink(message.document.file_id);
    const body = await (await fetch(link)).text();
    expect(body).toBe('x');
  });

  it('puts album files where attach:// references them', async () => {
    await telegram.sendMediaGroup(78, [
      { type: 'photo', media: Input.fromBuffer(Buffer.from('p1'), 'p1.jpg'), caption: 'first' },
      { type: 'photo', media: Input.fromBuffer(Buffer.from('p2'), 'p2.jpg') },
    ]);
    const [recorded] = fake.sent(78);
    const media = recorded?.params.media as Array<{ media: UploadedFile; caption?: string }>;
    expect(media.map((m) => m.media.bytes.toString())).toEqual(['p1', 'p2']);
    expect(media[0]?.media).toMatchObject({ filename: 'p1.jpg', mimeType: 'image/jpeg', size: 2 });
    expect(Object.keys(recorded?.params ?? {}).sort()).toEqual(['chat_id', 'media', 'method']);
    expect(fake.unknownParameters).toEqual([{ method: 'sendMediaGroup', name: 'method' }]);
    expect(fake.textsTo(78)).toEqual(['first']);
  });
});

describe('flood limits', () => {
  it('reports two sends to a private chat within a second', async () => {
    await telegram.sendMessage(5, 'one');
    await telegram.sendMessage(5, 'two');
    await telegram.sendMessage(6, 'other chat');
    const violations = fake.limitViolations();
    expect(violations.filter((v) => v.kind === 'private')).toHaveLength(1);
    expect(violations[0]).toMatchObject({ kind: 'private', chatId: 5 });
  });

  it('reports more than 20 messages a minute to a group', async () => {
    for (let i = 0; i < 22; i++) await call('sendMessage', { chat_id: -100, text: `m${i}` });
    expect(fake.limitViolations().filter((v) => v.kind === 'group')).toHaveLength(2);
  });

  it('answers 429 when enforcing', async () => {
    const strict = await FakeBotApi.start({ enforceLimits: true });
    const client = new Telegram(strict.token, { apiRoot: strict.url });
    await client.sendMessage(5, 'one');
    await expect(client.sendMessage(5, 'two')).rejects.toMatchObject({
      code: 429,
      parameters: { retry_after: 1 },
    });
    expect(strict.limitViolations()).toEqual([]);
    await strict.stop();
  });
});

describe('waitFor', () => {
  it('resolves with a recorded or future call', async () => {
    await telegram.sendMessage(1, 'earlier');
    await expect(fake.waitFor((c) => c.params.text === 'earlier')).resolves.toMatchObject({ status: 200 });
    const later = fake.waitFor((c) => c.method === 'sendMessage' && c.params.text === 'later');
    setTimeout(() => void telegram.sendMessage(1, 'later'), 50);
    const call = await later;
    expect(call.result).toMatchObject({ text: 'later' });
    const two = fake.waitForCount((c) => c.method === 'sendChatAction', 2);
    await telegram.sendChatAction(1, 'typing');
    await telegram.sendChatAction(1, 'typing');
    expect(await two).toHaveLength(2);
  });

  it('rejects with the recent calls on timeout', async () => {
    await telegram.getMe();
    await expect(fake.waitFor((c) => c.method === 'sendMessage', 100)).rejects.toThrow(/#1 getMe 200/);
  });
});

describe('update builders', () => {
  it('build realistic updates that telegraf can consume', async () => {
    const admin = user(2001, { name: 'Admin', username: 'boss', lang: 'zh' });
    fake.pushUpdate(textMessage(admin, '/start now'));
    fake.pushUpdate(photoMessage(admin, 'evidence'));
    fake.pushUpdate(callbackQuery(admin, 'ack:1', { messageId: 5 }));
    const group = { id: -1001234567890, type: 'supergroup' as const, title: 'Unit' };
    fake.pushUpdate(myChatMember(group, admin, 'member'));
    fake.pushUpdate(groupAddedMessage(group, admin, fake.botUser));
    const updates = await telegram.getUpdates(0, 100, 0, undefined);
    expect(updates[0]).toMatchObject({
      message: {
        text: '/start now',
        chat: { id: 2001, type: 'private' },
        from: { language_code: 'zh', is_bot: false },
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    });
    const ids = updates.map((u) => ('message' in u ? u.message.message_id : undefined));
    expect(ids[0]).toBeLessThan(ids[1] ?? 0);
    expect(updates[1]).toMatchObject({ message: { photo: [{}, {}, {}], caption: 'evidence' } });
    expect(updates[2]).toMatchObject({ callback_query: { data: 'ack:1', message: { message_id: 5 } } });
    expect(updates[3]).toMatchObject({
      my_chat_member: { new_chat_member: { status: 'member', user: { is_bot: true } } },
    });
    expect(updates[4]).toMatchObject({ message: { new_chat_members: [{ id: fake.botUser.id }] } });
    // getChat describes chats learned from pushed updates.
    expect(await telegram.getChat(group.id)).toMatchObject({ title: 'Unit', type: 'supergroup' });
  });

  it('lets a test reply to what the bot sent', async () => {
    await telegram.sendMessage(3001, 'Which unit?');
    const asked = await fake.waitFor((c) => c.params.text === 'Which unit?');
    const reply = textMessage(user(3001), 'ZZB', { replyTo: asked.result as object }) as {
      message: { reply_to_message: { text: string } };
    };
    expect(reply.message.reply_to_message.text).toBe('Which unit?');
  });
});

describe('with a real Telegraf bot', () => {
  it('polls, replies, confirms offsets and stops cleanly', async () => {
    const { Telegraf } = await import('telegraf');
    const bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.url } });
    bot.command('start', (ctx) => ctx.reply(`hello ${ctx.from.first_name}`));
    bot.on('callback_query', (ctx) => ctx.answerCbQuery('noted'));
    const running = bot.launch({ dropPendingUpdates: false });
    const alice = user(4001, { name: 'Alice' });
    fake.pushUpdate(textMessage(alice, '/start'));
    const last = fake.pushUpdate(callbackQuery(alice, 'ack:9'));
    await fake.waitFor((c) => c.method === 'sendMessage' && c.status === 200);
    await fake.waitFor((c) => c.method === 'answerCallbackQuery');
    expect(fake.textsTo(4001)).toEqual(['hello Alice']);
    bot.stop('test over');
    await running;
    expect(fake.confirmedOffset()).toBe(last + 1);
    expect(fake.pendingUpdates()).toBe(0);
    expect(fake.calls.map((c) => c.method)).toContain('deleteWebhook');
  });
});
