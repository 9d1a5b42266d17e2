import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { defaultKeyFilePath, loadKeyring } from '../../src/crypto/key-store.js';
import {
  configureKeyring,
  currentKeyId,
  formatKeyring,
  generateKey,
  keyIdOf,
} from '../../src/crypto/sealing.js';
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

/** The embedded default's configuration for a DATA_DIR (no DATA_KEY, no DATABASE_URL). */
const embedded = (dataDir: string, dataKeyFile?: string) => ({
  dataKeys: undefined,
  databaseUrl: undefined,
  dataDir,
  dataKeyFile,
});

describe('the data key', () => {
  // Every DATA_DIR is a child of one temporary folder, so its sibling key folder is removed with it.
  let parent: string;
  let dataDir: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'liaison-key-'));
    dataDir = join(parent, 'data');
  });
  afterEach(async () => {
    configureKeyring([testKey]);
    await rm(parent, { recursive: true, force: true });
  });

  it('on the embedded default, is generated once outside DATA_DIR (folder 0700, file 0600) with a warning, then read back', async () => {
    const first = captureLogger();
    const [generated] = await loadKeyring(embedded(dataDir), first.logger);
    expect(first.lines.join('')).toMatch(/BACK UP/);
    const keyFile = join(parent, 'data-key', 'data.key');
    expect(defaultKeyFilePath(dataDir)).toBe(keyFile);
    // A trailing slash must not put the key inside DATA_DIR.
    expect(defaultKeyFilePath(`${dataDir}/`)).toBe(keyFile);
    expect((await stat(join(parent, 'data-key'))).mode & 0o777).toBe(0o700);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await readdir(dataDir).catch(() => [])).not.toContain('data.key');
    const stored = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
    expect(keyIdOf(stored)).toBe(generated);
    expect(first.lines.join('')).not.toContain(stored.toString('base64'));
    const again = captureLogger();
    expect(await loadKeyring(embedded(dataDir), again.logger)).toEqual([generated]);
    expect(again.lines).toEqual([]);
    expect(currentKeyId()).toBe(generated);
  });

  it('is kept where DATA_KEY_FILE says', async () => {
    const keyFile = join(parent, 'secrets', 'liaison.key');
    const config = loadConfig({ BOT_TOKEN: '1:a', DATA_DIR: dataDir, DATA_KEY_FILE: keyFile });
    expect(config.dataKeyFile).toBe(keyFile);
    expect(loadConfig({ BOT_TOKEN: '1:a' }).dataKeyFile).toBeUndefined();
    const [generated] = await loadKeyring(config);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(keyIdOf(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64'))).toBe(generated);
    await expect(stat(defaultKeyFilePath(dataDir))).rejects.toThrow(/ENOENT/);
  });

  for (const mode of [0o644, 0o620, 0o604]) {
    it(`refuses a key file others can read or write (mode 0${mode.toString(8)}), naming the file and the fix`, async () => {
      const keyFile = defaultKeyFilePath(dataDir);
      await mkdir(join(parent, 'data-key'), { mode: 0o700 });
      await writeFile(keyFile, `${formatKeyring([generateKey()])}\n`);
      await chmod(keyFile, mode);
      const refused = await loadKeyring(embedded(dataDir)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConfigError);
      const [problem] = (refused as ConfigError).problems;
      expect(problem).toMatch(/^DATA_KEY_FILE: /);
      expect(problem).toContain(keyFile);
      expect(problem).toContain(`chmod 600 ${keyFile}`);
      // Refused, not repaired behind the operator's back: the file is as it was.
      expect((await stat(keyFile)).mode & 0o777).toBe(mode);
    });
  }

  it('of an existing installation in DATA_DIR/data.key is still used, with a warning saying how to move it', async () => {
    const legacy = join(dataDir, 'data.key');
    const old = generateKey();
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(legacy, `${formatKeyring([old])}\n`, { mode: 0o600 });
    const warned = captureLogger();
    expect(await loadKeyring(embedded(dataDir), warned.logger)).toEqual([keyIdOf(old)]);
    const said = warned.lines.join('');
    expect(warned.lines).toHaveLength(1);
    expect(said).toContain(`mv ${legacy} ${defaultKeyFilePath(dataDir)}`);
    expect(said).toContain('DATA_KEY_FILE');
    expect(said).not.toContain(old.toString('base64'));
    // Nothing was generated or moved behind the operator's back.
    await expect(stat(defaultKeyFilePath(dataDir))).rejects.toThrow(/ENOENT/);
    expect(await readFile(legacy, 'utf8')).toContain(old.toString('base64'));
  });

  it('once moved to the new place, is read from there and the warning stops', async () => {
    const moved = generateKey();
    await mkdir(join(parent, 'data-key'), { mode: 0o700 });
    await writeFile(defaultKeyFilePath(dataDir), `${formatKeyring([moved])}\n`, { mode: 0o600 });
    const quiet = captureLogger();
    expect(await loadKeyring(embedded(dataDir), quiet.logger)).toEqual([keyIdOf(moved)]);
    expect(quiet.lines).toEqual([]);
  });

  it('comes from DATA_KEY when set (current first); without it, even with DATABASE_URL, from the key file with a warning', async () => {
    const config = loadConfig({ BOT_TOKEN: '1:a', DATA_KEY: TEST_DATA_KEY });
    expect(config.dataKeys).toEqual([testKey]);
    const shared = loadConfig({ BOT_TOKEN: '1:a', DATABASE_URL: 'postgres://u@h/db' });
    expect(shared.dataKeys).toBeUndefined();
    const warned = captureLogger();
    const [generated] = await loadKeyring(
      { dataKeys: undefined, databaseUrl: 'postgres://u@h/db', dataDir, dataKeyFile: undefined },
      warned.logger,
    );
    expect(generated).toMatch(/^[0-9a-f]{8}$/);
    expect(warned.lines.join('')).toContain('DATA_KEY is not set');
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
