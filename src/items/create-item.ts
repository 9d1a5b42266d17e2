import { and, count, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { BotServices } from '../bot/context.js';
import { deepLink } from '../bot/deep-links.js';
import { type Language, languageFor, translatorFor } from '../bot/i18n.js';
import { appendAudit } from '../audit.js';
import { type Queryable, queryRows } from '../db/client.js';
import { itemAttachments, itemLinks, items, people, units } from '../db/schema.js';
import type { AgencyCode } from '../domain/agencies.js';
import {
  type ItemKind,
  type RecentItem,
  RELATED_WINDOW_DAYS,
  REPEAT_SUBJECT_THRESHOLD,
  type RoutingDecision,
  route,
  type SourceKind,
} from '../domain/routing.js';
import { type Domain, MAX_TEXT_LENGTH, sanitizeText } from '../domain/tip-code.js';
import { blindIndex, blindIndexes } from '../crypto/sealing.js';
import { getSectionChat } from '../settings.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { REPORTER_ACTOR, reportedBy, reporterColumns } from './reporter-link.js';
import { type ItemSummary, itemCode, loadItemSummary, unitNameFor } from './summary.js';

/** Most items a new one is linked to: the newest of its unit and domain within the routing window. */
export const MAX_RELATED_LINKS = 50;
/** Most attachments one item may carry. */
export const MAX_ATTACHMENTS = 10;
/** Most items one person may create within FLOOD_WINDOW_MS. */
export const FLOOD_LIMIT = 20;
/** The window of the flood limit: one hour. */
export const FLOOD_WINDOW_MS = 60 * 60 * 1000;
/** The same text from the same person within this window is the same item. */
export const DUPLICATE_WINDOW_MS = 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Kinds of Telegram file an item can carry. */
export type AttachmentKind = 'photo' | 'document' | 'voice' | 'video' | 'audio' | 'video_note';

/** A Telegram file to attach: ids and size only, the bot never downloads it. */
export interface AttachmentInput {
  fileKind: AttachmentKind;
  fileId: string;
  fileUniqueId: string | null;
  fileSize: number | null;
}

/** A tip, notice or logged report to store, with where its receipt goes. */
export interface NewItem {
  kind: ItemKind;
  sourceKind: SourceKind;
  sourceAgency: AgencyCode | null;
  /** The enrolled reporter (monitor or liaison); null for reports logged by the section. */
  reporterId: number | null;
  /** Who sent the command: the reporter, or the officer who logged the report. */
  actorId: number;
  signed: boolean;
  domain: Domain;
  /** A canonical unit code from the directory. */
  unitCode: string;
  text: string;
  reference?: string | null;
  attachments?: readonly AttachmentInput[];
  /** The private chat the receipt (or the refusal) goes to, and its language. */
  replyTo: { chatId: number; language: Language };
}

/** What createItem needs besides the transaction: configuration, clock, bot username and the outbox. */
export interface CreateItemServices extends Pick<BotServices, 'now' | 'botUsername'> {
  config: Pick<BotServices['config'], 'timeZone' | 'adminOnlyUnits' | 'adminIds'>;
  out: OutboxBuffer;
}

/** Why an item was not stored. */
export type RefusalReason = 'flood' | 'too_many_attachments' | 'missing_text' | 'text_too_long';

/** The outcome of createItem; the reply for each is already queued. */
export type CreateItemResult =
  | { outcome: 'created'; item: ItemSummary; decision: RoutingDecision }
  | { outcome: 'duplicate'; item: ItemSummary }
  | { outcome: 'refused'; reason: RefusalReason };

/** Whitespace and width differences do not make a text new. */
function normaliseText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

function contentKey(input: Pick<NewItem, 'actorId' | 'kind' | 'domain' | 'unitCode' | 'text'>): string {
  return [input.actorId, input.kind, itemCode(input.domain, input.unitCode), normaliseText(input.text)].join(
    '\n',
  );
}

/**
 * Blind index (keyed HMAC) of who sent it, what kind, the code and the normalised text: equal for a
 * resent item, and — unlike a plain hash — no way to test guesses of a short text without the key.
 */
export function contentHash(
  input: Pick<NewItem, 'actorId' | 'kind' | 'domain' | 'unitCode' | 'text'>,
): string {
  return blindIndex(contentKey(input));
}

/**
 * Stores a new item inside the caller's transaction, or explains why not: applies the limits
 * (text 1–4000 code points, ≤10 attachments, 20 items an hour per person; the same text within a
 * minute is the same item), routes it by the county's rules, links related items, audits, and
 * queues the receipt and, for a must-investigate item, the alert. Every reply is queued in `services.out`.
 */
export async function createItem(
  db: Queryable,
  input: NewItem,
  services: CreateItemServices,
): Promise<CreateItemResult> {
  const t = translatorFor(input.replyTo.language);
  const refuse = (reason: RefusalReason, message: string): CreateItemResult => {
    services.out.sendText(input.replyTo.chatId, message);
    return { outcome: 'refused', reason };
  };
  const text = sanitizeText(input.text).trim();
  if (text === '') return refuse('missing_text', t('tips:error_missing_text'));
  const length = Array.from(text).length;
  if (length > MAX_TEXT_LENGTH) {
    return refuse('text_too_long', t('tips:error_text_too_long', { length, max: MAX_TEXT_LENGTH }));
  }
  const attachments = input.attachments ?? [];
  if (attachments.length > MAX_ATTACHMENTS) {
    return refuse('too_many_attachments', t('tips:too_many_attachments', { max: MAX_ATTACHMENTS }));
  }

  const now = services.now();
  const hash = contentHash({ ...input, text });
  const [duplicate] = await db
    .select({ id: items.id })
    .from(items)
    .where(
      and(
        inArray(items.contentHash, blindIndexes(contentKey({ ...input, text }))),
        gte(items.createdAt, new Date(now.getTime() - DUPLICATE_WINDOW_MS)),
      ),
    )
    .limit(1);
  if (duplicate) {
    const item = await loadItemSummary(db, duplicate.id);
    if (item) {
      services.out.sendText(
        input.replyTo.chatId,
        t('tips:duplicate', { id: item.id }),
        {},
        `receipt:${item.id}`,
      );
      return { outcome: 'duplicate', item };
    }
  }

  if (input.reporterId !== null) {
    const [recent] = await db
      .select({ total: count() })
      .from(items)
      .where(
        and(reportedBy(input.reporterId), gte(items.createdAt, new Date(now.getTime() - FLOOD_WINDOW_MS))),
      );
    if ((recent?.total ?? 0) >= FLOOD_LIMIT) return refuse('flood', t('tips:flood', { max: FLOOD_LIMIT }));
  }

  const recentItems = await recentItemsForRouting(db, input.unitCode, input.domain, now);
  const decision = route(
    {
      itemKind: input.kind,
      sourceKind: input.sourceKind,
      sourceAgency: input.sourceAgency,
      signed: input.signed,
      domain: input.domain,
      unitCode: input.unitCode,
      text,
      attachmentCount: attachments.length,
      createdAt: now,
    },
    {
      timeZone: services.config.timeZone,
      recentItems: recentItems.map((row) => ({ ...row, domain: row.domain as Domain })),
      adminOnlyUnits: services.config.adminOnlyUnits,
    },
  );

  const [created] = await db
    .insert(items)
    .values({
      kind: input.kind,
      sourceKind: input.sourceKind,
      sourceAgency: input.sourceAgency,
      ...reporterColumns(input.reporterId),
      signed: input.signed,
      domain: input.domain,
      unitCode: input.unitCode,
      text,
      reference: input.reference ?? null,
      mustInvestigate: decision.mustInvestigate,
      reasons: decision.reasons,
      priority: decision.priority,
      triageDueAt: decision.triageDueAt,
      concludeDueAt: decision.concludeDueAt,
      repeatSubject: decision.repeatSubject,
      adminsOnly: decision.adminsOnly,
      contentHash: hash,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: items.id });
  if (!created) throw new Error('item insert returned no row');
  const itemId = created.id;

  if (decision.relatedItemIds.length > 0) {
    await db
      .insert(itemLinks)
      .values(
        decision.relatedItemIds.flatMap((relatedId) => [
          { itemId, relatedId },
          { itemId: relatedId, relatedId: itemId },
        ]),
      )
      .onConflictDoNothing();
  }
  await insertAttachments(db, itemId, attachments);
  if (input.reporterId !== null) {
    // The day only: an exact time would match the item's created_at and tell a database reader who sent it.
    const day = DateTime.fromJSDate(now, { zone: services.config.timeZone }).startOf('day').toJSDate();
    await db.update(people).set({ lastReportedAt: day }).where(eq(people.telegramId, input.reporterId));
  }
  // A reporter's Telegram id next to an item id would unmask them in the audit log: record the role only.
  const byReporter = input.reporterId !== null;
  await appendAudit(db, {
    actorId: byReporter ? null : input.actorId,
    action: 'item.created',
    itemId,
    details: {
      ...(byReporter ? REPORTER_ACTOR : {}),
      kind: input.kind,
      sourceKind: input.sourceKind,
      sourceAgency: input.sourceAgency,
      code: itemCode(input.domain, input.unitCode),
      attachments: attachments.length,
      mustInvestigate: decision.mustInvestigate,
      reasons: decision.reasons,
      priority: decision.priority,
      adminsOnly: decision.adminsOnly,
      related: decision.relatedItemIds,
    },
  });

  const item = await loadItemSummary(db, itemId);
  if (!item) throw new Error('created item not found');
  queueReceipt(services.out, input, item, attachments.length);
  if (item.mustInvestigate) await queueAlert(db, services, item);
  return { outcome: 'created', item, decision };
}

/**
 * The recent items routing needs, bounded whatever the table holds: the MAX_RELATED_LINKS newest
 * of the same unit and domain (the items a new one is linked to) and, of the unit's other domains,
 * just enough to tell a repeat subject. Reading every item of the unit in the window cost ~3,000
 * rows and wrote ~1,000 links per tip with a million items stored.
 */
async function recentItemsForRouting(
  db: Queryable,
  unitCode: string,
  domain: Domain,
  now: Date,
): Promise<RecentItem[]> {
  const since = new Date(now.getTime() - RELATED_WINDOW_DAYS * DAY_MS).toISOString();
  const until = now.toISOString();
  const rows = await queryRows<{ id: number | string; domain: string; created_ms: number | string }>(
    db,
    sql`(select id, domain, extract(epoch from created_at) * 1000 as created_ms from ${items}
         where unit_code = ${unitCode} and domain = ${domain}
           and created_at >= ${since}::timestamptz and created_at <= ${until}::timestamptz
         order by created_at desc, id desc limit ${MAX_RELATED_LINKS})
        union all
        (select id, domain, extract(epoch from created_at) * 1000 from ${items}
         where unit_code = ${unitCode} and domain <> ${domain}
           and created_at >= ${since}::timestamptz and created_at <= ${until}::timestamptz
         limit ${REPEAT_SUBJECT_THRESHOLD - 1})`,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    domain: row.domain as Domain,
    unitCode,
    createdAt: new Date(Number(row.created_ms)),
  }));
}

