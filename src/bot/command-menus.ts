import type { Db } from '../db/client.js';
import type { Audience } from '../domain/roles.js';
import { type Language, languageFor, type Translate, translatorFor } from '../i18n.js';
import { OutboxBuffer, writeOutbox } from '../telegram/outbox.js';
import type { CommandCatalogue } from './specs.js';

/** One entry of a Telegram command menu. */
export interface MenuCommand {
  command: string;
  description: string;
}

// Telegram's limits on setMyCommands: at most 100 commands, descriptions of 1–256 characters.
const MAX_COMMANDS = 100;
const MAX_DESCRIPTION = 256;

/** Lines of "/command — description" for the commands `audience` may use, in menu order (for /help). */
export function commandList(features: readonly CommandCatalogue[], t: Translate, audience: Audience): string {
  return features
    .flatMap((feature) => feature.commands)
    .filter((spec) => spec.menu !== false && spec.audience.includes(audience))
    .map((spec) => `/${spec.command} — ${t(spec.descriptionKey)}`)
    .join('\n');
}

/** The menu `audience` sees, in `language`: every command declared for them and not hidden from menus. */
export function menuCommands(
  features: readonly CommandCatalogue[],
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
 * Sends (through the outbox) the person's own menu (chat scope) in their language. Chinese goes in the scope's
 * language-neutral list; English people get an `en` list, which their English client picks.
 */
export function sendPersonMenu(
  out: OutboxBuffer,
  features: readonly CommandCatalogue[],
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

/** Sends (through the outbox) the removal of a person's own menus (both languages), so they fall back to the strangers' menu. */
export function sendMenuRemoval(out: OutboxBuffer, chatId: number): void {
  out.call(0, 'deleteMyCommands', { scope: { type: 'chat', chat_id: chatId } });
  out.call(0, 'deleteMyCommands', { scope: { type: 'chat', chat_id: chatId }, language_code: 'en' });
}

/** Sends (through the outbox) the default-scope menu everyone not enrolled sees: Chinese by default, English for English clients. */
export function sendDefaultMenus(out: OutboxBuffer, features: readonly CommandCatalogue[]): void {
  out.call(0, 'setMyCommands', {
    commands: menuCommands(features, 'unknown', 'zh-CN'),
    scope: { type: 'default' },
  });
  out.call(0, 'setMyCommands', {
    commands: menuCommands(features, 'unknown', 'en'),
    scope: { type: 'default' },
    language_code: 'en',
  });
  // In groups only /bindchat does anything (the section-chat guard silences the rest), so the group
  // menu offers it alone, instead of the default /start /help /cancel that would all go unanswered.
  for (const language of ['zh-CN', 'en'] as const) {
    out.call(0, 'setMyCommands', {
      commands: [{ command: 'bindchat', description: translatorFor(language)('sectionchat:cmd_bindchat') }],
      scope: { type: 'all_group_chats' },
      ...(language === 'en' ? { language_code: 'en' } : {}),
    });
  }
}

/** Writes the default-scope menus to the outbox in one transaction (called once at startup). */
export async function publishDefaultMenus(db: Db, features: readonly CommandCatalogue[]): Promise<void> {
  const out = new OutboxBuffer();
  sendDefaultMenus(out, features);
  await db.transaction(async (tx) => writeOutbox(tx, out.messages));
}
