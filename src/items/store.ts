/**
 * Every read and write of the item tables (items, item_additions, item_attachments, item_links).
 * The item's text, reference, conclusion, sealed reporter and the additions' texts and file ids are
 * sealed at rest; they pass through here only, so the use cases of src/items are the only code that
 * sees them in clear before a handler renders what its reader is entitled to.
 */
import { and, asc, count, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows, type Statement } from '../db/client.js';
import { itemAdditions, itemAttachments, itemLinks, items, units } from '../db/schema.js';
import type { ItemStatus } from '../domain/item-state.js';
import { RELATED_WINDOW_DAYS, REPEAT_SUBJECT_THRESHOLD, type RecentItem } from '../domain/routing.js';
import type { Domain } from '../domain/tip-code.js';
import {
  OPEN_STATUSES,
  PRIORITY_ORDER,
  QUEUE_PAGE_SIZE,
  type QueueFilter,
  statusesFor,
} from '../domain/triage.js';
import { ledgerOf, reportedItemIds } from './ledger.js';

/** An item row as stored (sealed columns already opened). */
export type ItemRow = typeof items.$inferSelect;
/** What a new item row holds. */
export type NewItemRow = typeof items.$inferInsert;

/** Who is looking: admins also see admins-only items (about the Organization Department). */
export interface Viewer {
  telegramId: number;
  admin: boolean;
}

/** The condition that hides admins-only items from everyone but admins. */
function visibleTo(viewer: Viewer): SQL | undefined {
  return viewer.admin ? undefined : eq(items.adminsOnly, false);
}

/**
 * The summary columns of the given items (any order; missing ids are skipped), with their unit's
 * names (null when the directory lacks the unit); never the text or the reporter.
 */
export async function itemSummaryRows(db: Queryable, ids: readonly number[]) {
  return db
    .select({ ...SUMMARY_COLUMNS, unitNameZh: units.nameZh, unitNameEn: units.nameEn })
    .from(items)
    .leftJoin(units, eq(units.code, items.unitCode))
    .where(inArray(items.id, [...ids]));
}

/** The item columns a summary shows (the unit's names come from the directory). */
const SUMMARY_COLUMNS = {
  id: items.id,
  kind: items.kind,
  sourceKind: items.sourceKind,
  sourceAgency: items.sourceAgency,
  domain: items.domain,
  unitCode: items.unitCode,
  status: items.status,
  priority: items.priority,
  mustInvestigate: items.mustInvestigate,
  reasons: items.reasons,
  repeatSubject: items.repeatSubject,
  adminsOnly: items.adminsOnly,
  createdAt: items.createdAt,
  updatedAt: items.updatedAt,
};

/** The item if it exists and the viewer may see it; null otherwise (the two are never told apart). */
export async function loadVisibleItem(db: Queryable, id: number, viewer: Viewer): Promise<ItemRow | null> {
  const [row] = await db
    .select()
    .from(items)
    .where(and(eq(items.id, id), visibleTo(viewer)));
  return row ?? null;
}

/** The item whatever its visibility (an admin's /reveal), or null. */
export async function loadItem(db: Queryable, id: number): Promise<ItemRow | null> {
  const [row] = await db.select().from(items).where(eq(items.id, id));
  return row ?? null;
}

/** The items merged into item `id` (their reporters hear what becomes of it). */
export async function itemsMergedInto(db: Queryable, id: number): Promise<ItemRow[]> {
  return db.select().from(items).where(eq(items.mergedInto, id)).orderBy(asc(items.id));
}

/** A queue row: numbers, codes and dates only, never text or reporter. */
export interface QueueRow {
  id: number;
  domain: Domain;
  unitCode: string;
  status: ItemStatus;
  priority: ItemRow['priority'];
  triageDueAt: Date | null;
  concludeDueAt: Date | null;
  /** The head the item is about (null: the unit's head was not recorded when it arrived). */
  headPersonKey: string | null;
}

