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
  date,
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
import { personNumberOf, telegramIdOfPersonNumber } from '../crypto/person-numbers.js';
import { columnPlace, sealAt, unsealAt } from '../crypto/sealing.js';
import { ITEM_STATUSES } from '../domain/item-state.js';
import { ROLES } from '../domain/roles.js';
import { ITEM_KINDS, type MustInvestigateReason, PRIORITIES, SOURCE_KINDS } from '../domain/routing.js';
import { DOMAINS } from '../domain/tip-code.js';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/**
 * Text encrypted at rest, bound to its table and column (AES-GCM associated data): sealed on the way
 * in, unsealed on the way out (src/crypto/sealing.ts). A value copied from another column does not
 * open here, so an item's sealed text planted in an officer's name is refused, not published.
 */
const encryptedText = (table: string, name: string) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealAt(columnPlace(table, name), value),
    fromDriver: (value) => unsealAt(columnPlace(table, name), value),
  })(name);

/** A JSON value encrypted at rest as sealed text, bound like encryptedText; values in clear from before sealing still read while allowed. */
const encryptedJson = <T>(table: string, name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealAt(columnPlace(table, name), JSON.stringify(value)),
    fromDriver: (value) =>
      JSON.parse(
        unsealAt(columnPlace(table, name), typeof value === 'string' ? value : JSON.stringify(value)),
      ) as T,
  })(name);

const telegramId = (name: string) => bigint(name, { mode: 'number' });

/**
 * A column naming an enrolled person: it stores their person number, not their Telegram id
 * (src/crypto/person-numbers.ts), and reads back the id, so code above the schema deals in ids and SQL
 * still compares, joins and groups by person. Raw SQL reading it gets numbers: telegramIdOfPersonNumber.
 */
