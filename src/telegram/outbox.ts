import { and, eq, sql } from 'drizzle-orm';
import { outbox } from '../db/schema.js';
import type { Queryable } from '../db/client.js';
import { splitHtml } from './html.js';

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
  /** A later piece of one long text: sent only after the piece before it. */
  followsPrevious?: boolean;
}

/**
 * Collects the messages one unit of work wants to send; they are written to the outbox
 * in the same transaction as the change that caused them.
 */
export class OutboxBuffer {
  readonly messages: OutgoingMessage[] = [];

  /**
   * Queues an HTML text message, split to fit Telegram's limit without breaking its markup; with
   * `notBefore`, not sent before that instant.
   */
  sendText(
    chatId: number,
    text: string,
    extra: Record<string, unknown> = {},
    ref?: string,
    options: { notBefore?: Date } = {},
  ): void {
    const pieces = splitHtml(text);
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
        ...(index > 0 ? { followsPrevious: true } : {}),
        ...(options.notBefore ? { notBefore: options.notBefore } : {}),
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
 * runs anyway, saving a round trip per update). `createdAt` dates the rows by their cause (the update
 * processor gives the update's arrival) instead of this transaction's start.
 */
export async function writeOutbox(
  db: Queryable,
  messages: readonly OutgoingMessage[],
  options: { notify?: boolean; createdAt?: Date } = {},
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
      followsPrevious: message.followsPrevious ?? false,
      ...(message.notBefore ? { notBefore: message.notBefore } : {}),
      ...(options.createdAt ? { createdAt: options.createdAt } : {}),
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