function filterConditions(filter: QueueFilter, viewer: Viewer, now: Date): SQL | undefined {
  return and(
    visibleTo(viewer),
    inArray(items.status, [...statusesFor(filter.status)]),
    filter.domain ? eq(items.domain, filter.domain) : undefined,
    filter.unit ? eq(items.unitCode, filter.unit) : undefined,
    filter.mine ? eq(items.assigneeId, viewer.telegramId) : undefined,
    filter.overdue
      ? or(
          and(eq(items.status, 'new'), lt(items.triageDueAt, now)),
          and(
            inArray(
              items.status,
              OPEN_STATUSES.filter((status) => status !== 'new'),
            ),
            lt(items.concludeDueAt, now),
          ),
        )
      : undefined,
  );
}

// The queue's sort by priority, from the domain's order (most pressing first).
const PRIORITY_RANK = sql.raw(
  `case priority ${PRIORITY_ORDER.map((priority, rank) => `when '${priority}' then ${rank}`).join(' ')} else ${PRIORITY_ORDER.length} end`,
);

/** One page of the queue under `filter`, most pressing first, and how many items match in all. */
export async function listQueue(
  db: Queryable,
  filter: QueueFilter,
  viewer: Viewer,
  now: Date,
  page: number,
): Promise<{ rows: QueueRow[]; total: number }> {
  const where = filterConditions(filter, viewer, now);
  const [counted] = await db.select({ total: count() }).from(items).where(where);
  const rows = await db
    .select({
      id: items.id,
      domain: items.domain,
      unitCode: items.unitCode,
      status: items.status,
      priority: items.priority,
      triageDueAt: items.triageDueAt,
      concludeDueAt: items.concludeDueAt,
      headPersonKey: items.headPersonKey,
    })
    .from(items)
    .where(where)
    .orderBy(PRIORITY_RANK, sql`${items.triageDueAt} asc nulls last`, asc(items.id))
    .limit(QUEUE_PAGE_SIZE)
    .offset((Math.max(1, page) - 1) * QUEUE_PAGE_SIZE);
  return { rows, total: counted?.total ?? 0 };
}

/** Units that have items the viewer could list under `filter` (ignoring its unit), for the unit buttons. */
export async function unitsInQueue(
  db: Queryable,
  filter: QueueFilter,
  viewer: Viewer,
  now: Date,
): Promise<string[]> {
  const rows = await db
    .selectDistinct({ unitCode: items.unitCode })
    .from(items)
    .where(filterConditions({ ...filter, unit: null }, viewer, now))
    .orderBy(asc(items.unitCode));
  return rows.map((row) => row.unitCode);
}

/** What a state change writes besides the status. */
export interface ItemChange {
  status?: ItemStatus;
  assigneeId?: number;
  forwardedAgency?: string;
  mergedInto?: number;
  conclusion?: Record<string, unknown>;
  /** The head the item is about, as corrected by an officer. */
  headPersonKey?: string;
}

/**
 * Applies a change only if the item still has `version` (optimistic locking): bumps the version,
 * stamps triaged_at the first time the item leaves 'new' and concluded_at on conclusion.
 * Returns the updated row, or null when someone else changed the item first.
 */
export async function updateItemIfUnchanged(
  db: Queryable,
  id: number,
  version: number,
  change: ItemChange,
  now: Date,
): Promise<ItemRow | null> {
  const leavesNew = change.status !== undefined && change.status !== 'new';
  const [row] = await db
    .update(items)
    .set({
      ...change,
      version: sql`${items.version} + 1`,
      updatedAt: now,
      ...(leavesNew
        ? { triagedAt: sql`coalesce(${items.triagedAt}, ${now.toISOString()}::timestamptz)` }
        : {}),
      ...(change.status === 'concluded' ? { concludedAt: now } : {}),
    })
    .where(and(eq(items.id, id), eq(items.version, version)))
    .returning();
  return row ?? null;
}

/** Marks an item as changed now without a state change (a reporter added to it). */
export async function touchItem(db: Queryable, id: number, now: Date): Promise<void> {
  await db.update(items).set({ updatedAt: now }).where(eq(items.id, id));
}

/** Ids of items linked to `itemId` (either direction) that the viewer may see, ascending. */
export async function relatedItemIds(db: Queryable, itemId: number, viewer: Viewer): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    db,
    sql`select distinct i.id from item_links l
        join items i on i.id = case when l.item_id = ${itemId} then l.related_id else l.item_id end
        where (l.item_id = ${itemId} or l.related_id = ${itemId})
          and (${viewer.admin} or not i.admins_only)
        order by i.id`,
  );
  return rows.map((row) => Number(row.id));
}

