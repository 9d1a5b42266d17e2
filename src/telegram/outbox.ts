import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  blindIndexesFor,
  blindIndexFor,
  chatKeyFor,
  columnPlace,
  currentKeyId,
  isChatKey,
  sealAt,
  unsealAt,
} from '../crypto/sealing.js';
import { type Db, type Queryable, queryRows, type Statement } from '../db/client.js';
import { outbox, replyRefs } from '../db/schema.js';
import { deleteSetting, getSetting } from '../settings.js';
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
  /** When its cause arrived (the update processor gives each update's); else the transaction's start. */
  createdAt?: Date;
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
 * sending replica at commit. A message's `createdAt` dates its row by its cause (the update processor
 * gives each update's arrival) instead of this transaction's start.
 */
export async function writeOutbox(db: Queryable, messages: readonly OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await outboxInsert(db, messages);
  // Delivered at commit: the sending replica (maybe another process) wakes without polling.
  await db.execute(sql`select ${OUTBOX_WAKE_SQL}`);
}

/**
 * The insert writeOutbox sends, built but not sent (null when there are no messages), for a caller
 * that sends it within a statement of its own and issues OUTBOX_WAKE_SQL in the same transaction: the
 * update processor sends it in its "done" mark (issue 20).
 */
export function outboxInsert(db: Queryable, messages: readonly OutgoingMessage[]): Statement | null {
  if (messages.length === 0) return null;
  return db.insert(outbox).values(
    messages.map((message) => ({
      // A private chat is a person: addressed by a keyed number (its real id is in the sealed payload),
      // so a waiting or undeliverable message does not name them in a dump (issue 14). Groups stay as they are.
      chatId: message.chatId > 0 ? chatKeyFor(message.chatId) : message.chatId,
      method: message.method,
      payload: message.payload,
      fileBytes: message.file?.bytes ?? null,
      fileName: message.file ? `${message.file.field}:${message.file.name}` : null,
      ref: message.ref ?? null,
      followsPrevious: message.followsPrevious ?? false,
      ...(message.notBefore ? { notBefore: message.notBefore } : {}),
      ...(message.createdAt ? { createdAt: message.createdAt } : {}),
    })),
  );
}

/** A message Telegram accepted: the outbox row, and what a reply to it will need. */
export interface DeliveredMessage {
  id: number;
  chatId: number;
  /** The id Telegram gave the message; null when nothing new was sent (an edit that changed nothing). */
  messageId: number | null;
  /** The message's ref in clear (e.g. `receipt:12`), or null. */
  ref: string | null;
}

/** The keyed index a reply lookup is found by, under the current key. */
function replyKeyOf(chatId: number, messageId: number): string {
  return blindIndexFor('reply', `${chatId}:${messageId}`);
}

/**
 * Records delivered messages in one statement (the sender group-commits them). A group's message is
 * marked sent and kept (the section chat is no person). A private chat's message is deleted: kept, its
 * chat id beside its times would tell a database reader who was sent a receipt when an item arrived
 * (issue 14). If it had a ref, a reply lookup keeps which item it was about, under a keyed index and
 * with the day only. The piece after a deleted one of a long text no longer waits for it.
 */
export async function recordDeliveries(
  db: Queryable,
  deliveries: readonly DeliveredMessage[],
): Promise<void> {
  if (deliveries.length === 0) return;
  const rows = sql.join(
    deliveries.map((delivery) => {
      const lookup =
        delivery.chatId > 0 && delivery.ref !== null && delivery.messageId !== null
          ? {
              key: replyKeyOf(delivery.chatId, delivery.messageId),
              value: sealAt(
                columnPlace('reply_refs', 'value'),
                JSON.stringify({ chatId: delivery.chatId, messageId: delivery.messageId, ref: delivery.ref }),
              ),
            }
          : { key: null, value: null };
      return sql`(${delivery.id}::bigint, ${delivery.messageId}::bigint, ${lookup.key}::text, ${lookup.value}::text)`;
    }),
    sql`, `,
  );
  await db.execute(
    sql`with v(id, message_id, reply_key, reply_value) as (values ${rows}),
        gone as (
          delete from ${outbox} o using v where o.id = v.id and o.chat_id > 0
          returning o.id, o.chat_id),
        released as (
          update ${outbox} n set follows_previous = false from gone g
          where n.chat_id = g.chat_id and n.follows_previous
            and n.id = (select min(x.id) from ${outbox} x where x.chat_id = g.chat_id and x.id > g.id)
          returning n.id),
        kept as (
          insert into ${replyRefs} (key, value)
          select v.reply_key, v.reply_value from v join gone g on g.id = v.id
          where v.reply_key is not null
          on conflict (key) do nothing
          returning key)
        update ${outbox} o set status = 'sent', sent_at = now(), payload = null, file_bytes = null,
          result_message_id = v.message_id, lease_until = null
        from v where o.id = v.id and o.chat_id <= 0`,
  );
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
  const [lookup] = await db
    .select({ value: replyRefs.value })
    .from(replyRefs)
    .where(inArray(replyRefs.key, blindIndexesFor('reply', `${chatId}:${messageId}`)))
    .limit(1);
  if (lookup && lookup.value.chatId === chatId && lookup.value.messageId === messageId)
    return lookup.value.ref;
  // A group's messages stay in the outbox, and so do private ones not yet moved at start.
  const [row] = await db
    .select({ ref: outbox.ref })
    .from(outbox)
    .where(and(eq(outbox.chatId, chatId), eq(outbox.resultMessageId, messageId)))
    .limit(1);
  return row?.ref ?? null;
}

