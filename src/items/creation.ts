/**
 * Creating an item (a tip, a notice or a logged report): the limits (text, attachments, the flood
 * limit; the same text within a minute is the same item), routing by the county's rules (四个必查),
 * links to related items, the reporter's last-report day, the audit entry, and the section's alert
 * for a must-investigate item. The receipt is the handler's to render from the outcome.
 */

import { DateTime } from 'luxon';
import { auditInsert } from '../audit.js';
import type { AppConfig } from '../config.js';
import { blindIndex, blindIndexes } from '../crypto/sealing.js';
import type { Queryable } from '../db/client.js';
import type { AgencyCode } from '../domain/agencies.js';
import {
  checkText,
  DUPLICATE_WINDOW_MS,
  FLOOD_WINDOW_MS,
  isFlooding,
  MAX_ATTACHMENTS,
  MAX_RELATED_LINKS,
} from '../domain/limits.js';
import { type ItemKind, type RoutingDecision, route, type SourceKind } from '../domain/routing.js';
import type { Domain } from '../domain/tip-code.js';
import { headKeyForItem } from '../heads/tenures.js';
import { workingCalendar } from '../holidays.js';
import { reportedDayUpdate } from '../people/roster.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { countInLedgerSince, lockedLedgerColumn, lockedLedgerFrom, lockedLedgerWrites } from './ledger.js';
import { alertSection } from './notifications.js';
import { REPORTER_ACTOR, sealedReporterFor } from './reporter-link.js';
import {
  type AttachmentInput,
  attachmentsInsert,
  insertItem,
  readBeforeInsert,
  relatedLinksInsert,
} from './store.js';
import { type ItemSummary, itemCode, loadItemSummary, summaryOfRow } from './summary.js';

/** A tip, notice or logged report to store. */
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
}

/** What createItem needs besides the transaction and the outbox: the clock, configuration and bot username. */
export interface CreationContext {
  now: Date;
  config: Pick<AppConfig, 'timeZone' | 'adminOnlyUnits' | 'adminIds' | 'alertBatchMinutes'>;
  botUsername: string;
}

/** Why an item was not stored. */
export type RefusalReason = 'flood' | 'too_many_attachments' | 'missing_text' | 'text_too_long';

/** The outcome of createItem: stored, recognised as a resend, or refused (storing nothing). */
export type CreateItemOutcome =
  | { kind: 'created'; item: ItemSummary; decision: RoutingDecision; attachments: number }
  | { kind: 'duplicate'; item: ItemSummary }
  | { kind: 'refused'; reason: 'missing_text' | 'flood' }
  | { kind: 'refused'; reason: 'text_too_long'; length: number; max: number }
  | { kind: 'refused'; reason: 'too_many_attachments'; max: number };

/** Whitespace and width differences do not make a text new. */
function normaliseText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

type ContentFields = Pick<NewItem, 'actorId' | 'kind' | 'domain' | 'unitCode' | 'text' | 'reference'>;

function contentKey(input: ContentFields): string {
  const parts = [
    input.actorId,
    input.kind,
    itemCode(input.domain, input.unitCode),
    normaliseText(input.text),
  ];
  // A notice's 文号 makes it another document even with the same text (an agency re-issuing a finding).
  // Appended only when there is one, so items without a reference keep the index they always had.
  const reference = input.reference ? normaliseText(input.reference) : '';
  if (reference !== '') parts.push(`ref:${reference}`);
  return parts.join('\n');
}

/**
 * Blind index (keyed HMAC) of who sent it, what kind, the code, the normalised text and the 文号: equal for a
 * resent item, and — unlike a plain hash — no way to test guesses of a short text without the key.
 */
export function contentHash(input: ContentFields): string {
  return blindIndex(contentKey(input));
}

/**
 * Stores a new item inside the caller's transaction, or says why not: applies the limits, routes it
 * by the county's rules, links related items, audits, and queues the alert for a must-investigate item.
 */
