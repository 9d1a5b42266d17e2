/**
 * The build (scripts/build.mjs, run by the global setup): the two entry points that `npm start` and
 * `npm run cli` run are each one bundled file, so a start does not resolve, read and compile the app's
 * 145 modules and its packages' ~490 files one by one. What they run is proven by the end-to-end tests,
 * which start these very files.
 */
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/paths.js';

/** Every module specifier a built file imports, statically or with import(). */
function importedSpecifiers(file: string): string[] {
  const text = readFileSync(join(packageRoot(), file), 'utf8');
  const found = [
    ...text.matchAll(/^\s*import\s[^'"]*?from\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return [...new Set(found.map((match) => match[1] ?? ''))];
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

describe.each(['dist/src/main.js', 'dist/src/cli.js'])('the built entry point %s', (file) => {
  it('imports none of the app’s own modules: they are bundled into it', () => {
    const relative = importedSpecifiers(file).filter((specifier) => specifier.startsWith('.'));
    expect(relative).toEqual([]);
  });

  it('leaves outside only production dependencies, PGlite among them, and bundles the rest', () => {
    const outside = importedSpecifiers(file)
      .filter((specifier) => !specifier.startsWith('.') && !isBuiltin(specifier))
      .map(packageName);
    // A production install (npm ci --omit=dev) has nothing else to load them from.
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(outside.filter((name) => !(name in manifest.dependencies))).toEqual([]);
    // The embedded database is loaded from its package, beside its WebAssembly and data files.
    expect(outside).toContain('@electric-sql/pglite');
    // The packages that cost the start most to load file by file are inside.
    expect(outside).not.toContain('telegraf');
    expect(outside).not.toContain('drizzle-orm');
  });
});
