import { eq, sql } from 'drizzle-orm';
import type { Queryable } from './db/client.js';
import { settings } from './db/schema.js';

/** The cadre section's group chat, as bound by an admin's /bindchat. */
export interface SectionChat {
  chatId: number;
  title: string;
  boundBy: number | null;
  boundAt: string;
}

const SECTION_CHAT = 'section_chat';

/** Reads a setting's JSON value, or null. */
export async function getSetting<T>(db: Queryable, key: string): Promise<T | null> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return (row?.value as T | undefined) ?? null;
}

/** Writes a setting's JSON value. */
export async function putSetting(db: Queryable, key: string, value: unknown): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: sql`now()` } });
}

/** The bound section chat, or null when none is bound yet (alerts and digests then wait). */
export function getSectionChat(db: Queryable): Promise<SectionChat | null> {
  return getSetting<SectionChat>(db, SECTION_CHAT);
}

/** Binds (or moves) the section chat. */
export function setSectionChat(db: Queryable, chat: SectionChat): Promise<void> {
  return putSetting(db, SECTION_CHAT, chat);
}