/** Stores file references for an item (the caller checks the limit). */
export async function insertAttachments(
  db: Queryable,
  itemId: number,
  attachments: readonly AttachmentInput[],
): Promise<void> {
  if (attachments.length === 0) return;
  await db.insert(itemAttachments).values(attachments.map((attachment) => ({ itemId, ...attachment })));
}

/** How many files an item already carries. */
export async function attachmentCount(db: Queryable, itemId: number): Promise<number> {
  const [row] = await db
    .select({ total: count() })
    .from(itemAttachments)
    .where(eq(itemAttachments.itemId, itemId));
  return row?.total ?? 0;
}

function queueReceipt(out: OutboxBuffer, input: NewItem, item: ItemSummary, attachments: number): void {
  const language = input.replyTo.language;
  const t = translatorFor(language);
  const about = {
    id: item.id,
    code: item.code,
    domain: t(`items:domain_${item.domain}`),
    unit: unitNameFor(item, language),
  };
  const lines: string[] = [];
  if (input.reporterId === null) {
    lines.push(t('tips:logged_number', about));
    lines.push(
      t('tips:logged_source', {
        source: t(`tips:source_${item.sourceKind}`),
        signed: t(input.signed ? 'tips:signed_yes' : 'tips:signed_no'),
      }),
    );
  } else {
    lines.push(t('tips:receipt_number', about), t('tips:receipt_code', about));
    if (input.reference) lines.push(t('tips:receipt_reference', { reference: input.reference }));
    if (attachments > 0) lines.push(t('tips:receipt_attachments', { count: attachments }));
    lines.push('', t('tips:receipt_next'), t('tips:receipt_add_hint', { id: item.id }));
  }
  out.sendText(input.replyTo.chatId, lines.join('\n'), {}, `receipt:${item.id}`);
}