export async function createItem(
  db: Queryable,
  out: OutboxBuffer,
  input: NewItem,
  context: CreationContext,
): Promise<CreateItemOutcome> {
  const checked = checkText(input.text);
  if (!checked.ok) {
    return checked.reason === 'missing_text'
      ? { kind: 'refused', reason: 'missing_text' }
      : { kind: 'refused', reason: 'text_too_long', length: checked.length, max: checked.max };
  }
  const text = checked.text;
  const attachments = input.attachments ?? [];
  if (attachments.length > MAX_ATTACHMENTS) {
    return { kind: 'refused', reason: 'too_many_attachments', max: MAX_ATTACHMENTS };
  }

  const now = context.now;
  // The reads below do not depend on one another, so they are sent together: postgres.js pipelines
  // them in the transaction (one round trip); PGlite runs them in turn. The calendar and the head are
  // usually answered from the read cache (src/db/read-cache.ts) without a statement.
  const reporterId = input.reporterId;
  const [before, calendar, headPersonKey] = await Promise.all([
    readBeforeInsert(db, {
      hashes: blindIndexes(contentKey({ ...input, text })),
      duplicateSince: new Date(now.getTime() - DUPLICATE_WINDOW_MS),
      unitCode: input.unitCode,
      domain: input.domain,
      now,
      maxLinks: MAX_RELATED_LINKS,
      // The reporter's ledger is read (and locked) once, in the same statement: for the flood limit
      // now, to add the item below.
      alongside: reporterId === null ? {} : { ledger: lockedLedgerColumn(reporterId) },
    }),
    // Due dates count working days on the official calendar (holidays off, make-up Saturdays on).
    workingCalendar(db),
    // The item is about whoever headed the unit the day it arrived; a later head change never moves it.
    headKeyForItem(db, input.unitCode, now, context.config.timeZone),
  ]);
  const ledger = reporterId === null ? null : lockedLedgerFrom(reporterId, before.alongside.ledger);
  const duplicate = before.duplicateId === null ? null : await loadItemSummary(db, before.duplicateId);
  if (duplicate) return { kind: 'duplicate', item: duplicate };
  if (ledger && isFlooding(countInLedgerSince(ledger, new Date(now.getTime() - FLOOD_WINDOW_MS)))) {
    return { kind: 'refused', reason: 'flood' };
  }
  const itemId = before.nextId;
  if (itemId === null) throw new Error('no item id was reserved for a new item');

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
      timeZone: context.config.timeZone,
      recentItems: before.recentItems,
      adminOnlyUnits: context.config.adminOnlyUnits,
      calendar,
    },
  );

  // The day only: an exact time would match the item's created_at and tell a database reader who sent it.
  const day = DateTime.fromJSDate(now, { zone: context.config.timeZone }).startOf('day').toJSDate();
  // A reporter's Telegram id next to an item id would unmask them in the audit log: record the role only.
  const byReporter = reporterId !== null;
  // The writes that go with the item, built by the modules that own their tables and sent in the
  // item's insert: none depends on another or on seeing the new row, since the item's id is known.
  const alongside = [
    // Listed in the reporter's sealed ledger, not marked on the item: nothing in clear ties their items together.
    ...(ledger ? await lockedLedgerWrites(db, ledger, [{ id: itemId, at: now.getTime() }], now) : []),
    // An item of theirs from today is in the ledger: storing it marked this day already.
    reporterId !== null && ledger && countInLedgerSince(ledger, day) === 0
      ? reportedDayUpdate(db, reporterId, day)
      : null,
    relatedLinksInsert(db, itemId, decision.relatedItemIds),
    attachmentsInsert(db, itemId, attachments),
    auditInsert(db, {
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
    }),
  ];
  const item = summaryOfRow(
    await insertItem(
      db,
      {
        id: itemId,
        kind: input.kind,
        sourceKind: input.sourceKind,
        sourceAgency: input.sourceAgency,
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
        headPersonKey,
        contentHash: contentHash({ ...input, text }),
        // Sealed for this item's row, so it opens on no other: the id was reserved above for this.
        reporterSealed: reporterId === null ? null : sealedReporterFor(itemId, reporterId),
        createdAt: now,
        updatedAt: now,
      },
      alongside,
    ),
  );

  if (item.mustInvestigate) {
    await alertSection(db, out, item, {
      botUsername: context.botUsername,
      adminIds: context.config.adminIds,
      now,
      batchMinutes: context.config.alertBatchMinutes,
    });
  }
  return { kind: 'created', item, decision, attachments: attachments.length };
}
