import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { features } from '../src/bot/features/index.js';
import { LANGUAGES, loadLocaleResources, translatorFor } from '../src/i18n.js';
import { resourcePath } from '../src/paths.js';
import { keysOf, lookup } from './support/locale-keys.js';

/** `{{name}}` placeholders of a text, sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((match) => match[1] as string).sort();
}

const folder = resourcePath('locales');
const resources = loadLocaleResources();

describe('translations', () => {
  it('has the same namespace files in every language', () => {
    const files = LANGUAGES.map((language) =>
      readdirSync(join(folder, language))
        .filter((name) => name.endsWith('.json'))
        .sort(),
    );
    for (const list of files) expect(list).toEqual(files[0]);
    expect(files[0]).toContain('common.json');
  });

  const namespaces = Object.keys(resources['zh-CN'] ?? {});
  for (const namespace of namespaces) {
    it(`${namespace}: every key exists in both languages, with the same placeholders, and is not empty`, () => {
      const [zh, en] = LANGUAGES.map((language) => resources[language]?.[namespace] ?? {});
      const zhKeys = keysOf(zh).sort();
      const enKeys = keysOf(en).sort();
      expect(
        enKeys.filter((key) => !zhKeys.includes(key)),
        'keys missing in zh-CN',
      ).toEqual([]);
      expect(
        zhKeys.filter((key) => !enKeys.includes(key)),
        'keys missing in en',
      ).toEqual([]);
      for (const key of zhKeys) {
        const zhText = lookup(zh, key);
        const enText = lookup(en, key);
        expect(zhText.trim(), `zh-CN:${namespace}:${key} is empty`).not.toBe('');
        expect(enText.trim(), `en:${namespace}:${key} is empty`).not.toBe('');
        expect(placeholders(enText), `placeholders of ${namespace}:${key}`).toEqual(placeholders(zhText));
      }
    });
  }

  it('parses every locale file as JSON (a broken file would silently drop a namespace)', () => {
    for (const language of LANGUAGES) {
      for (const file of readdirSync(join(folder, language)).filter((name) => name.endsWith('.json'))) {
        expect(
          () => JSON.parse(readFileSync(join(folder, language, file), 'utf8')),
          `${language}/${file}`,
        ).not.toThrow();
      }
    }
  });

  it('translates every command description a feature declares, in both languages', () => {
    for (const language of LANGUAGES) {
      const t = translatorFor(language);
      for (const spec of features.flatMap((feature) => feature.commands)) {
        const [namespace, key] = spec.descriptionKey.includes(':')
          ? spec.descriptionKey.split(':')
          : ['common', spec.descriptionKey];
        expect(
          keysOf(resources[language]?.[namespace as string]),
          `${language}:${spec.descriptionKey}`,
        ).toContain(key);
        expect(t(spec.descriptionKey)).not.toBe(spec.descriptionKey);
      }
    }
  });
});
