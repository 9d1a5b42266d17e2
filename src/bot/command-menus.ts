import type { Db } from '../db/client.js';
import { OutboxBuffer, writeOutbox } from '../telegram/outbox.js';
import type { Feature } from './feature.js';
import { type Language, languageFor, translatorFor } from './i18n.js';
import type { Audience } from './roles.js';

/** One entry of a Telegram command menu. */
export interface MenuCommand {
  command: string;
  description: string;
}

// Telegram's limits on setMyCommands: at most 100 commands, descriptions of 1–256 characters.
const MAX_COMMANDS = 100;
const MAX_DESCRIPTION = 256;

/** The menu `audience` sees, in `language`: every command declared for them and not hidden from menus. */
export function menuCommands(
  features: readonly Feature[],
  audience: Audience,
  language: Language,
): MenuCommand[] {
  const t = translatorFor(language);
  const seen = new Set<string>();
  const commands: MenuCommand[] = [];
  for (const spec of features.flatMap((feature) => feature.commands)) {
    if (spec.menu === false || !spec.audience.includes(audience) || seen.has(spec.command)) continue;
    seen.add(spec.command);
    commands.push({ command: spec.command, description: t(spec.descriptionKey).slice(0, MAX_DESCRIPTION) });
  }
  return commands.slice(0, MAX_COMMANDS);
}

/**
 * Queues the person's own menu (chat scope) in their language. Chinese goes in the scope's
 * language-neutral list; English people get an `en` list, which their English client picks.
 */
export function queuePersonMenu(
  out: OutboxBuffer,
  features: readonly Feature[],
  chatId: number,
  audience: Audience,
  telegramLanguage: string | null | undefined,
): void {
  const language = languageFor(telegramLanguage);
  // chatId 0: menu calls are not messages to the person, so no per-chat rate limit applies.
  out.call(0, 'setMyCommands', {
    commands: menuCommands(features, audience, language),
    scope: { type: 'chat', chat_id: chatId },
    ...(language === 'en' ? { language_code: 'en' } : {}),
  });
}

/** Queues removal of a person's own menus (both languages), so they fall back to the strangers' menu. */
export function queueMenuRemoval(out: OutboxBuffer, chatId: number): void {
  out.call(0, 'deleteMyCommands', { scope: { type: 'chat', chat_id: chatId } });
  out.call(0, 'deleteMyCommands', { scope: { type: 'chat', chat_id: chatId }, language_code: 'en' });
}

/** Queues the default-scope menu everyone not enrolled sees: Chinese by default, English for English clients. */
export function queueDefaultMenus(out: OutboxBuffer, features: readonly Feature[]): void {
  out.call(0, 'setMyCommands', {
    commands: menuCommands(features, 'unknown', 'zh-CN'),
    scope: { type: 'default' },
  });
  out.call(0, 'setMyCommands', {
    commands: menuCommands(features, 'unknown', 'en'),
    scope: { type: 'default' },
    language_code: 'en',
  });
}

/** Writes the default-scope menus to the outbox in one transaction (called once at startup). */
export async function publishDefaultMenus(db: Db, features: readonly Feature[]): Promise<void> {
  const out = new OutboxBuffer();
  queueDefaultMenus(out, features);
  await db.transaction(async (tx) => writeOutbox(tx, out.messages));
}