/** An addition, question or answer as stored. */
export type AdditionRow = typeof itemAdditions.$inferSelect;
/** An attachment as stored. */
export type AttachmentRow = typeof itemAttachments.$inferSelect;

/** An item's additions, questions and answers, oldest first. */
export async function additionsOf(db: Queryable, itemId: number): Promise<AdditionRow[]> {
  return db
    .select()
    .from(itemAdditions)
    .where(eq(itemAdditions.itemId, itemId))
    .orderBy(asc(itemAdditions.id));
}

/** An item's attachments, oldest first. */
export async function attachmentsOf(db: Queryable, itemId: number): Promise<AttachmentRow[]> {
  return db
    .select()
    .from(itemAttachments)
    .where(eq(itemAttachments.itemId, itemId))
    .orderBy(asc(itemAttachments.id));
}

/** Stores an addition, a relayed question or an answer; returns its id. */
export async function insertAddition(
  db: Queryable,
  values: Pick<typeof itemAdditions.$inferInsert, 'itemId' | 'kind' | 'authorId' | 'text' | 'createdAt'>,
): Promise<number> {
  const [row] = await db.insert(itemAdditions).values(values).returning({ id: itemAdditions.id });
  if (!row) throw new Error('addition not stored');
  return row.id;
}

/** A relayed question the reporter may answer: its item and who asked, with the item's assignee. */
export interface OpenQuestion {
  id: number;
  itemId: number;
  authorId: number | null;
  assigneeId: number | null;
}

/** The question if it was asked about an item this person reported; null otherwise. */
export async function questionToReporter(
  db: Queryable,
  questionId: number,
  reporterId: number,
): Promise<OpenQuestion | null> {
  const ids = await reportedItemIds(db, reporterId);
  if (ids.length === 0) return null;
  const [row] = await db
    .select({
      id: itemAdditions.id,
      itemId: itemAdditions.itemId,
      authorId: itemAdditions.authorId,
      assigneeId: items.assigneeId,
    })
    .from(itemAdditions)
    .innerJoin(items, eq(items.id, itemAdditions.itemId))
    .where(
      and(
        eq(itemAdditions.id, questionId),
        eq(itemAdditions.kind, 'question'),
        inArray(items.id, ids),
        isNull(items.purgedAt),
      ),
    );
  return row ?? null;
}

/** Marks a question answered (the first answer's time stays). */
export async function markQuestionAnswered(db: Queryable, questionId: number, now: Date): Promise<void> {
  await db
    .update(itemAdditions)
    .set({ answeredAt: now })
    .where(and(eq(itemAdditions.id, questionId), isNull(itemAdditions.answeredAt)));
}

/** A reporter's own item as /my lists it: number, code parts, status and date; never the text. */
export interface OwnItemRow {
  id: number;
  domain: Domain;
  unitCode: string;
  status: ItemStatus;
  createdAt: Date;
}

/** The latest `limit` items this person reported, newest first. */
export async function ownItems(db: Queryable, reporterId: number, limit: number): Promise<OwnItemRow[]> {
  const ids = await reportedItemIds(db, reporterId);
  if (ids.length === 0) return [];
  return (
    db
      .select({
        id: items.id,
        domain: items.domain,
        unitCode: items.unitCode,
        // A merged item is handled as the item it went into: its reporter sees that item's status.
        status: sql<ItemStatus>`coalesce((select t.status from items t where t.id = ${items.mergedInto}), ${items.status})`,
        createdAt: items.createdAt,
      })
      .from(items)
      // A purged item is no longer linked to anyone (retention drops it from the ledger too).
      .where(and(inArray(items.id, ids), isNull(items.purgedAt)))
      .orderBy(desc(items.id))
      .limit(limit)
  );
}

/** True if this person reported the item; false whether or not it exists (existence is not revealed). */
export async function isOwnItem(db: Queryable, itemId: number, reporterId: number): Promise<boolean> {
  if (!(await reportedItemIds(db, reporterId)).includes(itemId)) return false;
  const [row] = await db
    .select({ id: items.id })
    .from(items)
    .where(and(eq(items.id, itemId), isNull(items.purgedAt)));
  return row !== undefined;
}