/** A staff member to alert, with the language to write in. */
export interface Recipient {
  chatId: number;
  language: Language;
}

/** Admins (enrolled, or in ADMIN_IDS) and, if asked, officers, each once, with their language. */
export async function staffRecipients(
  db: Queryable,
  adminIds: readonly number[],
  withOfficers: boolean,
): Promise<Recipient[]> {
  const roles = withOfficers ? ['admin', 'officer'] : ['admin'];
  const enrolled = await db
    .select({ telegramId: people.telegramId, role: people.role, language: people.language })
    .from(people)
    .where(and(isNull(people.revokedAt), inArray(people.role, roles as ('admin' | 'officer')[])));
  const recipients = new Map<number, Recipient>();
  for (const person of enrolled) {
    recipients.set(person.telegramId, { chatId: person.telegramId, language: languageFor(person.language) });
  }
  // ADMIN_IDS are admins even before enrolling, unless their enrolment gave them another role.
  const otherRoles = await db
    .select({ telegramId: people.telegramId })
    .from(people)
    .where(and(isNull(people.revokedAt), inArray(people.telegramId, [...adminIds, 0])));
  const enrolledIds = new Set(otherRoles.map((row) => row.telegramId));
  for (const id of adminIds) {
    if (!recipients.has(id) && !enrolledIds.has(id)) recipients.set(id, { chatId: id, language: 'zh-CN' });
  }
  return [...recipients.values()].sort((a, b) => a.chatId - b.chatId);
}

