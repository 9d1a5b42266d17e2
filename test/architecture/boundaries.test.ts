import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every import of a file: its specifier and whether it is `import type` (erased at compile time). */
function importsOf(path: string): Array<{ specifier: string; typeOnly: boolean }> {
  const text = readFileSync(path, 'utf8');
  const found: Array<{ specifier: string; typeOnly: boolean }> = [];
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)) {
    found.push({ specifier: match[3] as string, typeOnly: match[2] !== undefined });
  }
  for (const match of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) {
    found.push({ specifier: match[1] as string, typeOnly: false });
  }
  return found;
}

const relativeToSrc = (path: string) => relative(SRC, path).split('\\').join('/');

describe('architecture: arrows point down', () => {
  it('no file under src/bot imports drizzle-orm or the schema as a value (no queries in handlers)', () => {
    const offenders = sourceFiles(join(SRC, 'bot')).flatMap((file) =>
      importsOf(file)
        .filter(
          (entry) =>
            !entry.typeOnly && /^drizzle-orm|\/db\/schema(\.js)?$|\/db\/client(\.js)?$/.test(entry.specifier),
        )
        .map((entry) => `${relativeToSrc(file)} imports ${entry.specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no file outside src/bot imports src/bot, except src/app.ts, which assembles the bot', () => {
    const outside = sourceFiles(SRC).filter((file) => {
      const path = relativeToSrc(file);
      return path !== 'app.ts' && !path.startsWith('bot/');
    });
    // The walk must reach every floor, or the rule would pass by looking at nothing.
    const folders = new Set(outside.map((file) => relativeToSrc(file).split('/')[0]));
    for (const folder of [
      'items',
      'people',
      'digests',
      'exports',
      'units',
      'telegram',
      'cli',
      'domain',
      'db',
    ]) {
      expect(folders.has(folder), folder).toBe(true);
    }
    const offenders = outside.flatMap((file) =>
      importsOf(file)
        .filter((entry) => /(^|\/)bot\//.test(entry.specifier))
        .map((entry) => `${relativeToSrc(file)} imports ${entry.specifier}`),
    );
    expect(offenders).toEqual([]);
    // src/app.ts is the one exception, and does import the bot (so the pattern matches real imports).
    expect(importsOf(join(SRC, 'app.ts')).some((entry) => /(^|\/)bot\//.test(entry.specifier))).toBe(true);
  });

  it('the pure domain imports neither the database, telegraf nor any module above it', () => {
    // Pure libraries only: calendar arithmetic (luxon), cron expressions, and CSV parsing (the holiday
    // calendar an admin imports is parsed by the pure domain, which reports problems by line).
    const offenders = sourceFiles(join(SRC, 'domain')).flatMap((file) =>
      importsOf(file)
        .filter((entry) => !/^(\.\/|luxon$|cron-parser$|csv-parse\/sync$)/.test(entry.specifier))
        .map((entry) => `${relativeToSrc(file)} imports ${entry.specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('finds a value import of drizzle-orm when one is there (the check itself works)', () => {
    const sample = join(SRC, 'items', 'store.ts');
    expect(importsOf(sample).some((entry) => entry.specifier === 'drizzle-orm' && !entry.typeOnly)).toBe(
      true,
    );
    expect(
      importsOf(join(SRC, 'bot', 'context.ts')).every(
        (entry) => entry.typeOnly || !entry.specifier.includes('db/'),
      ),
    ).toBe(true);
  });
});
