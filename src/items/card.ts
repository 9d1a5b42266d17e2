/**
 * What /show (and an alert's button) opens: the whole item for an officer or admin — text,
 * additions, attachments, reasons, related items, the head it is about with their integrity card,
 * the talks and audits it raised, and a short history — with the reporter sealed to the kind of source. Every view of the
 * text is audited as 'item.viewed', which is also how the card knows what the reporter added since the
 * viewer last opened it (no table of its own).
 */
import { appendAudit, itemAuditEntriesAfter, itemAuditSummary, latestEntryIdBy } from '../audit.js';
import type { Queryable } from '../db/client.js';
import type { AgencyCode } from '../domain/agencies.js';
import type { StoredObligation } from '../heads/store.js';
import { type ItemHead, itemHead } from '../heads/tenures.js';
import { obligationsOfItem } from '../heads/worklist.js';
import { personById, type StaffMember } from '../people/store.js';
import { type Unit, unitByCode } from '../units/directory.js';
import { isReporterAudit, reachableReporter } from './reporter-link.js';
import {
  type AdditionRow,
  type AttachmentRow,
  additionsOf,
  attachmentsOf,
  type ItemRow,
  loadVisibleItem,
  relatedItemIds,
  type Viewer,
} from './store.js';

/**
 * Who reported, as an officer may know it: the kind of source only — a community monitor, a liaison,
 * the hotline or the mailbox (signed or not) — and, for a notice, its agency (the agency's own
 * information). Never a community, a name, a username or a Telegram id: with one monitor per
 * community, and one liaison per agency, those name the person; only /reveal (audited) goes further.
 */
export type SealedSource =
  | { kind: 'monitor' }
  | { kind: 'liaison'; noticeAgency: string | null }
  | { kind: 'hotline' | 'mailbox'; signed: boolean };

/** The source of an item as the card and the history show it (see SealedSource). */
export function sealedSourceOf(item: ItemRow): SealedSource {
  if (item.sourceKind === 'monitor') return { kind: 'monitor' };
  if (item.sourceKind === 'liaison') {
    return { kind: 'liaison', noticeAgency: item.kind === 'notice' ? item.sourceAgency : null };
  }
  return { kind: item.sourceKind, signed: item.signed };
}

/** Everything the item card shows. */
export interface ItemCard {
  item: ItemRow;
  unit: Unit | null;
  source: SealedSource;
  assignee: StaffMember | null;
  forwardedAgency: AgencyCode | string | null;
  additions: AdditionRow[];
  attachments: AttachmentRow[];
  related: number[];
  /** The head the item is about (the unit's head the day it arrived) and their card this year. */
  head: ItemHead;
  /** Talks and audits this item raised. */
  obligations: StoredObligation[];
  history: { total: number; latest: { action: string; at: Date } | null };
  /** Whether the bot can reach the reporter, so a question can be relayed (never who they are). */
  askable: boolean;
  /**
   * What the reporter added since this viewer last opened the item (additions and answers by id, and
   * how many files); null the first time they open it, when everything is new.
   */
  news: { additionIds: number[]; attachments: number } | null;
}

/** What the reporter added after audit entry `seen` (the viewer's last view of the item). */
async function newsSince(db: Queryable, itemId: number, seen: number | null): Promise<ItemCard['news']> {
  if (seen === null) return null;
  const news = { additionIds: [] as number[], attachments: 0 };
  for (const entry of await itemAuditEntriesAfter(db, itemId, seen)) {
    if (!isReporterAudit(entry.details)) continue;
    const details = entry.details ?? {};
    const id = entry.action === 'item.answer' ? details.answerId : details.additionId;
    if (entry.action === 'item.attachment_added') news.attachments += 1;
    else if (typeof id === 'number') news.additionIds.push(id);
  }
  return news;
}

/** Opens item `id` for the viewer (null when it does not exist or is hidden), auditing the view. */
export async function openItemCard(
  db: Queryable,
  id: number,
  viewer: Viewer,
  context: { now: Date; timeZone: string },
): Promise<ItemCard | null> {
  const item = await loadVisibleItem(db, id, viewer);
  if (!item) return null;
  const card: ItemCard = {
    item,
    unit: await unitByCode(db, item.unitCode),
    source: sealedSourceOf(item),
    assignee: item.assigneeId ? await personById(db, item.assigneeId) : null,
    forwardedAgency: item.forwardedAgency,
    additions: await additionsOf(db, item.id),
    attachments: await attachmentsOf(db, item.id),
    related: await relatedItemIds(db, item.id, viewer),
    head: await itemHead(db, item, { ...context, includeAdminsOnly: viewer.admin }),
    obligations: await obligationsOfItem(db, item.id),
    history: await itemAuditSummary(db, item.id),
    askable: (await reachableReporter(db, item)) !== null,
    news: await newsSince(db, item.id, await latestEntryIdBy(db, item.id, viewer.telegramId, 'item.viewed')),
  };
  await appendAudit(db, { actorId: viewer.telegramId, action: 'item.viewed', itemId: item.id });
  return card;
}
