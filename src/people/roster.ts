import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Queryable, Statement } from '../db/client.js';
import { people } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import { putSetting } from '../settings.js';
import type { InviteTerms } from './invites.js';
import { configAdminLanguage, configAdminLanguageKey, type StoredProfile } from './store.js';

/** What Telegram tells about a person, kept so admins can recognise them and texts follow their language. */
export interface TelegramProfile {
  displayName: string | null;
  username: string | null;
  language: string | null;
}

/** An enrolled person as /people lists them. */
export interface RosterEntry {
  telegramId: number;
  role: Role;
  community: string | null;
  agency: string | null;
  displayName: string | null;
  username: string | null;
  language: string | null;
  enrolledAt: Date;
  lastReportedAt: Date | null;
}

/** The person's previous role if they were active, so a change of role can be audited. */
export interface EnrolOutcome {
  previousRole: Role | null;
}

/** Enrols (or re-enrols, with a new role) a person; a revoked person regains access. */
export async function enrolPerson(
  db: Queryable,
  telegramId: number,
  terms: InviteTerms,
  profile: TelegramProfile,
  now: Date,
): Promise<EnrolOutcome> {
  const [before] = await db
    .select({ role: people.role })
    .from(people)
    .where(and(eq(people.telegramId, telegramId), isNull(people.revokedAt)));
  const values = {
    role: terms.role,
    community: terms.community,
    agency: terms.agency,
    displayName: profile.displayName,
    username: profile.username,
    language: profile.language,
    enrolledAt: now,
    revokedAt: null,
  };
  await db
    .insert(people)
    .values({ telegramId, ...values })
    .onConflictDoUpdate({ target: people.telegramId, set: values });
  return { previousRole: before?.role ?? null };
}

/** Ends a person's access at once; returns their role, or null if they were not active. */
export async function revokePerson(db: Queryable, telegramId: number, now: Date): Promise<Role | null> {
  const [row] = await db
    .update(people)
    .set({ revokedAt: now })
    .where(and(eq(people.telegramId, telegramId), isNull(people.revokedAt)))
    .returning({ role: people.role });
  return row?.role ?? null;
}

/** Every active person, ordered by role then enrolment. */
export async function listActivePeople(db: Queryable): Promise<RosterEntry[]> {
  const rows = await db
    .select({
      telegramId: people.telegramId,
      role: people.role,
      community: people.community,
      agency: people.agency,
      displayName: people.displayName,
      username: people.username,
      language: people.language,
      enrolledAt: people.enrolledAt,
      lastReportedAt: people.lastReportedAt,
    })
    .from(people)
    .where(isNull(people.revokedAt))
    .orderBy(asc(people.role), asc(people.enrolledAt));
  // Ties (people enrolled in one instant) by Telegram id: the key column holds person numbers, whose
  // order says nothing about the ids (src/crypto/person-numbers.ts).
  return rows.sort(
    (a, b) =>
      (a.role < b.role ? -1 : a.role > b.role ? 1 : 0) ||
      a.enrolledAt.getTime() - b.enrolledAt.getTime() ||
      a.telegramId - b.telegramId,
  );
}

/** How many people have been revoked (shown as a count, not listed). */
export async function countRevoked(db: Queryable): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`count(*)::int` })
    .from(people)
    .where(isNotNull(people.revokedAt));
  return Number(row?.total ?? 0);
}

/**
 * Remembers the Telegram language of an ADMIN_IDS admin who has no enrolment (they have no row to
 * keep it in), so notices and alerts addressed to them follow it. True when it changed.
 */
export async function rememberConfigAdminLanguage(
  db: Queryable,
  telegramId: number,
  language: string,
): Promise<boolean> {
  if ((await configAdminLanguage(db, telegramId)) === language) return false;
  await putSetting(db, configAdminLanguageKey(telegramId), language);
  return true;
}

/**
 * Keeps an active person's Telegram name, username and language current; returns true if any changed.
 * `stored` is the row as already read for this update (activePerson); without it the row is read here.
 */
export async function refreshProfile(
  db: Queryable,
  telegramId: number,
  profile: TelegramProfile,
  stored?: StoredProfile,
): Promise<boolean> {
  // Names are sealed with a fresh nonce each time, so SQL cannot compare them: read, compare here.
  const current = stored ?? (await storedProfile(db, telegramId));
  if (!current) return false;
  if (
    current.language === profile.language &&
    current.displayName === profile.displayName &&
    current.username === profile.username
  ) {
    return false;
  }
  const changed = await db
    .update(people)
    .set(profile)
    .where(and(eq(people.telegramId, telegramId), isNull(people.revokedAt)))
    .returning({ telegramId: people.telegramId });
  return changed.length > 0;
}

async function storedProfile(db: Queryable, telegramId: number): Promise<StoredProfile | undefined> {
  const [row] = await db
    .select({ language: people.language, displayName: people.displayName, username: people.username })
    .from(people)
    .where(and(eq(people.telegramId, telegramId), isNull(people.revokedAt)));
  return row;
}

/**
 * Records the day a reporter last reported (the day only, so it cannot be matched to an item's time):
 * built but not sent, for createItem to send in the item's insert; await it to run it alone.
 */
export function reportedDayUpdate(db: Queryable, telegramId: number, day: Date): Statement {
  return db.update(people).set({ lastReportedAt: day }).where(eq(people.telegramId, telegramId));
}
