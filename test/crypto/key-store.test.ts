import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKeyring } from '../../src/crypto/key-store.js';
import { configureKeyring, currentKeyId, keyIdOf } from '../../src/crypto/sealing.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { TEST_DATA_KEY } from '../support/test-key.js';

const testKey = Buffer.from(TEST_DATA_KEY, 'base64');

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('the data key', () => {
  afterEach(() => configureKeyring([testKey]));

  it('on the embedded default, is generated once into DATA_DIR/data.key (0600) with a warning, then read back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'liaison-key-'));
    try {
      const first = captureLogger();
      const [generated] = await loadKeyring(
        { dataKeys: undefined, databaseUrl: undefined, dataDir },
        first.logger,
      );
      expect(first.lines.join('')).toMatch(/BACK UP/);
      expect((await stat(join(dataDir, 'data.key'))).mode & 0o777).toBe(0o600);
      const stored = Buffer.from((await readFile(join(dataDir, 'data.key'), 'utf8')).trim(), 'base64');
      expect(keyIdOf(stored)).toBe(generated);
      expect(first.lines.join('')).not.toContain(stored.toString('base64'));
      const again = captureLogger();
      expect(
        await loadKeyring({ dataKeys: undefined, databaseUrl: undefined, dataDir }, again.logger),
      ).toEqual([generated]);
      expect(again.lines).toEqual([]);
      expect(currentKeyId()).toBe(generated);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('comes from DATA_KEY when set (current first); without it, even with DATABASE_URL, from DATA_DIR with a warning', async () => {
    const config = loadConfig({ BOT_TOKEN: '1:a', DATA_KEY: TEST_DATA_KEY });
    expect(config.dataKeys).toEqual([testKey]);
    const shared = loadConfig({ BOT_TOKEN: '1:a', DATABASE_URL: 'postgres://u@h/db' });
    expect(shared.dataKeys).toBeUndefined();
    const dataDir = await mkdtemp(join(tmpdir(), 'liaison-key-'));
    try {
      const warned = captureLogger();
      const [generated] = await loadKeyring(
        { dataKeys: undefined, databaseUrl: 'postgres://u@h/db', dataDir },
        warned.logger,
      );
      expect(generated).toMatch(/^[0-9a-f]{8}$/);
      expect(warned.lines.join('')).toContain('DATA_KEY is not set');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    try {
      loadConfig({ BOT_TOKEN: '1:a', DATA_KEY: 'secret-but-short' });
    } catch (error) {
      const [problem] = (error as ConfigError).problems;
      expect(problem).toMatch(/^DATA_KEY: .*32 bytes/);
      expect(problem).not.toContain('secret-but-short');
    }
    expect(loadConfig({ BOT_TOKEN: '1:a' }).retentionYears).toBe(5);
    expect(loadConfig({ BOT_TOKEN: '1:a', RETENTION_YEARS: '10' }).retentionYears).toBe(10);
    expect(() => loadConfig({ BOT_TOKEN: '1:a', RETENTION_YEARS: '0' })).toThrow(/RETENTION_YEARS/);
  });
});
