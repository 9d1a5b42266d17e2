import { and, asc, count, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../../db/client.js';
import { auditLog, items, people, pointsDeductions, reminders } from '../../../db/schema.js';
import type { ItemStatus } from '../../../domain/item-state.js';
import type { Deduction } from '../../../domain/points-card.js';
import { type QueueFilter, QUEUE_PAGE_SIZE, statusesFor } from '../../../domain/triage.js';

/** An item row as stored. */
export type ItemRow = typeof items.$inferSelect;

/** Who is looking at the queue: admins also see admins-only items (about the Organization Department). */
export interface Viewer {
  telegramId: number;
  admin: boolean;
}

/** The condition that hides admins-only items from everyone but admins. */
function visibleTo(viewer: Viewer): SQL | undefined {
  return viewer.admin ? undefined : eq(items.adminsOnly, false);
}

/** The item if it exists and the viewer may see it; null otherwise (the two are never told apart). */
export async function loadVisibleItem(db: Queryable, id: number, viewer: Viewer): Promise<ItemRow | null> {
  const [row] = await db
    .select()
    .from(items)
    .where(and(eq(items.id, id), visibleTo(viewer)));
  return row ?? null;
}

/** A queue row: numbers, codes and dates only, never text or reporter. */
export interface QueueRow {
  id: number;
  domain: string;
  unitCode: string;
  status: string;
  priority: string;
  triageDueAt: Date | null;
  concludeDueAt: Date | null;
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
          and(inArray(items.status, ['accepted', 'verifying']), lt(items.concludeDueAt, now)),
        )
      : undefined,
  );
}

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
    })
    .from(items)
    .where(where)
    .orderBy(
      sql`case ${items.priority} when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`,
      sql`${items.triageDueAt} asc nulls last`,
      asc(items.id),
    )
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

/** A member of the cadre section someone can be assigned to. */
export interface StaffMember {
  telegramId: number;
  role: string;
  displayName: string | null;
  username: string | null;
  language: string | null;
}

/** Officers and admins who are not revoked; admins only when `adminsOnly` (items about the department itself). */
export async function sectionStaff(db: Queryable, adminsOnly: boolean): Promise<StaffMember[]> {
  return db
    .select({
      telegramId: people.telegramId,
      role: people.role,
      displayName: people.displayName,
      username: people.username,
      language: people.language,
    })
    .from(people)
    .where(
      and(
        isNull(people.revokedAt),
        adminsOnly ? eq(people.role, 'admin') : inArray(people.role, ['officer', 'admin']),
      ),
    )
    .orderBy(asc(people.telegramId));
}

/** One enrolled person's staff record (also revoked ones, for history), or null. */
export async function personById(
  db: Queryable,
  telegramId: number,
): Promise<
  (StaffMember & { community: string | null; agency: string | null; revokedAt: Date | null }) | null
> {
  const [row] = await db
    .select({
      telegramId: people.telegramId,
      role: people.role,
      displayName: people.displayName,
      username: people.username,
      language: people.language,
      community: people.community,
      agency: people.agency,
      revokedAt: people.revokedAt,
    })
    .from(people)
    .where(eq(people.telegramId, telegramId));
  return row ?? null;
}

/** How staff are named to other staff: display name, else @username, else their id (never shown to reporters). */
export function staffName(member: Pick<StaffMember, 'telegramId' | 'displayName' | 'username'>): string {
  return member.displayName ?? (member.username ? `@${member.username}` : `#${member.telegramId}`);
}

/** The active liaisons of one agency, for forwarding. */
export async function agencyLiaisons(
  db: Queryable,
  agency: string,
): Promise<Array<{ telegramId: number; language: string | null }>> {
  return db
    .select({ telegramId: people.telegramId, language: people.language })
    .from(people)
    .where(and(eq(people.role, 'liaison'), eq(people.agency, agency), isNull(people.revokedAt)));
}

/** Every points deduction of a unit's head (all years), for the integrity card. */
export async function unitDeductions(db: Queryable, unitCode: string): Promise<Deduction[]> {
  const rows = await db
    .select({ year: pointsDeductions.year, points: pointsDeductions.points })
    .from(pointsDeductions)
    .where(eq(pointsDeductions.unitCode, unitCode));
  return rows.map((row) => ({ year: row.year, points: Number(row.points) }));
}

/** The must-talk reminders raised by an item. */
export async function mustTalkReminders(
  db: Queryable,
  itemId: number,
): Promise<Array<{ doneAt: Date | null }>> {
  return db
    .select({ doneAt: reminders.doneAt })
    .from(reminders)
    .where(and(eq(reminders.itemId, itemId), eq(reminders.kind, 'must_talk')));
}

/** An item's audit entries, oldest first. */
export async function itemAudit(db: Queryable, itemId: number): Promise<Array<typeof auditLog.$inferSelect>> {
  return db.select().from(auditLog).where(eq(auditLog.itemId, itemId)).orderBy(asc(auditLog.id));
}

/** The latest audit entry of an item and how many there are, for the card's history line. */
export async function auditSummary(
  db: Queryable,
  itemId: number,
): Promise<{ total: number; latest: { action: string; at: Date } | null }> {
  const [counted] = await db.select({ total: count() }).from(auditLog).where(eq(auditLog.itemId, itemId));
  const [latest] = await db
    .select({ action: auditLog.action, at: auditLog.at })
    .from(auditLog)
    .where(eq(auditLog.itemId, itemId))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return { total: counted?.total ?? 0, latest: latest ?? null };
}
