import { Telegram, TelegramError } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callWithUpload } from '../../src/telegram/upload.js';
import { FakeBotApi, type UploadedFile } from '../support/fake-bot-api.js';

let api: FakeBotApi;
let telegram: Telegram;

beforeEach(async () => {
  api = await FakeBotApi.start();
  telegram = new Telegram(api.token, { apiRoot: api.url });
});

afterEach(async () => {
  await api.stop();
});

const file = (field: string, name: string, text: string) => ({ field, name, bytes: Buffer.from(text) });

async function refusal(promise: Promise<unknown>): Promise<TelegramError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TelegramError);
  return error as TelegramError;
}

describe('callWithUpload against the fake Bot API', () => {
  it('sends exactly the payload fields plus the file, objects as JSON, and no method field', async () => {
    const markup = { inline_keyboard: [[{ text: 'ack', callback_data: 'ack|1' }]] };
    const result = (await callWithUpload(
      telegram,
      'sendDocument',
      {
        chat_id: 77,
        caption: '<b>队列</b>',
        parse_mode: 'HTML',
        reply_markup: markup,
        disable_notification: true,
        message_thread_id: undefined,
        reply_parameters: null,
      },
      file('document', 'queue.csv', 'a,b\n1,2\n'),
    )) as { message_id: number; document?: { file_name: string; file_size: number } };
    expect(result.document).toMatchObject({ file_name: 'queue.csv', file_size: 8 });
    expect(typeof result.message_id).toBe('number');

    const [recorded] = api.sent(77);
    expect(recorded?.method).toBe('sendDocument');
    expect(Object.keys(recorded?.params ?? {}).sort()).toEqual([
      'caption',
      'chat_id',
      'disable_notification',
      'document',
      'parse_mode',
      'reply_markup',
    ]);
    expect(recorded?.params).toMatchObject({
      chat_id: 77,
      caption: '<b>队列</b>',
      parse_mode: 'HTML',
      reply_markup: markup,
      disable_notification: true,
    });
    const document = recorded?.params.document as UploadedFile;
    expect(document.filename).toBe('queue.csv');
    expect(document.bytes.toString()).toBe('a,b\n1,2\n');
    expect(api.unknownParameters).toEqual([]);
    expect(recorded?.status).toBe(200);
  });

  it('puts the file in the method’s own field (a photo)', async () => {
    await callWithUpload(telegram, 'sendPhoto', { chat_id: 78 }, file('photo', 'chart.png', 'png'));
    const [recorded] = api.sent(78);
    expect(recorded?.method).toBe('sendPhoto');
    expect(Object.keys(recorded?.params ?? {}).sort()).toEqual(['chat_id', 'photo']);
    expect((recorded?.params.photo as UploadedFile | undefined)?.filename).toBe('chart.png');
    expect(api.unknownParameters).toEqual([]);
  });

  it('turns a 400 answer into a TelegramError with Telegram’s code and description', async () => {
    api.failNext('sendDocument', 1, '400');
    const injected = await refusal(
      callWithUpload(telegram, 'sendDocument', { chat_id: 79 }, file('document', 'a.txt', 'x')),
    );
    expect(injected.code).toBe(400);
    expect(injected.description).toBe('Bad Request: chat not found');
    expect(injected.on).toEqual({ method: 'sendDocument' });
    // A call Telegram itself refuses (no chat_id) is a 400 the same way.
    const invalid = await refusal(
      callWithUpload(telegram, 'sendDocument', {}, file('document', 'a.txt', 'x')),
    );
    expect(invalid.code).toBe(400);
    expect(invalid.description).toMatch(/^Bad Request: /);
    expect(api.sent(79)).toEqual([]);
  });

  it('keeps a 429’s retry_after, and turns a 5xx into a TelegramError with the HTTP status', async () => {
    api.failNext('sendPhoto', 1, '429', 7);
    const limited = await refusal(
      callWithUpload(telegram, 'sendPhoto', { chat_id: 80 }, file('photo', 'a.png', 'x')),
    );
    expect(limited.code).toBe(429);
    expect(limited.response.parameters?.retry_after).toBe(7);
    api.failNext('sendPhoto', 1, '500');
    const down = await refusal(
      callWithUpload(telegram, 'sendPhoto', { chat_id: 80 }, file('photo', 'a.png', 'x')),
    );
    expect(down.code).toBe(500);
    expect(api.sent(80)).toEqual([]);
  });

  it('gives up at once when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      callWithUpload(telegram, 'sendPhoto', { chat_id: 81 }, file('photo', 'a.png', 'x'), controller.signal),
    ).rejects.toThrow(/abort/i);
    expect(api.sent(81)).toEqual([]);
  });
});
