import { eq } from 'drizzle-orm';
import type { Db } from '../../../../src/db/client.js';
import { items, outbox, people } from '../../../../src/db/schema.js';
import { recordReported } from '../../../../src/items/ledger.js';
import { sealedReporterFor } from '../../../../src/items/reporter-link.js';
import { recordDeliveries } from '../../../../src/telegram/outbox.js';
import type { QueuedMessage } from '../../../support/harness.js';

/** Ids used across the queue tests: staff and reporters, each with a Telegram language. */
export const ADMIN = 900;
export const OFFICER_A = 901;
export const OFFICER_B = 902;
export const MONITOR = 501;
export const LIAISON_AUD = 601;

/** A secret phrase put in every test item's text, so leak checks can look for it anywhere. */
export const SECRET = '镇长在防波堤工程中指定施工方';

/** Seals `reporterId` onto item `itemId`, as createItem does in its insert. */
export async function linkReporter(db: Db, itemId: number, reporterId: number): Promise<void> {
  await db
    .update(items)
    .set({ reporterSealed: sealedReporterFor(itemId, reporterId) })
    .where(eq(items.id, itemId));
}

/**
 * Inserts an item row directly (the intake is another feature's), returning its number. `reporter` is
 * who sent it (MONITOR unless told; null for a report logged by the section).
 */
export async function insertItem(
  db: Db,
  { reporter = MONITOR, ...values }: Partial<typeof items.$inferInsert> & { reporter?: number | null } = {},
): Promise<number> {
  const [row] = await db
    .insert(items)
    .values({
      kind: 'tip',
      sourceKind: 'monitor',
      signed: true,
      domain: 'F',
      unitCode: 'HPZ',
      text: `${SECRET}，金额约300万元`,
      mustInvestigate: true,
      reasons: ['specific_content', 'signed_or_contactable'],
      priority: 'high',
      triageDueAt: new Date(Date.now() + 86_400_000),
      concludeDueAt: new Date(Date.now() + 30 * 86_400_000),
      ...values,
    })
    .returning({ id: items.id, createdAt: items.createdAt });
  if (!row) throw new Error('item not inserted');
  // As createItem does: the reporter sealed for this row, and listed in their ledger.
  if (reporter !== null) {
    await linkReporter(db, row.id, reporter);
    await recordReported(db, reporter, [{ id: row.id, at: row.createdAt.getTime() }], new Date());
  }
  return row.id;
}

/** Gives staff display names, as enrolment through an invite would. */
export async function nameStaff(db: Db, names: Record<number, string>): Promise<void> {
  for (const [id, name] of Object.entries(names)) {
    await db
      .update(people)
      .set({ displayName: name })
      .where(eq(people.telegramId, Number(id)));
  }
}

/** The callback_data of the button whose text contains `label` in a queued message, or throws. */
export function button(message: QueuedMessage | undefined, label: string): string {
  const keyboard = (
    message?.payload.reply_markup as {
      inline_keyboard?: Array<Array<{ text: string; callback_data: string }>>;
    }
  )?.inline_keyboard;
  const found = keyboard?.flat().find((b) => b.text.includes(label));
  if (!found) throw new Error(`no button "${label}" in ${JSON.stringify(keyboard)}`);
  return found.callback_data;
}

/** Every button label of a queued message. */
export function buttonLabels(message: QueuedMessage | undefined): string[] {
  const keyboard = (message?.payload.reply_markup as { inline_keyboard?: Array<Array<{ text: string }>> })
    ?.inline_keyboard;
  return keyboard?.flat().map((b) => b.text) ?? [];
}

/**
 * Records a queued message as delivered with a Telegram message id, through the sender's own
 * recordDeliveries (a private chat's message is deleted and leaves a reply lookup), so replies resolve.
 */
export async function markDelivered(db: Db, outboxId: number, messageId: number): Promise<void> {
  const [row] = await db.select().from(outbox).where(eq(outbox.id, outboxId));
  if (!row) throw new Error(`no outbox row ${outboxId}`);
  const chatId = row.chatId > 0 ? Number((row.payload as { chat_id?: unknown }).chat_id) : row.chatId;
  await recordDeliveries(db, [{ id: outboxId, chatId, messageId, ref: row.ref }]);
}

/** The item row. */
export async function itemRow(db: Db, id: number) {
  const [row] = await db.select().from(items).where(eq(items.id, id));
  if (!row) throw new Error(`no item ${id}`);
  return row;
}
