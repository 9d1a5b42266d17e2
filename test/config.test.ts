import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

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
      WEBHOOK_SECRET: 'abc_DEF-1',
      PORT: '9000',
    });
    expect(config.mode).toEqual({
      kind: 'webhook',
      url: 'https://example.org/hook',
      secret: 'abc_DEF-1',
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
      WEBHOOK_SECRET: 'x',
      PORT: 'eighty',
    });
    expect(problems[0]).toMatch(/^PORT: /);
  });

  it('parses ADMIN_IDS and treats empty values as unset', () => {
    const config = loadConfig({ BOT_TOKEN: '1:a', ADMIN_IDS: ' 5, 7 ', DATABASE_URL: '' });
    expect(config.adminIds).toEqual([5, 7]);
    expect(config.databaseUrl).toBeUndefined();
  });
});
