import { describe, expect, it } from 'vitest';
import { enablesTelegraf, guardTelegrafDebug, TELEGRAF_SKIP } from '../src/debug-guard.js';

describe('the DEBUG guard', () => {
  it("tells which DEBUG values switch on telegraf's namespaces, as the debug package reads them", () => {
    for (const on of [
      'telegraf:*',
      'telegraf*',
      '*',
      'tele*',
      '*:client',
      'telegraf:client',
      'pg,telegraf:main',
    ]) {
      expect({ on, enables: enablesTelegraf(on) }).toEqual({ on, enables: true });
    }
    for (const off of [
      undefined,
      '',
      'express:*',
      'telegraf',
      '*,-telegraf*',
      'telegraf:*,-telegraf:*',
      '-*',
    ]) {
      expect({ off, enables: enablesTelegraf(off) }).toEqual({ off, enables: false });
    }
  });

  it('appends a skip for telegraf and keeps the other namespaces, unless LOG_UNSAFE_DEBUG=1', () => {
    const env: NodeJS.ProcessEnv = { DEBUG: 'app:*,telegraf:*' };
    expect(guardTelegrafDebug(env)).toEqual({ kind: 'silenced', debug: 'app:*,telegraf:*' });
    expect(env.DEBUG).toBe(`app:*,telegraf:*,${TELEGRAF_SKIP}`);
    expect(enablesTelegraf(env.DEBUG)).toBe(false);

    const allowed: NodeJS.ProcessEnv = { DEBUG: '*', LOG_UNSAFE_DEBUG: '1' };
    expect(guardTelegrafDebug(allowed)).toEqual({ kind: 'allowed', debug: '*' });
    expect(allowed.DEBUG).toBe('*');

    const unrelated: NodeJS.ProcessEnv = { DEBUG: 'express:*' };
    expect(guardTelegrafDebug(unrelated)).toEqual({ kind: 'none' });
    expect(unrelated.DEBUG).toBe('express:*');
  });
});
