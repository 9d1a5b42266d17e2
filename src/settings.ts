import { eq, sql } from 'drizzle-orm';
import type { Queryable } from './db/client.js';
import { markDirectoryWritten, readThroughCache } from './db/read-cache.js';
import { settings } from './db/schema.js';

/** The cadre section's group chat, as bound by an admin's /bindchat. */
export interface SectionChat {
  chatId: number;
  title: string;
  /** No longer written (null): who bound the chat is in the audit log. Kept so older values still read. */
  boundBy: number | null;
  boundAt: string;
}

const SECTION_CHAT = 'section_chat';

/**
 * Reads a setting's JSON value, or null. The value is read as text and parsed here once: the drivers
 * hand jsonb over differently (one already parsed), and drizzle parsing a string value a second time
 * turned a key id such as "402e3206" into the number Infinity.
 */
export async function getSetting<T>(db: Queryable, key: string): Promise<T | null> {
  // The text is what is cached, parsed on every read, so no caller shares an object with another.
  const json = await readThroughCache(db, `setting:${key}`, async () => {
    const [row] = await db
      .select({ json: sql<string>`${settings.value}::text` })
      .from(settings)
      .where(eq(settings.key, key));
    return row?.json ?? null;
  });
  return json === null ? null : (JSON.parse(json) as T | null);
}

/** Writes a setting's JSON value. */
export async function putSetting(db: Queryable, key: string, value: unknown): Promise<void> {
  markDirectoryWritten(db);
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: sql`now()` } });
}

/**
 * Writes a setting's JSON value unless the key already has one (the first writer wins, also when two
 * processes race); returns true if this call wrote it.
 */
export async function putSettingIfAbsent(db: Queryable, key: string, value: unknown): Promise<boolean> {
  markDirectoryWritten(db);
  const written = await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoNothing()
    .returning({ key: settings.key });
  return written.length > 0;
}

/** Removes a setting; returns true if there was one. */
export async function deleteSetting(db: Queryable, key: string): Promise<boolean> {
  markDirectoryWritten(db);
  const deleted = await db.delete(settings).where(eq(settings.key, key)).returning({ key: settings.key });
  return deleted.length > 0;
}

/** The bound section chat, or null when none is bound yet (alerts and digests then wait). */
export function getSectionChat(db: Queryable): Promise<SectionChat | null> {
  return getSetting<SectionChat>(db, SECTION_CHAT);
}

/** Binds (or moves) the section chat. */
export function setSectionChat(db: Queryable, chat: SectionChat): Promise<void> {
  return putSetting(db, SECTION_CHAT, chat);
}
