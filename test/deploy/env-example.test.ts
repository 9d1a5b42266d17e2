// Issue #19, acceptance 7: .env.example lists exactly the variables the configuration schema reads,
// each with a comment saying what it is — read from the schema, so a variable added there without a
// line here (or a line left for one removed) fails this test.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import { defaultKeyFilePath } from '../../src/crypto/key-store.js';
import { packageRoot } from '../../src/paths.js';

const lines = readFileSync(join(packageRoot(), '.env.example'), 'utf8').split('\n');
const VARIABLE = /^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/;

/** The variables the file sets or shows, with the line each is on. */
function listed(): Map<string, number> {
  const found = new Map<string, number>();
  lines.forEach((line, index) => {
    const match = VARIABLE.exec(line);
    if (match?.[1]) found.set(match[1], index);
  });
  return found;
}

describe('.env.example', () => {
  it('lists exactly the variables the configuration schema reads', () => {
    expect([...listed().keys()].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('explains every variable in a comment above it', () => {
    for (const [variable, index] of listed()) {
      let above = index - 1;
      while (above >= 0 && VARIABLE.test(lines[above] as string)) above -= 1;
      const comment = lines[above] ?? '';
      expect({ variable, comment: /^# \S/.test(comment) && !VARIABLE.test(comment) }).toEqual({
        variable,
        comment: true,
      });
    }
  });

  it('shows the defaults the schema really has', () => {
    const defaults = loadConfig({ BOT_TOKEN: '1:x' });
    const shown = Object.fromEntries(
      lines.flatMap((line) => {
        const match = /^#\s*([A-Z][A-Z0-9_]*)=(.+)$/.exec(line);
        return match ? [[match[1], match[2]]] : [];
      }),
    );
    expect(shown.DATA_DIR).toBe(defaults.dataDir);
    // DATA_KEY_FILE's default follows DATA_DIR (src/crypto/key-store.ts); the file shows it for ./data.
    expect(resolve(shown.DATA_KEY_FILE as string)).toBe(defaultKeyFilePath(defaults.dataDir));
    expect(shown.TIMEZONE).toBe(defaults.timeZone);
    expect(shown.DIGEST_DAILY).toBe(defaults.digestSchedules.daily);
    expect(shown.DIGEST_WEEKLY).toBe(defaults.digestSchedules.weekly);
    expect(shown.DIGEST_MONTHLY).toBe(defaults.digestSchedules.monthly);
    expect(shown.LOG_LEVEL).toBe(defaults.logLevel);
    expect(Number(shown.RETENTION_YEARS)).toBe(defaults.retentionYears);
    expect(shown.ADMIN_ONLY_UNITS).toBe(defaults.adminOnlyUnits.join(','));
    expect(shown.BACKUP_CRON).toBe(defaults.backup.cron);
    expect(Number(shown.BACKUP_KEEP)).toBe(defaults.backup.keep);
    expect(shown.TELEGRAM_API_ROOT).toBe(defaults.apiRoot);
  });
});
