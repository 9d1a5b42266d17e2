import { and, eq, sql } from 'drizzle-orm';
import { outbox } from '../db/schema.js';
import type { Queryable } from '../db/client.js';

/** Telegram's limit on one text message. */
export const MAX_MESSAGE_LENGTH = 4096;
/** Telegram's limit on a photo or document caption. */
export const MAX_CAPTION_LENGTH = 1024;

/** A file to upload with a message (the sender turns it into multipart). */
export interface OutgoingFile {
  /** The Bot API field the file goes in: `document`, `photo`, … */
  field: string;
  name: string;
  bytes: Buffer;
}

/** One Bot API call the bot means to make. */
export interface OutgoingMessage {
  chatId: number;
  method: string;
  payload: Record<string, unknown>;
  file?: OutgoingFile;
  /** What it is about (e.g. `receipt:12`), to match a reply to it later. */
  ref?: string;
  notBefore?: Date;
}

/**
 * Splits text into pieces of at most `limit` characters, at line breaks where possible,
 * so each piece is a valid Telegram message.
 */
export function splitText(text: string, limit = MAX_MESSAGE_LENGTH): string[] {
  if (text.length <= limit) return [text];
  const pieces: string[] = [];
  let current = '';
  const flush = () => {
    if (current.length > 0) pieces.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current.length === 0 ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    flush();
    // A single line longer than the limit is cut hard; code points are kept whole.
    let rest = line;
    while (rest.length > limit) {
      let cut = limit;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  flush();
  return pieces;
}

/**
 * Collects the messages one unit of work wants to send; they are written to the outbox
 * in the same transaction as the change that caused them.
 */
export class OutboxBuffer {
  readonly messages: OutgoingMessage[] = [];

  /** Queues a text message (HTML parse mode unless `extra` says otherwise), split to fit Telegram's limit. */
  sendText(chatId: number, text: string, extra: Record<string, unknown> = {}, ref?: string): void {
    const pieces = splitText(text);
    pieces.forEach((piece, index) => {
      const last = index === pieces.length - 1;
      // Buttons belong under the last piece, where the reader ends up.
      const { reply_markup, ...rest } = extra;
      this.messages.push({
        chatId,
        method: 'sendMessage',
        payload: {
          chat_id: chatId,
          text: piece,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...rest,
          ...(last && reply_markup !== undefined ? { reply_markup } : {}),
        },
        ref: last ? ref : undefined,
      });
    });
  }

  /** Queues any other Bot API call addressed to a chat (answerCallbackQuery uses chatId 0). */
  call(chatId: number, method: string, payload: Record<string, unknown>, ref?: string): void {
    this.messages.push({ chatId, method, payload, ref });
  }

  /** Queues a file upload (document, photo, …) with an optional caption. */
  sendFile(chatId: number, method: string, file: OutgoingFile, extra: Record<string, unknown> = {}): void {
    this.messages.push({ chatId, method, payload: { chat_id: chatId, ...extra }, file });
  }

  get size(): number {
    return this.messages.length;
  }
}

/** The Postgres channel a committed outbox write is announced on, so the sending replica wakes at once. */
export const OUTBOX_CHANNEL = 'liaison_outbox';
/** The notification on OUTBOX_CHANNEL; delivered when the writing transaction commits. */
export const OUTBOX_WAKE_SQL = sql`pg_notify(${OUTBOX_CHANNEL}, '')`;

/**
 * Writes queued messages to the outbox on the given transaction (or database) and notifies the
 * sending replica at commit. `notify: false` leaves the notification to the caller, who promises to
 * issue OUTBOX_WAKE_SQL in the same transaction (the update processor folds it into a statement it
 * runs anyway, saving a round trip per update).
 */
export async function writeOutbox(
  db: Queryable,
  messages: readonly OutgoingMessage[],
  options: { notify?: boolean } = {},
): Promise<void> {
  if (messages.length === 0) return;
  await db.insert(outbox).values(
    messages.map((message) => ({
      chatId: message.chatId,
      method: message.method,
      payload: message.payload,
      fileBytes: message.file?.bytes ?? null,
      fileName: message.file ? `${message.file.field}:${message.file.name}` : null,
      ref: message.ref ?? null,
      ...(message.notBefore ? { notBefore: message.notBefore } : {}),
    })),
  );
  // Delivered at commit: the sending replica (maybe another process) wakes without polling.
  if (options.notify ?? true) await db.execute(sql`select ${OUTBOX_WAKE_SQL}`);
}

/**
 * The `ref` of the bot's message that a person replied to (e.g. `receipt:12`), so replying to a
 * receipt or a question can be tied to its item; null when the message was not one of ours.
 */
export async function refOfSentMessage(
  db: Queryable,
  chatId: number,
  messageId: number,
): Promise<string | null> {
  const [row] = await db
    .select({ ref: outbox.ref })
    .from(outbox)
    .where(and(eq(outbox.chatId, chatId), eq(outbox.resultMessageId, messageId)))
    .limit(1);
  return row?.ref ?? null;
}
