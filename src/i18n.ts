import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n, type Resource, type TFunction } from 'i18next';
import { resourcePath } from './paths.js';

/** The languages the bot speaks. */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** English for a Telegram language_code starting with "en", Simplified Chinese otherwise. */
export function languageFor(languageCode: string | null | undefined): Language {
  return languageCode?.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/** Escapes the characters Telegram's HTML parse mode treats specially. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Reads every locales/<language>/<namespace>.json into i18next resources. */
export function loadLocaleResources(
  folder = resourcePath('locales'),
): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const language of LANGUAGES) {
    const namespaces: Record<string, unknown> = {};
    for (const file of readdirSync(join(folder, language)).filter((name) => name.endsWith('.json'))) {
      namespaces[file.slice(0, -'.json'.length)] = JSON.parse(
        readFileSync(join(folder, language, file), 'utf8'),
      );
    }
    resources[language] = namespaces;
  }
  return resources;
}

let instance: i18n | undefined;

/** The initialised i18next instance (loaded once, synchronously, from the locale files). */
export function translations(): i18n {
  if (instance) return instance;
  const created = i18next.createInstance();
  const resources = loadLocaleResources();
  void created.init({
    initAsync: false,
    resources: resources as Resource,
    lng: 'zh-CN',
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(resources['zh-CN'] ?? {}),
    defaultNS: 'common',
    returnNull: false,
    interpolation: { escapeValue: true, escape: escapeHtml },
  });
  instance = created;
  return created;
}

/** A translate function fixed to one language; interpolated values are HTML-escaped. */
export function translatorFor(language: Language): TFunction {
  return translations().getFixedT(language);
}

export type Translate = TFunction;