/** A Telegram file to attach: ids and size only, the bot never downloads it. */
export interface AttachmentInput {
  fileKind: AttachmentRow['fileKind'];
  fileId: string;
  fileUniqueId: string | null;
  fileSize: number | null;
}

/** Kinds of Telegram file an item can carry. */
export type AttachmentKind = AttachmentInput['fileKind'];

/** Stores file references for an item (the caller checks the limit). */
export async function insertAttachments(
  db: Queryable,
  itemId: number,
  attachments: readonly AttachmentInput[],
): Promise<void> {
  await attachmentsInsert(db, itemId, attachments);
}

/** The insert insertAttachments sends, built but not sent (null when there are none). */
export function attachmentsInsert(
  db: Queryable,
  itemId: number,
  attachments: readonly AttachmentInput[],
): Statement | null {
  if (attachments.length === 0) return null;
  return db.insert(itemAttachments).values(attachments.map((attachment) => ({ itemId, ...attachment })));
}

/** How many files an item already carries. */
export async function attachmentCount(db: Queryable, itemId: number): Promise<number> {
  const [row] = await db
    .select({ total: count() })
    .from(itemAttachments)
    .where(eq(itemAttachments.itemId, itemId));
  return row?.total ?? 0;
}

/** How many items this person reported since `since` (the flood limit). */
export async function countReportedSince(db: Queryable, reporterId: number, since: Date): Promise<number> {
  const from = since.getTime();
  return (await ledgerOf(db, reporterId)).filter((entry) => entry.at >= from).length;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** What storing a new item must know first: whether it is a resend, its neighbours, and its id. */
export interface BeforeInsert {
  /** An item created in the duplicate window under one of the content hashes (the same item resent), or null. */
  duplicateId: number | null;
  /**
   * The id the new item will take, reserved from the items' sequence; null for a resend, which reserves
   * none. Known before the insert, so the reporter is sealed to the row in the insert itself.
   */
  nextId: number | null;
  /**
   * The recent items routing needs, bounded whatever the table holds: the `maxLinks` newest of the same
   * unit and domain (the items a new one is linked to) and, of the unit's other domains, just enough to
   * tell a repeat subject. Reading every item of the unit in the window cost ~3,000 rows and wrote
   * ~1,000 links per tip with a million items stored.
   */
  recentItems: RecentItem[];
}

/**
 * Reads what storing a new item needs (BeforeInsert) in one statement: with the insert that follows, a
 * tip takes two statements on the items table instead of four (a duplicate check, the routing read, the
 * insert and an update sealing the reporter once the id was known). Issue 20. `alongside` are columns
 * built by other modules to read in the same statement (the reporter's locked ledger); their values
 * come back under the same names, as the driver gave them.
 */
export async function readBeforeInsert(
  db: Queryable,
  input: {
    hashes: readonly string[];
    duplicateSince: Date;
    unitCode: string;
    domain: Domain;
    now: Date;
    maxLinks: number;
    alongside?: Readonly<Record<string, SQL>>;
  },
): Promise<BeforeInsert & { alongside: Record<string, unknown> }> {
  const { unitCode, domain, maxLinks } = input;
  const since = new Date(input.now.getTime() - RELATED_WINDOW_DAYS * DAY_MS).toISOString();
  const until = input.now.toISOString();
  const extra = Object.entries(input.alongside ?? {});
  const [row] = await queryRows<{
    duplicate_id: number | string | null;
    next_id: number | string | null;
    recent: string | [number, Domain, number][] | null;
    [name: string]: unknown;
  }>(
    db,
    sql`with duplicate as (
          select id from ${items}
          where ${inArray(items.contentHash, [...input.hashes])}
            and created_at >= ${input.duplicateSince.toISOString()}::timestamptz
          limit 1)
        select
          (select id from duplicate) as duplicate_id,
          -- A one-time filter: the sequence moves only when the item is new.
          (select nextval(pg_get_serial_sequence('items', 'id')) where not exists (select 1 from duplicate))
            as next_id,
          (select json_agg(json_build_array(id, domain, created_ms)) from (
            (select id, domain, extract(epoch from created_at) * 1000 as created_ms from ${items}
             where unit_code = ${unitCode} and domain = ${domain}
               and created_at >= ${since}::timestamptz and created_at <= ${until}::timestamptz
             order by created_at desc, id desc limit ${maxLinks})
            union all
            (select id, domain, extract(epoch from created_at) * 1000 from ${items}
             where unit_code = ${unitCode} and domain <> ${domain}
               and created_at >= ${since}::timestamptz and created_at <= ${until}::timestamptz
             limit ${REPEAT_SUBJECT_THRESHOLD - 1})) recent) as recent
          ${sql.join(
            extra.map(([name, column]) => sql`, ${column} as ${sql.identifier(name)}`),
            sql``,
          )}`,
  );
  if (!row) throw new Error('the read before an insert returned no row');
  const recent = typeof row.recent === 'string' ? JSON.parse(row.recent) : (row.recent ?? []);
  return {
    duplicateId: row.duplicate_id === null ? null : Number(row.duplicate_id),
    nextId: row.next_id === null ? null : Number(row.next_id),
    recentItems: (recent as [number, Domain, number][]).map(([id, itemDomain, createdMs]) => ({
      id: Number(id),
      domain: itemDomain,
      unitCode,
      createdAt: new Date(Number(createdMs)),
    })),
    alongside: Object.fromEntries(extra.map(([name]) => [name, row[name]])),
  };
}

/**
 * Inserts a new item row; returns its summary row (as itemSummaryRows gives). `alongside` are writes
 * built by their owners (Statement) that go with the item: they are sent in the same statement, as
 * data-modifying WITH clauses, so storing a tip costs one write statement rather than one per table
 * (issue 20). They must not depend on one another, nor on the item's row being visible to them: all
 * parts of one statement see the same snapshot.
 */
export async function insertItem(
  db: Queryable,
  values: NewItemRow,
  alongside: ReadonlyArray<Statement | null> = [],
) {
  const clauses = alongside
    .filter((statement): statement is Statement => statement !== null)
    .map((statement, index) => db.$with(`alongside_${index}`, {}).as(statement.getSQL()));
  // The summary comes back with the insert (the unit's names by subquery), so the new item is not read again.
  const [created] = await (clauses.length > 0 ? db.with(...clauses) : db)
    .insert(items)
    .values(values)
    .returning({
      ...SUMMARY_COLUMNS,
      unitNameZh: sql<
        string | null
      >`(select ${units.nameZh} from ${units} where ${units.code} = ${items.unitCode})`,
      unitNameEn: sql<
        string | null
      >`(select ${units.nameEn} from ${units} where ${units.code} = ${items.unitCode})`,
    });
  if (!created) throw new Error('item insert returned no row');
  return created;
}

/**
 * Links an item to related ones, both ways (existing links are kept): built but not sent, for
 * createItem to send in the item's insert; null when there is nothing to link.
 */
export function relatedLinksInsert(
  db: Queryable,
  itemId: number,
  relatedIds: readonly number[],
): Statement | null {
  if (relatedIds.length === 0) return null;
  return db
    .insert(itemLinks)
    .values(
      relatedIds.flatMap((relatedId) => [
        { itemId, relatedId },
        { itemId: relatedId, relatedId: itemId },
      ]),
    )
    .onConflictDoNothing();
}

/**
 * Units for the guided dialogue's buttons: those this person reported on most (ties by code), then
 * the directory's order. Ranked by the person's own items only, so the buttons never reveal which
 * units other people report on.
 */
export async function mostReportedUnits(db: Queryable, reporterId: number, limit: number): Promise<string[]> {
  const ids = await reportedItemIds(db, reporterId);
  const rows = await db
    .select({ code: units.code })
    .from(units)
    .leftJoin(
      items,
      and(
        eq(items.unitCode, units.code),
        ids.length === 0 ? sql`false` : inArray(items.id, ids),
        isNull(items.purgedAt),
      ),
    )
    .groupBy(units.code)
    .orderBy(sql`count(${items.id}) desc`, units.code)
    .limit(limit);
  return rows.map((row) => row.code);
}