function alertText(item: ItemSummary, language: Language): string {
  const t = translatorFor(language);
  const lines = [
    `🔔 ${t('items:alert_title', { id: item.id })}`,
    t('items:alert_code', { code: item.code }),
    t('items:alert_domain', { domain: t(`items:domain_${item.domain}`) }),
    t('items:alert_unit', { unit: unitNameFor(item, language) }),
    t('items:alert_priority', { priority: t(`items:priority_${item.priority}`) }),
  ];
  if (item.adminsOnly) lines.push(t('items:alert_admins_only'));
  return lines.join('\n');
}

function alertButton(item: ItemSummary, language: Language, botUsername: string): Record<string, unknown> {
  const t = translatorFor(language);
  return {
    reply_markup: {
      inline_keyboard: [[{ text: t('items:alert_open'), url: deepLink(botUsername, 'show', item.id) }]],
    },
  };
}

/**
 * Queues the alert for a new must-investigate item: number, code, domain, unit and priority only,
 * never its text or reporter. It goes to the section chat, or to every admin and officer privately
 * when no chat is bound; an admins-only item (conflict of interest) goes to the admins privately only.
 */
export async function queueAlert(
  db: Queryable,
  services: CreateItemServices,
  item: ItemSummary,
): Promise<void> {
  const botUsername = services.botUsername();
  const section = item.adminsOnly ? null : await getSectionChat(db);
  if (section) {
    // The section's group chat speaks the section's language: Chinese.
    services.out.sendText(
      section.chatId,
      alertText(item, 'zh-CN'),
      alertButton(item, 'zh-CN', botUsername),
      `alert:${item.id}`,
    );
    return;
  }
  for (const recipient of await staffRecipients(db, services.config.adminIds, !item.adminsOnly)) {
    services.out.sendText(
      recipient.chatId,
      alertText(item, recipient.language),
      alertButton(item, recipient.language, botUsername),
      `alert:${item.id}`,
    );
  }
}

/**
 * Units for the guided dialogue's buttons: those this person reported on most (ties by code), then
 * the directory's order. Ranked by the person's own items only, so the buttons never reveal which
 * units other people report on.
 */
export async function mostReportedUnits(db: Queryable, reporterId: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ code: units.code })
    .from(units)
    .leftJoin(items, and(eq(items.unitCode, units.code), reportedBy(reporterId)))
    .groupBy(units.code)
    .orderBy(sql`count(${items.id}) desc`, units.code)
    .limit(limit);
  return rows.map((row) => row.code);
}
