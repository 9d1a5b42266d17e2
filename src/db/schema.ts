/**
 * Every table of liaison-bot, in one place. Migrations in /migrations are generated from this file
 * by drizzle-kit; SQL that drizzle cannot express (the append-only trigger) lives in a custom migration.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { seal, unseal } from '../crypto/sealing.js';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/** Text encrypted at rest: sealed on the way in, unsealed on the way out (src/crypto/sealing.ts). */
const encryptedText = customType<{ data: string; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => seal(value),
  fromDriver: (value) => unseal(value),
});

/** A JSON value encrypted at rest as sealed text; values stored in clear before sealing still read. */
const encryptedJson = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => seal(JSON.stringify(value)),
    fromDriver: (value) => JSON.parse(unseal(typeof value === 'string' ? value : JSON.stringify(value))) as T,
  })(name);

const telegramId = (name: string) => bigint(name, { mode: 'number' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Raw updates, stored before Telegram is told they arrived; payload is dropped once handled. */
export const inboxUpdates = pgTable(
  'inbox_updates',
  {
    updateId: telegramId('update_id').primaryKey(),
    /** The sender (user or chat) id, so one person's updates are handled in order. */
    orderKey: text('order_key').notNull(),
    payload: encryptedJson<Record<string, unknown>>('payload'),
    status: text('status', { enum: ['pending', 'done', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    receivedAt: at('received_at').notNull().defaultNow(),
    handledAt: at('handled_at'),
  },
  (table) => [
    index('inbox_pending_idx')
      .on(table.nextAttemptAt, table.updateId)
      .where(sql`${table.status} = 'pending'`),
    index('inbox_order_idx').on(table.orderKey, table.updateId).where(sql`${table.status} = 'pending'`),
  ],
);

/** Every message the bot means to send, written in the transaction that decided to send it. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    chatId: telegramId('chat_id').notNull(),
    method: text('method').notNull(),
    /** Sealed: a message to an officer carries an item's text until it is sent (then it is nulled). */
    payload: encryptedJson<Record<string, unknown>>('payload'),
    fileBytes: bytea('file_bytes'),
    fileName: text('file_name'),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed', 'blocked'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: at('not_before').notNull().defaultNow(),
    leaseUntil: at('lease_until'),
    /**
     * What the message is about, e.g. `receipt:12`, so a reply to it can be matched later. Sealed:
     * beside chat_id, a receipt's ref would tell a database reader which item a reporter sent.
     */
    ref: encryptedText('ref'),
    resultMessageId: bigint('result_message_id', { mode: 'number' }),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull().defaultNow(),
    sentAt: at('sent_at'),
  },
  (table) => [
    index('outbox_ready_idx')
      .on(table.notBefore, table.id)
      .where(sql`${table.status} in ('pending', 'sending')`),
    index('outbox_chat_order_idx')
      .on(table.chatId, table.id)
      .where(sql`${table.status} in ('pending', 'sending')`),
    index('outbox_reply_lookup_idx').on(table.chatId, table.resultMessageId),
  ],
);

/** Enrolled people; one role at a time. A revoked person keeps the row (history) but has no access. */
export const people = pgTable('people', {
  telegramId: telegramId('telegram_id').primaryKey(),
  role: text('role', { enum: ['monitor', 'liaison', 'officer', 'admin'] }).notNull(),
  community: text('community'),
  agency: text('agency'),
  displayName: encryptedText('display_name'),
  username: encryptedText('username'),
  language: text('language'),
  enrolledAt: at('enrolled_at').notNull().defaultNow(),
  revokedAt: at('revoked_at'),
  lastReportedAt: at('last_reported_at'),
});

/** Single-use invites; only a hash of the token is stored. */
export const invites = pgTable('invites', {
  id: serial('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  role: text('role', { enum: ['monitor', 'liaison', 'officer', 'admin'] }).notNull(),
  community: text('community'),
  agency: text('agency'),
  createdBy: telegramId('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  expiresAt: at('expires_at').notNull(),
  usedAt: at('used_at'),
  usedBy: telegramId('used_by'),
});

/** Small key/value settings, e.g. the bound section chat. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** Append-only record of who did what; a trigger rejects UPDATE and DELETE. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: at('at').notNull().defaultNow(),
    actorId: telegramId('actor_id'),
    action: text('action').notNull(),
    itemId: integer('item_id'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (table) => [index('audit_item_idx').on(table.itemId, table.id)],
);

/** The unit directory: towns, townships, sub-districts and county departments whose heads are supervised. */
export const units = pgTable('units', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  kind: text('kind').notNull(),
  auditClass: text('audit_class'),
  headName: text('head_name'),
  headTitle: text('head_title'),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** Tips, notices and logged reports: one numbered item each. */
export const items = pgTable(
  'items',
  {
    id: serial('id').primaryKey(),
    kind: text('kind', { enum: ['tip', 'notice', 'report'] }).notNull(),
    sourceKind: text('source_kind', { enum: ['monitor', 'liaison', 'hotline', 'mailbox'] }).notNull(),
    sourceAgency: text('source_agency'),
    /** Blind index of the reporter's Telegram id: finds a person's own items without storing who they are. */
    reporterRef: text('reporter_ref'),
    /** The reporter's Telegram id, sealed: read only to relay feedback and questions, and for an admin's /reveal. */
    reporterSealed: encryptedText('reporter_sealed'),
    /** Rows from before sealing held the reporter here in clear; sealLegacyRows moves it into the two above and nulls it. */
    legacyReporterId: telegramId('reporter_id'),
    signed: boolean('signed').notNull(),
    domain: text('domain').notNull(),
    unitCode: text('unit_code').notNull(),
    text: encryptedText('text').notNull(),
    reference: encryptedText('reference'),
    status: text('status').notNull().default('new'),
    mustInvestigate: boolean('must_investigate').notNull().default(false),
    reasons: jsonb('reasons').$type<string[]>().notNull().default([]),
    priority: text('priority').notNull().default('normal'),
    triageDueAt: at('triage_due_at'),
    concludeDueAt: at('conclude_due_at'),
    repeatSubject: boolean('repeat_subject').notNull().default(false),
    adminsOnly: boolean('admins_only').notNull().default(false),
    assigneeId: telegramId('assignee_id'),
    forwardedAgency: text('forwarded_agency'),
    mergedInto: integer('merged_into'),
    conclusion: encryptedJson<Record<string, unknown>>('conclusion'),
    /** Optimistic lock: every state change bumps it and checks the value it read. */
    version: integer('version').notNull().default(1),
    /** Blind index of sender + text, so the same text sent twice within a minute is one item. */
    contentHash: text('content_hash'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    triagedAt: at('triaged_at'),
    concludedAt: at('concluded_at'),
    /** Set when retention removed the item's content; the row stays so counts and digests stay right. */
    purgedAt: at('purged_at'),
  },
  (table) => [
    index('items_created_idx').on(table.createdAt),
    index('items_status_idx').on(table.status, table.triageDueAt),
    index('items_unit_domain_idx').on(table.unitCode, table.domain, table.createdAt),
    index('items_reporter_idx').on(table.reporterRef, table.createdAt),
    index('items_assignee_idx').on(table.assigneeId, table.status),
    index('items_content_hash_idx').on(table.contentHash, table.createdAt),
    // Digests average triage and conclusion times over a week; without these they would scan every item.
    index('items_triaged_idx').on(table.triagedAt).where(sql`${table.triagedAt} is not null`),
    index('items_concluded_idx').on(table.concludedAt).where(sql`${table.concludedAt} is not null`),
    // The monthly circulation lists each agency's forwarded items.
    index('items_forwarded_idx')
      .on(table.forwardedAgency, table.createdAt)
      .where(sql`${table.forwardedAgency} is not null`),
  ],
);

/** Information added to an item later: by its reporter, or an officer's relayed question and its answer. */
export const itemAdditions = pgTable(
  'item_additions',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').notNull(),
    kind: text('kind', { enum: ['addition', 'question', 'answer'] }).notNull(),
    authorId: telegramId('author_id'),
    text: encryptedText('text').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    answeredAt: at('answered_at'),
  },
  (table) => [index('item_additions_item_idx').on(table.itemId, table.id)],
);

/** Files attached to an item, by Telegram file id. */
export const itemAttachments = pgTable(
  'item_attachments',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').notNull(),
    fileKind: text('file_kind', {
      enum: ['photo', 'document', 'voice', 'video', 'audio', 'video_note'],
    }).notNull(),
    fileId: encryptedText('file_id').notNull(),
    fileUniqueId: encryptedText('file_unique_id'),
    fileSize: integer('file_size'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [index('item_attachments_item_idx').on(table.itemId)],
);

/** Items about the same unit and domain within 90 days, linked both ways. */
export const itemLinks = pgTable(
  'item_links',
  {
    itemId: integer('item_id').notNull(),
    relatedId: integer('related_id').notNull(),
  },
  (table) => [primaryKey({ columns: [table.itemId, table.relatedId] })],
);

/** Integrity-card points deducted from a unit head (廉政监督扣分制). */
export const pointsDeductions = pgTable(
  'points_deductions',
  {
    id: serial('id').primaryKey(),
    unitCode: text('unit_code').notNull(),
    headName: text('head_name'),
    year: integer('year').notNull(),
    points: numeric('points', { precision: 3, scale: 1, mode: 'number' }).notNull(),
    itemId: integer('item_id'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [index('points_unit_year_idx').on(table.unitCode, table.year)],
);

/** Reminders the section must act on, e.g. a must-talk (八必谈) after an integrity finding. */
export const reminders = pgTable('reminders', {
  id: serial('id').primaryKey(),
  kind: text('kind').notNull(),
  unitCode: text('unit_code').notNull(),
  itemId: integer('item_id'),
  createdAt: at('created_at').notNull().defaultNow(),
  doneAt: at('done_at'),
});

/** A person's guided dialogue (e.g. /tip step by step), kept in the database so it survives a restart. */
export const dialogues = pgTable('dialogues', {
  userId: telegramId('user_id').primaryKey(),
  kind: text('kind').notNull(),
  step: text('step').notNull(),
  /** Sealed: a guided /tip keeps its draft text here. */
  data: encryptedJson<Record<string, unknown>>('data').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** One row per digest period sent; the unique key makes each period go out once across restarts and replicas. */
export const digestRuns = pgTable(
  'digest_runs',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').notNull(),
    periodKey: text('period_key').notNull(),
    occurrenceAt: at('occurrence_at').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [uniqueIndex('digest_runs_period_idx').on(table.kind, table.periodKey)],
);