/** Set by migration 0009 when the outbox held delivered private messages from before it. */
const DELIVERED_PRIVATE_ROWS = 'outbox.delivered_private_rows';

/**
 * At start, after migration 0009: moves what replies need out of delivered private messages kept by an
 * older version, and deletes those messages; in batches, each its own transaction, so it can stop and
 * run again. A new database has none: a start costs one lookup. Returns how many messages it removed.
 */
export async function removeDeliveredPrivateMessages(db: Db, batchSize = 200): Promise<number> {
  if (!(await getSetting<boolean>(db, DELIVERED_PRIVATE_ROWS))) return 0;
  let total = 0;
  for (;;) {
    const removed = await db.transaction(async (tx) => {
      const rows = await queryRows<{
        id: number;
        chat_id: number;
        result_message_id: number | null;
        ref: string | null;
      }>(
        tx,
        sql`select id, chat_id, result_message_id, ref from ${outbox}
            where status = 'sent' and chat_id > 0 order by id limit ${batchSize} for update skip locked`,
      );
      if (rows.length === 0) return 0;
      await recordDeliveries(
        tx,
        rows.map((row) => ({
          id: Number(row.id),
          chatId: Number(row.chat_id),
          messageId: row.result_message_id === null ? null : Number(row.result_message_id),
          // Raw SQL bypasses the column's mapper: the ref arrives sealed.
          ref: row.ref === null ? null : unsealAt(columnPlace('outbox', 'ref'), row.ref),
        })),
      );
      return rows.length;
    });
    total += removed;
    if (removed < batchSize) break;
  }
  await deleteSetting(db, DELIVERED_PRIVATE_ROWS);
  return total;
}

/**
 * At start: messages an older release queued to private chats (waiting, or undeliverable) are addressed
 * by a keyed number, as new ones are, so a dump shows no person's id and per-chat order holds across
 * the upgrade. Cheap: the outbox keeps no delivered private messages. Returns how many rows changed.
 */
export async function keyPrivateChatsOfOlderRows(db: Queryable): Promise<number> {
  const chats = await queryRows<{ chat_id: number | string }>(
    db,
    sql`select distinct chat_id from ${outbox} where chat_id > 0`,
  );
  let changed = 0;
  for (const { chat_id } of chats) {
    const chatId = Number(chat_id);
    if (isChatKey(chatId)) continue;
    const rows = await db
      .update(outbox)
      .set({ chatId: chatKeyFor(chatId) })
      .where(eq(outbox.chatId, chatId))
      .returning({ id: outbox.id });
    changed += rows.length;
  }
  return changed;
}

/**
 * After a key rotation: re-indexes every reply lookup still under an older key (its sealed value names
 * the chat and message, so the index can be made again), in batches; resumable. Without it, a reply to
 * a receipt sent before the rotation would find nothing once the old key leaves the ring. Returns how
 * many it re-indexed.
 */
export async function rekeyReplyLookups(db: Db, batchSize = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const changed = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ key: replyRefs.key, value: replyRefs.value, day: replyRefs.day })
        .from(replyRefs)
        .where(sql`split_part(${replyRefs.key}, '.', 1) <> ${currentKeyId()}`)
        .orderBy(replyRefs.key)
        .limit(batchSize)
        .for('update', { skipLocked: true });
      for (const row of rows) {
        await tx.delete(replyRefs).where(eq(replyRefs.key, row.key));
        await tx
          .insert(replyRefs)
          .values({ key: replyKeyOf(row.value.chatId, row.value.messageId), value: row.value, day: row.day })
          .onConflictDoNothing();
      }
      return rows.length;
    });
    total += changed;
    if (changed < batchSize) return total;
  }
}

/** How many reply lookups are not under the current key (0 once a rotation is complete). */
export async function countReplyLookupsNotUnderCurrentKey(db: Queryable): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${replyRefs} where split_part(key, '.', 1) <> ${currentKeyId()}`,
  );
  return Number(row?.n ?? 0);
}

/** How long a reply lookup is kept: a reply to a receipt months later is still tied to its item. */
export const REPLY_LOOKUP_DAYS = 400;
/** How long a private message Telegram refused (or whose chat blocked the bot) is kept, for an operator to look at. */
export const UNDELIVERED_PRIVATE_DAYS = 7;

/**
 * Deletes what the outbox keeps about people past its use: reply lookups older than REPLY_LOOKUP_DAYS
 * and private messages that could not be delivered, UNDELIVERED_PRIVATE_DAYS after they were written.
 */
export async function pruneDeliveryTraces(db: Queryable, now: Date = new Date()): Promise<void> {
  await db.execute(
    sql`delete from ${replyRefs} where day < (${now.toISOString()}::timestamptz - make_interval(days => ${REPLY_LOOKUP_DAYS}))::date`,
  );
  await db.execute(
    sql`delete from ${outbox} where chat_id > 0 and status in ('failed', 'blocked')
        and created_at < ${now.toISOString()}::timestamptz - make_interval(days => ${UNDELIVERED_PRIVATE_DAYS})`,
  );
}
