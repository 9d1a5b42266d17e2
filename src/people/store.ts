/**
 * Every lookup of the people table that other modules need: the person behind an update, staff to
 * assign or alert, liaisons of an agency, a person's language. Names and usernames are sealed at rest
 * and are read here (and in roster.ts) only; callers get plain values.
 */

import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { blindIndexFor } from '../crypto/sealing.js';
import type { Queryable } from '../db/client.js';
import { people } from '../db/schema.js';
import { dialogueColumns, rememberDialogue } from '../dialogues.js';
import { isRole, type Role, SECTION_ROLES } from '../domain/roles.js';
import { type Language, languageFor } from '../i18n.js';
import { getSetting } from '../settings.js';

/** An enrolled, not revoked person, as loaded once per update. */
export interface Person {
  telegramId: number;
  role: Role;
  community: string | null;
  agency: string | null;
  language: string | null;
  /**
   * The Telegram name, username and language as stored, read with the rest so the profile refresh
   * that follows every update need not read the row again; absent for an ADMIN_IDS admin with no row.
   */
  stored?: StoredProfile;
}

/** A person's Telegram profile as the people row holds it (name and username opened). */
export interface StoredProfile {
  displayName: string | null;
  username: string | null;
  language: string | null;
}

/**
 * The active enrolment of a Telegram user; ids in `adminIds` (ADMIN_IDS) are admins even before enrolling.
 * An enrolled person's dialogue is read in the same statement and kept for the transaction
 * (rememberDialogue): nearly every update of theirs reads it next.
 */
export async function activePerson(
  db: Queryable,
  telegramId: number,
  adminIds: readonly number[],
): Promise<Person | null> {
  const [row] = await db
    .select({
      telegramId: people.telegramId,
      role: people.role,
      community: people.community,
      agency: people.agency,
      language: people.language,
      displayName: people.displayName,
      username: people.username,
      ...dialogueColumns(telegramId),
    })
    .from(people)
    .where(and(eq(people.telegramId, telegramId), isNull(people.revokedAt)));
  if (row && isRole(row.role)) {
    const { displayName, username, dialogueKind, dialogueStep, dialogueData, ...person } = row;
    rememberDialogue(db, telegramId, { dialogueKind, dialogueStep, dialogueData });
    return { ...person, role: row.role, stored: { displayName, username, language: row.language } };
  }
  if (adminIds.includes(telegramId)) {
    const language = await configAdminLanguage(db, telegramId);
    return { telegramId, role: 'admin', community: null, agency: null, language };
  }
  return null;
}

/** A member of the cadre section someone can be assigned to. */
export interface StaffMember {
  telegramId: number;
  role: Role;
  displayName: string | null;
  username: string | null;
  language: string | null;
}

/** A person's record (also a revoked one, for history), as staff and relay paths need it. */
export interface PersonRecord extends StaffMember {
  community: string | null;
  agency: string | null;
  revokedAt: Date | null;
}

/** The columns of a staff member. */
const STAFF_COLUMNS = {
  telegramId: people.telegramId,
  role: people.role,
  displayName: people.displayName,
  username: people.username,
  language: people.language,
};

/** Officers and admins who are not revoked; admins only when `adminsOnly` (items about the department itself). */
export async function sectionStaff(db: Queryable, adminsOnly: boolean): Promise<StaffMember[]> {
  const staff = await db
    .select(STAFF_COLUMNS)
    .from(people)
    .where(
      and(
        isNull(people.revokedAt),
        adminsOnly ? eq(people.role, 'admin') : inArray(people.role, [...SECTION_ROLES]),
      ),
    );
  return byTelegramId(staff);
}

/**
 * People in the order of their Telegram ids (stable buttons and lists). The table's key is a person
 * number, whose order is the permutation's, not the ids', so the few rows are ordered here.
 */
function byTelegramId<T extends { telegramId: number }>(rows: T[]): T[] {
  return rows.sort((a, b) => a.telegramId - b.telegramId);
}

/** How many enrolled, not revoked admins there are (the start warns when there is none and no ADMIN_IDS). */
export async function activeAdminCount(db: Queryable): Promise<number> {
  const rows = await db
    .select({ telegramId: people.telegramId })
    .from(people)
    .where(and(isNull(people.revokedAt), eq(people.role, 'admin')));
  return rows.length;
}

/** One enrolled person's record (also revoked ones, for history), or null. */
export async function personById(db: Queryable, telegramId: number): Promise<PersonRecord | null> {
  const [row] = await db
    .select({
      ...STAFF_COLUMNS,
      community: people.community,
      agency: people.agency,
      revokedAt: people.revokedAt,
    })
    .from(people)
    .where(eq(people.telegramId, telegramId));
  return row ?? null;
}

/** True for a person the bot may still write to in the given roles: enrolled and not revoked. */
export function isActiveIn(person: PersonRecord | null, roles: readonly Role[]): person is PersonRecord {
  return person !== null && person.revokedAt === null && roles.includes(person.role);
}

/** How staff are named to other staff: display name, else @username, else their id (never shown to reporters). */
export function staffName(member: Pick<StaffMember, 'telegramId' | 'displayName' | 'username'>): string {
  return member.displayName ?? (member.username ? `@${member.username}` : `#${member.telegramId}`);
}

/** Display names (else @username, else null) of the given people, by id; for the digests' load list. */
export async function displayNames(
  db: Queryable,
  telegramIds: readonly number[],
): Promise<Map<number, string | null>> {
  if (telegramIds.length === 0) return new Map();
  const rows = await db
    .select({ telegramId: people.telegramId, displayName: people.displayName, username: people.username })
    .from(people)
    .where(inArray(people.telegramId, [...telegramIds]));
  return new Map(
    rows.map((row) => [row.telegramId, row.displayName ?? (row.username ? `@${row.username}` : null)]),
  );
}

