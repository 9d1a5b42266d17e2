import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** A valid webhook secret: 32+ characters of A-Z a-z 0-9 _ - (what `openssl rand -hex 32` makes, 64). */
const SECRET = 'abc_DEF-1abc_DEF-1abc_DEF-1abc_DEF-1';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('applies the defaults of INTERFACE.md with only BOT_TOKEN set', () => {
    const config = loadConfig({ BOT_TOKEN: '123:abc' });
    expect(config.mode).toEqual({ kind: 'polling' });
    expect(config.apiRoot).toBe('https://api.telegram.org');
    expect(config.dataDir).toBe('./data');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.timeZone).toBe('Asia/Shanghai');
    expect(config.digestSchedules).toEqual({
      daily: '30 8 * * *',
      weekly: '0 9 * * 1',
      monthly: '0 9 1 * *',
    });
    expect(config.logLevel).toBe('info');
    expect(config.adminIds).toEqual([]);
  });

  it('names BOT_TOKEN and says where to get one when it is missing', () => {
    const [problem] = problemsOf({});
    expect(problem).toMatch(/^BOT_TOKEN: .*@BotFather/);
  });

  it('reports one line per bad variable, and never echoes a secret', () => {
    const problems = problemsOf({
      BOT_TOKEN: 'not a token',
      DATABASE_URL: 'mysql://secret-password@host/db',
      TIMEZONE: 'Mars/Olympus',
      DIGEST_DAILY: 'every morning',
      LOG_LEVEL: 'loud',
      ADMIN_IDS: '12,abc',
      TELEGRAM_API_ROOT: 'nowhere',
    });
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual(
      [
        'ADMIN_IDS',
        'BOT_TOKEN',
        'DATABASE_URL',
        'DIGEST_DAILY',
        'LOG_LEVEL',
        'TELEGRAM_API_ROOT',
        'TIMEZONE',
      ].sort(),
    );
    expect(problems.join('\n')).not.toContain('secret-password');
    expect(problems.join('\n')).not.toContain('not a token');
  });

  it('requires WEBHOOK_URL and WEBHOOK_SECRET in webhook mode', () => {
    const problems = problemsOf({ BOT_TOKEN: '1:a', BOT_MODE: 'webhook' });
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual(['WEBHOOK_SECRET', 'WEBHOOK_URL']);
  });

  it('reads the webhook variant with its port', () => {
    const config = loadConfig({
      BOT_TOKEN: '1:a',
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://example.org/hook',
      WEBHOOK_SECRET: SECRET,
      PORT: '9000',
    });
    expect(config.mode).toEqual({
      kind: 'webhook',
      url: 'https://example.org/hook',
      secret: SECRET,
      port: 9000,
      host: '0.0.0.0',
    });
  });

  it('rejects an unknown BOT_MODE and a bad PORT', () => {
    expect(problemsOf({ BOT_TOKEN: '1:a', BOT_MODE: 'carrier-pigeon' })[0]).toMatch(
      /^BOT_MODE: .*polling or webhook/,
    );
    const problems = problemsOf({
      BOT_TOKEN: '1:a',
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://example.org/hook',
      WEBHOOK_SECRET: SECRET,
      PORT: 'eighty',
    });
    expect(problems[0]).toMatch(/^PORT: /);
  });

  it('parses ADMIN_IDS and treats empty values as unset', () => {
    const config = loadConfig({ BOT_TOKEN: '1:a', ADMIN_IDS: ' 5, 7 ', DATABASE_URL: '' });
    expect(config.adminIds).toEqual([5, 7]);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('refuses a WEBHOOK_SECRET shorter than 32 characters or outside A-Z a-z 0-9 _ -, saying how to make one', () => {
    const webhook = { BOT_TOKEN: '1:a', BOT_MODE: 'webhook', WEBHOOK_URL: 'https://example.org/hook' };
    for (const secret of ['a', 'x'.repeat(31), `${'x'.repeat(40)}!`, `${'x'.repeat(40)} y`, 'é'.repeat(40)]) {
      const problems = problemsOf({ ...webhook, WEBHOOK_SECRET: secret });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^WEBHOOK_SECRET: .*at least 32 characters.*openssl rand -hex 32/);
      // The secret itself is never echoed.
      if (secret.length > 1) expect(problems[0]).not.toContain(secret);
    }
    expect(problemsOf({ ...webhook })[0]).toMatch(/^WEBHOOK_SECRET: required .*openssl rand -hex 32/);
    expect(loadConfig({ ...webhook, WEBHOOK_SECRET: 'x'.repeat(32) }).mode).toMatchObject({
      secret: 'x'.repeat(32),
    });
    expect(loadConfig({ ...webhook, WEBHOOK_SECRET: 'a1_-'.repeat(64) }).mode).toMatchObject({
      kind: 'webhook',
    });
    expect(problemsOf({ ...webhook, WEBHOOK_SECRET: 'a'.repeat(257) })[0]).toMatch(/^WEBHOOK_SECRET: /);
  });

  it('refuses TEST_CLOCK_START unless NODE_ENV=test, and reads it as an instant', () => {
    for (const nodeEnv of [undefined, 'production', 'development']) {
      const env: Record<string, string> = { BOT_TOKEN: '1:a', TEST_CLOCK_START: '2027-09-30T15:00:00+08:00' };
      if (nodeEnv) env.NODE_ENV = nodeEnv;
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^TEST_CLOCK_START: .*NODE_ENV=test/);
    }
    expect(
      loadConfig({ BOT_TOKEN: '1:a', TEST_CLOCK_START: '2027-09-30T15:00:00+08:00', NODE_ENV: 'test' })
        .clockStart,
    ).toEqual(new Date('2027-09-30T07:00:00Z'));
    expect(loadConfig({ BOT_TOKEN: '1:a', NODE_ENV: 'production' }).clockStart).toBeUndefined();
    // Without an offset the instant would depend on the machine's zone: refused, as is nonsense.
    for (const value of ['2027-09-30T15:00:00', 'tomorrow', '2027-02-30T10:00:00Z']) {
      const problems = problemsOf({ BOT_TOKEN: '1:a', TEST_CLOCK_START: value, NODE_ENV: 'test' });
      expect(problems, value).toHaveLength(1);
      expect(problems[0], value).toMatch(/^TEST_CLOCK_START: .*ISO 8601/);
    }
  });

  it('refuses FAULT_INJECTION unless NODE_ENV=test', () => {
    for (const nodeEnv of [undefined, 'production', 'development', 'TEST']) {
      const env: Record<string, string> = { BOT_TOKEN: '1:a', FAULT_INJECTION: 'crash-after-store' };
      if (nodeEnv) env.NODE_ENV = nodeEnv;
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^FAULT_INJECTION: .*NODE_ENV=test/);
    }
    expect(
      loadConfig({ BOT_TOKEN: '1:a', FAULT_INJECTION: 'crash-after-store', NODE_ENV: 'test' }).faults,
    ).toEqual(['crash-after-store']);
    // No fault asked for: any NODE_ENV is fine.
    expect(loadConfig({ BOT_TOKEN: '1:a', NODE_ENV: 'production' }).faults).toEqual([]);
    // An unknown fault is still named as such, and with the other bad variables.
    const problems = problemsOf({ BOT_TOKEN: '1:a', FAULT_INJECTION: 'meteor', LOG_LEVEL: 'loud' });
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual(['FAULT_INJECTION', 'LOG_LEVEL']);
  });

  it('reads METRICS_PORT (0 picks a free port) and METRICS_HOST (default 127.0.0.1), in either mode', () => {
    expect(loadConfig({ BOT_TOKEN: '1:a' }).metrics).toBeUndefined();
    expect(loadConfig({ BOT_TOKEN: '1:a', METRICS_PORT: '9464' }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
    expect(loadConfig({ BOT_TOKEN: '1:a', METRICS_PORT: '0', METRICS_HOST: '::1' }).metrics).toEqual({
      port: 0,
      host: '::1',
    });
    expect(
      loadConfig({
        BOT_TOKEN: '1:a',
        BOT_MODE: 'webhook',
        WEBHOOK_URL: 'https://example.org/hook',
        WEBHOOK_SECRET: SECRET,
        METRICS_PORT: '9100',
      }).metrics,
    ).toEqual({ port: 9100, host: '127.0.0.1' });
    for (const bad of ['-1', '65536', 'ninety', '80.5']) {
      expect(problemsOf({ BOT_TOKEN: '1:a', METRICS_PORT: bad })[0]).toMatch(/^METRICS_PORT: .*0-65535/);
    }
  });

  it('reads LOG_UNSAFE_DEBUG as 0 or 1', () => {
    expect(loadConfig({ BOT_TOKEN: '1:a' }).unsafeDebug).toBe(false);
    expect(loadConfig({ BOT_TOKEN: '1:a', LOG_UNSAFE_DEBUG: '1' }).unsafeDebug).toBe(true);
    expect(loadConfig({ BOT_TOKEN: '1:a', LOG_UNSAFE_DEBUG: '0' }).unsafeDebug).toBe(false);
    expect(problemsOf({ BOT_TOKEN: '1:a', LOG_UNSAFE_DEBUG: 'yes' })[0]).toMatch(/^LOG_UNSAFE_DEBUG: /);
  });
});