const personId = (table: string, name: string) =>
  customType<{ data: number; driverData: string | number | bigint }>({
    dataType: () => 'bigint',
    toDriver: (id) => personNumberOf(id),
    fromDriver: (value) => telegramIdOfPersonNumber(Number(value), `${table}.${name}`),
  })(name);
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Raw updates, stored before Telegram is told they arrived; payload is dropped once handled. */
export const inboxUpdates = pgTable(
  'inbox_updates',
  {
    updateId: telegramId('update_id').primaryKey(),
    /** The sender (user or chat) id, so one person's updates are handled in order. */
    orderKey: text('order_key').notNull(),
    payload: encryptedJson<Record<string, unknown>>('inbox_updates', 'payload'),
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
    payload: encryptedJson<Record<string, unknown>>('outbox', 'payload'),
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
    ref: encryptedText('outbox', 'ref'),
    resultMessageId: bigint('result_message_id', { mode: 'number' }),
    lastError: text('last_error'),
    /**
     * A piece of a long text after its first: it never overtakes the message before it, even when
     * that one keeps failing and later messages to the chat are let past it.
     */
    followsPrevious: boolean('follows_previous').notNull().default(false),
    /**
     * When the message's cause arrived: for a message queued while handling an update, the update's
     * received_at (so created_at → sent_at is the person's wait); otherwise when it was written.
     */
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

/**
 * What a reply to a delivered private message needs: which item the message was about (a receipt, a
 * relayed question). The message itself is deleted from the outbox once delivered, so nothing keeps a
 * person's chat id beside an item's time; this row is found by a keyed index of chat and message id
 * (purpose `reply`), holds the rest sealed, and keeps only the day, for the purge.
 */
export const replyRefs = pgTable('reply_refs', {
  key: text('key').primaryKey(),
  value: encryptedJson<ReplyRefValue>('reply_refs', 'value').notNull(),
  day: date('day', { mode: 'string' }).notNull().defaultNow(),
});

/** A reply lookup's sealed content: the message it stands for (so rotate-key can index it anew) and its ref. */
export interface ReplyRefValue {
  chatId: number;
  messageId: number;
  ref: string;
}

/** Enrolled people; one role at a time. A revoked person keeps the row (history) but has no access. */
export const people = pgTable('people', {
  telegramId: personId('people', 'telegram_id').primaryKey(),
  role: text('role', { enum: ROLES }).notNull(),
  /** Sealed: one monitor per community and one liaison per agency, so either names the person. */
  community: encryptedText('people', 'community'),
  agency: encryptedText('people', 'agency'),
  displayName: encryptedText('people', 'display_name'),
  username: encryptedText('people', 'username'),
  language: text('language'),
  enrolledAt: at('enrolled_at').notNull().defaultNow(),
  revokedAt: at('revoked_at'),
  lastReportedAt: at('last_reported_at'),
});

/** Single-use invites; only a hash of the token is stored. */
export const invites = pgTable('invites', {
  id: serial('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  role: text('role', { enum: ROLES }).notNull(),
  /** Sealed, as on people: the invite names the community or agency of the person who redeems it. */
  community: encryptedText('invites', 'community'),
  agency: encryptedText('invites', 'agency'),
  createdBy: personId('invites', 'created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  expiresAt: at('expires_at').notNull(),
  usedAt: at('used_at'),
  usedBy: personId('invites', 'used_by'),
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
    actorId: personId('audit_log', 'actor_id'),
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
    kind: text('kind', { enum: ITEM_KINDS }).notNull(),
    sourceKind: text('source_kind', { enum: SOURCE_KINDS }).notNull(),
    sourceAgency: text('source_agency'),
    /**
     * Retired (issue 14): a blind index of the reporter, shared by all of one person's items. Always null
     * now; rows written before migration 0010 are moved into reporter_ledgers at start, then nulled.
     */
    reporterRef: text('reporter_ref'),
    /** The reporter's Telegram id, sealed: read only to relay feedback and questions, and for an admin's /reveal. */
    reporterSealed: text('reporter_sealed'),
    /** Rows from before sealing held the reporter here in clear; sealLegacyRows moves it into the two above and nulls it. */
    legacyReporterId: telegramId('reporter_id'),
    signed: boolean('signed').notNull(),
    domain: text('domain', { enum: DOMAINS }).notNull(),
    unitCode: text('unit_code').notNull(),
    text: encryptedText('items', 'text').notNull(),
    reference: encryptedText('items', 'reference'),
    status: text('status', { enum: ITEM_STATUSES }).notNull().default('new'),
    mustInvestigate: boolean('must_investigate').notNull().default(false),
    reasons: jsonb('reasons').$type<MustInvestigateReason[]>().notNull().default([]),
    priority: text('priority', { enum: PRIORITIES }).notNull().default('normal'),
    triageDueAt: at('triage_due_at'),
    concludeDueAt: at('conclude_due_at'),
    repeatSubject: boolean('repeat_subject').notNull().default(false),
    adminsOnly: boolean('admins_only').notNull().default(false),
    assigneeId: personId('items', 'assignee_id'),
    forwardedAgency: text('forwarded_agency'),
    mergedInto: integer('merged_into'),
    conclusion: encryptedJson<Record<string, unknown>>('items', 'conclusion'),
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
    /** The head the item is about: the unit's head on the day it arrived (null: the unit's unknown head). */
    headPersonKey: text('head_person_key'),
  },
  (table) => [
    index('items_created_idx').on(table.createdAt),
    index('items_status_idx').on(table.status, table.triageDueAt),
    index('items_unit_domain_idx').on(table.unitCode, table.domain, table.createdAt),
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

/**
 * Which items each reporter sent (issue 14): one row per person, keyed by a blind index of their
 * Telegram id, the list of their items sealed. Nothing in clear beside it (no time, no serial), so a
 * database reader cannot tell that two items share a reporter. Owned by src/items/ledger.ts.
 */
export const reporterLedgers = pgTable('reporter_ledgers', {
  key: text('key').primaryKey(),
  /** Sealed: `[{ id: item id, at: epoch ms the item was created }]`. */
  /** Sealed by src/items/ledger.ts for its row (its key), so one person's list cannot be swapped for another's. */
  entries: text('entries').notNull(),
});

/** Information added to an item later: by its reporter, or an officer's relayed question and its answer. */
export const itemAdditions = pgTable(
  'item_additions',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').notNull(),
    kind: text('kind', { enum: ['addition', 'question', 'answer'] }).notNull(),
    authorId: personId('item_additions', 'author_id'),
    text: encryptedText('item_additions', 'text').notNull(),
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
    fileId: encryptedText('item_attachments', 'file_id').notNull(),
    fileUniqueId: encryptedText('item_attachments', 'file_unique_id'),
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

/**
 * Integrity-card points deducted from a head (廉政监督扣分制). The card follows the person: `person_key`
 * is whom the points belong to (a head, or `unknown:<unit>` for points recorded before heads were);
 * `unit_code` is where they were deducted; `head_name` is the name recorded before heads existed.
 */
export const pointsDeductions = pgTable(
  'points_deductions',
  {
    id: serial('id').primaryKey(),
    unitCode: text('unit_code').notNull(),
    headName: text('head_name'),
    personKey: text('person_key').notNull(),
    year: integer('year').notNull(),
    points: numeric('points', { precision: 3, scale: 1, mode: 'number' }).notNull(),
    itemId: integer('item_id'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [
    index('points_unit_year_idx').on(table.unitCode, table.year),
    index('points_person_year_idx').on(table.personKey, table.year),
  ],
);

/** The people who head, or headed, units (一把手). Names are public (appointments are published); notes are sealed. */
export const heads = pgTable('heads', {
  personKey: text('person_key').primaryKey(),
  name: text('name').notNull(),
  /** Sealed: what the section notes about a person may name private facts. */
  notes: encryptedText('heads', 'notes'),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** Who headed which unit from which day to which day (inclusive; `to_date` null = in office). */
export const headTenures = pgTable(
  'head_tenures',
  {
    id: serial('id').primaryKey(),
    personKey: text('person_key').notNull(),
    unitCode: text('unit_code').notNull(),
    title: text('title'),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    toDate: date('to_date', { mode: 'string' }),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [
    index('head_tenures_unit_idx').on(table.unitCode, table.fromDate),
    index('head_tenures_person_idx').on(table.personKey, table.fromDate),
    uniqueIndex('head_tenures_one_in_office_idx').on(table.unitCode).where(sql`${table.toDate} is null`),
  ],
);

/** Talks (八必谈) and economic-responsibility audits the section owes: the /talks worklist. Never deleted. */
export const obligations = pgTable(
  'obligations',
  {
    /** Made from the trigger (domain/obligations.ts), so the same event handled twice creates one row. */
    key: text('key').primaryKey(),
    id: serial('id').notNull().unique(),
    kind: text('kind', { enum: ['talk', 'audit'] }).notNull(),
    /** A talk's occasion or an audit's reason. */
    occasion: text('occasion').notNull(),
    personKey: text('person_key').notNull(),
    unitCode: text('unit_code').notNull(),
    itemId: integer('item_id'),
    createdOn: date('created_on', { mode: 'string' }).notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    state: text('state', { enum: ['open', 'done', 'not_needed'] })
      .notNull()
      .default('open'),
    settledOn: date('settled_on', { mode: 'string' }),
    /** Sealed: a done note or a not-needed reason may name facts about the head. */
    note: encryptedText('obligations', 'note'),
    supersededBy: text('superseded_by'),
    settledBy: personId('obligations', 'settled_by'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [
    index('obligations_open_idx').on(table.dueOn).where(sql`${table.state} = 'open'`),
    index('obligations_person_idx').on(table.personKey),
    index('obligations_item_idx').on(table.itemId),
  ],
);

/** 四个必下 marks on heads' records: pending until an admin records the outcome. */
export const mustRemoveMarks = pgTable(
  'must_remove_marks',
  {
    key: text('key').primaryKey(),
    /** A short number for the admin's outcome buttons (the key is too long for callback data). */
    id: serial('id').notNull().unique(),
    personKey: text('person_key').notNull(),
    unitCode: text('unit_code').notNull(),
    reason: text('reason').notNull(),
    raisedOn: date('raised_on', { mode: 'string' }).notNull(),
    itemId: integer('item_id'),
    state: text('state', { enum: ['pending', 'resolved'] })
      .notNull()
      .default('pending'),
    outcome: text('outcome'),
    resolvedOn: date('resolved_on', { mode: 'string' }),
    /** Sealed: the outcome's note. */
    note: encryptedText('must_remove_marks', 'note'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [index('must_remove_person_idx').on(table.personKey)],
);

/** A person's guided dialogue (e.g. /tip step by step), kept in the database so it survives a restart. */
export const dialogues = pgTable('dialogues', {
  userId: telegramId('user_id').primaryKey(),
  kind: text('kind').notNull(),
  step: text('step').notNull(),
  /** Sealed: a guided /tip keeps its draft text here. */
  data: encryptedJson<Record<string, unknown>>('dialogues', 'data').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/**
 * Edited messages already answered ("edits do not change what was sent"), so each is answered once.
 * Keyed by a blind index of chat and message (no Telegram id in clear), with the day only.
 */
export const editNotices = pgTable('edit_notices', {
  key: text('key').primaryKey(),
  day: date('day', { mode: 'string' }).notNull().default(sql`current_date`),
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