/** The active liaisons of one agency, for forwarding. */
export async function agencyLiaisons(
  db: Queryable,
  agency: string,
): Promise<Array<{ telegramId: number; language: string | null }>> {
  // The agency is sealed (a fresh nonce per value): liaisons are few, so they are read and matched here.
  const rows = await db
    .select({ telegramId: people.telegramId, agency: people.agency, language: people.language })
    .from(people)
    .where(and(eq(people.role, 'liaison'), isNull(people.revokedAt)));
  return byTelegramId(rows)
    .filter((row) => row.agency === agency)
    .map((row) => ({ telegramId: row.telegramId, language: row.language }));
}

/** Active liaisons of the given agencies, with the language to write to them in, by Telegram id. */
export async function liaisonsOf(
  db: Queryable,
  agencies: readonly string[],
): Promise<Array<{ telegramId: number; agency: string; language: string | null }>> {
  if (agencies.length === 0) return [];
  const wanted = new Set(agencies);
  const rows = await db
    .select({ telegramId: people.telegramId, agency: people.agency, language: people.language })
    .from(people)
    .where(and(eq(people.role, 'liaison'), isNull(people.revokedAt)));
  return byTelegramId(rows)
    .filter((row) => row.agency !== null && wanted.has(row.agency))
    .map((row) => ({
      telegramId: row.telegramId,
      agency: row.agency ?? '',
      language: row.language,
    }));
}

/** The settings key under which an ADMIN_IDS admin who never enrolled has their language remembered. */
/**
 * The settings key of an ADMIN_IDS admin's language: a keyed index of the admin, not their id (a dump
 * would otherwise list the admins; issue 14). Under a new key it is simply seen again.
 */
export const configAdminLanguageKey = (telegramId: number): string =>
  `admin_language:${blindIndexFor('person', String(telegramId))}`;

/** The Telegram language last seen from an ADMIN_IDS admin who has no enrolment (null: never seen). */
export async function configAdminLanguage(db: Queryable, telegramId: number): Promise<string | null> {
  return getSetting<string>(db, configAdminLanguageKey(telegramId));
}

/**
 * The language stored for a person (active or not), for messages addressed to them; for an
 * ADMIN_IDS admin who never enrolled, the one their updates last carried.
 */
export async function languageOf(db: Queryable, telegramId: number): Promise<string | null> {
  const [row] = await db
    .select({ language: people.language })
    .from(people)
    .where(eq(people.telegramId, telegramId));
  return row ? row.language : configAdminLanguage(db, telegramId);
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
  const roles: Role[] = withOfficers ? ['admin', 'officer'] : ['admin'];
  const enrolled = await db
    .select({ telegramId: people.telegramId, role: people.role, language: people.language })
    .from(people)
    .where(and(isNull(people.revokedAt), inArray(people.role, roles)));
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
    if (!recipients.has(id) && !enrolledIds.has(id))
      recipients.set(id, { chatId: id, language: languageFor(await configAdminLanguage(db, id)) });
  }
  return [...recipients.values()].sort((a, b) => a.chatId - b.chatId);
}

/** Reporters of one community (monitors) or agency (liaisons) who went quiet, and how many. */
export interface SilentReporterCount {
  role: 'monitor' | 'liaison';
  /** The community (monitors) or agency code (liaisons). */
  place: string | null;
  count: number;
}

/**
 * Active monitors and liaisons whose last report (or, if they never reported, their enrolment) is
 * before `cutoff`, counted by community or agency: monitors first, then liaisons, each by place.
 * Counts only, never who (the digests show them).
 */
export async function silentReporterCounts(db: Queryable, cutoff: Date): Promise<SilentReporterCount[]> {
  // Community and agency are sealed: the few quiet reporters are read, then counted here by place.
  const rows = await db
    .select({ role: people.role, community: people.community, agency: people.agency })
    .from(people)
    .where(
      sql`${people.role} in ('monitor', 'liaison') and ${people.revokedAt} is null
          and coalesce(${people.lastReportedAt}, ${people.enrolledAt}) < ${cutoff.toISOString()}::timestamptz`,
    );
  const counts = new Map<string, SilentReporterCount>();
  for (const row of rows) {
    const role = row.role as 'monitor' | 'liaison';
    const place = role === 'monitor' ? row.community : row.agency;
    const key = `${role}|${place ?? ''}`;
    const entry = counts.get(key) ?? { role, place, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  // Monitors first, then liaisons; each by place (code point order), places unknown last.
  return [...counts.values()].sort(
    (a, b) =>
      (a.role === b.role ? 0 : a.role === 'monitor' ? -1 : 1) ||
      (a.place === b.place ? 0 : a.place === null ? 1 : b.place === null ? -1 : a.place < b.place ? -1 : 1),
  );
}

/** Telegram ids of people whose access ended before `cutoff`: their rows are kept for history until then. */
export async function peopleRevokedBefore(db: Queryable, cutoff: Date): Promise<number[]> {
  const rows = await db
    .select({ telegramId: people.telegramId })
    .from(people)
    .where(sql`${people.revokedAt} < ${cutoff.toISOString()}::timestamptz`);
  return rows.map((row) => row.telegramId);
}

/** Deletes the rows of these people (their access ended long ago: see peopleRevokedBefore). */
export async function deletePeople(db: Queryable, telegramIds: readonly number[]): Promise<number> {
  if (telegramIds.length === 0) return 0;
  const removed = await db
    .delete(people)
    .where(inArray(people.telegramId, [...telegramIds]))
    .returning({ telegramId: people.telegramId });
  return removed.length;
}
