import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchDeepLink, registerDeepLink } from '../../src/bot/deep-links.js';
import type { Database } from '../../src/db/client.js';
import {
  createInvite,
  hashToken,
  INVITE_VALIDITY_MS,
  looksLikeToken,
  newToken,
  parseInviteArgs,
  redeemInvite,
} from '../../src/people/invites.js';
import { createTestDatabase } from '../support/database.js';

describe('invite tokens', () => {
  it('are 192 random bits in base64url: a valid Telegram start parameter', () => {
    const tokens = new Set(Array.from({ length: 2000 }, () => newToken()));
    expect(tokens.size).toBe(2000);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(looksLikeToken(token)).toBe(true);
      expect(token).not.toMatch(/^[a-z]+-/);
    }
  });

  it('never look like a registered deep link', () => {
    registerDeepLink('abc', { audience: ['admin'], handle: () => {} });
    for (let index = 0; index < 2000; index += 1) expect(matchDeepLink(newToken())).toBeNull();
  });

  it('are stored as a SHA-256 hex digest', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('parseInviteArgs', () => {
  it('reads the four forms', () => {
    expect(parseInviteArgs(['monitor', '丹东街道', '东门社区'])).toEqual({
      ok: true,
      terms: { role: 'monitor', community: '丹东街道 东门社区', agency: null },
    });
    expect(parseInviteArgs(['LIAISON', 'ｐｓｂ'])).toEqual({
      ok: true,
      terms: { role: 'liaison', community: null, agency: 'PSB' },
    });
    expect(parseInviteArgs(['liaison', '县纪委'])).toMatchObject({ ok: true, terms: { agency: 'CDI' } });
    expect(parseInviteArgs(['officer'])).toMatchObject({ ok: true, terms: { role: 'officer' } });
    expect(parseInviteArgs(['admin'])).toMatchObject({ ok: true, terms: { role: 'admin' } });
  });

  it('says what is wrong', () => {
    expect(parseInviteArgs([])).toEqual({ ok: false, problem: 'usage' });
    expect(parseInviteArgs(['boss'])).toEqual({ ok: false, problem: 'usage' });
    expect(parseInviteArgs(['admin', 'x'])).toEqual({ ok: false, problem: 'usage' });
    expect(parseInviteArgs(['liaison'])).toEqual({ ok: false, problem: 'usage' });
    expect(parseInviteArgs(['liaison', 'XYZ'])).toEqual({ ok: false, problem: 'bad_agency', input: 'XYZ' });
    expect(parseInviteArgs(['monitor'])).toEqual({ ok: false, problem: 'community_missing' });
    expect(parseInviteArgs(['monitor', '社'.repeat(65)])).toEqual({
      ok: false,
      problem: 'community_too_long',
    });
  });
});

describe('redeemInvite', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  const terms = { role: 'officer' as const, community: null, agency: null };

  it('redeems once, then reports used; unknown tokens are unknown', async () => {
    const now = new Date('2025-05-01T00:00:00Z');
    const invite = await createInvite(database.db, terms, 1, now);
    expect(invite.expiresAt.getTime() - now.getTime()).toBe(INVITE_VALIDITY_MS);
    expect(await redeemInvite(database.db, invite.token, 10, now)).toMatchObject({
      ok: true,
      terms,
      createdBy: 1,
    });
    expect(await redeemInvite(database.db, invite.token, 11, now)).toEqual({
      ok: false,
      reason: 'used',
      inviteId: invite.id,
    });
    expect(await redeemInvite(database.db, newToken(), 11, now)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('expires exactly 72 hours after creation', async () => {
    const now = new Date('2025-05-01T00:00:00Z');
    const invite = await createInvite(database.db, terms, 1, now);
    const expiry = new Date(now.getTime() + INVITE_VALIDITY_MS);
    expect(await redeemInvite(database.db, invite.token, 12, expiry)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    const justBefore = new Date(expiry.getTime() - 1);
    expect(await redeemInvite(database.db, invite.token, 12, justBefore)).toMatchObject({ ok: true });
  });

  it('lets exactly one of simultaneous redemptions win', async () => {
    const now = new Date();
    const invite = await createInvite(database.db, terms, 1, now);
    const results = await Promise.all(
      [20, 21, 22, 23].map((userId) =>
        database.db.transaction((tx) => redeemInvite(tx, invite.token, userId, now)),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.reason === 'used')).toHaveLength(3);
  });
});
