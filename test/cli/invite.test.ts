import type { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { inviteCommand } from '../../src/cli/invite.js';
import { loadConfig } from '../../src/config.js';
import { auditLog, invites, settings } from '../../src/db/schema.js';
import { hashToken, rememberBotUsername } from '../../src/people/invites.js';
import { capture, runCommand } from '../support/cli.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { createHarness, type Harness } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

describe('CLI invite', () => {
  let harness: Harness;
  let api: FakeBotApi;
  const run = (args: string[], stdout: Writable, env: Record<string, string> = {}) =>
    runCommand(
      inviteCommand,
      harness,
      args,
      stdout,
      loadConfig({ BOT_TOKEN: '0:cli', LOG_LEVEL: 'silent', ...env }),
    );

  beforeAll(async () => {
    harness = await createHarness();
    api = await FakeBotApi.start({ botUsername: 'county_liaison_bot' });
  });
  afterAll(async () => {
    await api.stop();
    await harness.close();
  });
  afterEach(() => vi.restoreAllMocks());

  it('exits 1 with a clear message when the bot username cannot be known', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = capture();
    expect(await run(['officer'], out.stream)).toBe(1);
    expect(out.text()).toBe('');
    expect(String(stderr.mock.calls[0]?.[0])).toContain('BOT_TOKEN');
    expect(await harness.db.select().from(invites)).toHaveLength(0);
  });

  it('asks Telegram with BOT_TOKEN when the bot never started here, and remembers the answer', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = capture();
    const env = { BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.url };
    expect(await run(['liaison', 'FIN'], out.stream, env)).toBe(0);
    expect(out.text()).toMatch(/^https:\/\/t\.me\/county_liaison_bot\?start=[A-Za-z0-9_-]{32}\n$/);
    const [row] = await harness.db.select().from(settings).where(eq(settings.key, 'bot_username'));
    expect(row?.value).toBe('county_liaison_bot');
  });

  it('prints a link that the bot then redeems, and audits the creation', async () => {
    await rememberBotUsername(harness.db, 'liaison_test_bot');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = capture();
    expect(await run(['monitor', '丹东街道', '东门社区'], out.stream)).toBe(0);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('72 h');
    const token = /start=([A-Za-z0-9_-]+)/.exec(out.text())?.[1] ?? '';
    const [stored] = await harness.db
      .select()
      .from(invites)
      .where(eq(invites.tokenHash, hashToken(token)));
    expect(stored).toMatchObject({ role: 'monitor', community: '丹东街道 东门社区', createdBy: null });
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'invite.created'));
    expect(audits.at(-1)?.details).toMatchObject({ via: 'cli', role: 'monitor' });

    const [reply] = await harness.send(textMessage(user(501), `/start ${token}`));
    expect(reply?.text).toContain('东门社区');
  });

  it('rejects bad arguments with usage and exit 2', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run(['liaison', 'NOPE'], capture().stream)).toBe(2);
    expect(String(stderr.mock.calls[0]?.[0])).toContain('ORG CDI');
    expect(await run([], capture().stream)).toBe(2);
  });
});
