import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import { appendAudit } from '../audit.js';
import type { Queryable } from '../db/client.js';
import { invites } from '../db/schema.js';
import { parseAgency } from '../domain/agencies.js';
import type { Role } from '../domain/roles.js';
import { getSetting, putSetting } from '../settings.js';

/** How long an invite link stays valid. */
export const INVITE_VALIDITY_MS = 72 * 60 * 60 * 1000;

/** What an invite makes its holder: a role, and for monitors their community, for liaisons their agency. */
export interface InviteTerms {
  role: Role;
  community: string | null;
  agency: string | null;
}

/** A freshly created invite: the token exists only here and in the link given to one person. */
export interface CreatedInvite {
  id: number;
  token: string;
  expiresAt: Date;
}

/** Why a token could not be redeemed. */
export type RedeemFailure = 'unknown' | 'used' | 'expired';

/** The outcome of redeeming a token: the invite's terms, or why not. */
export type RedeemResult =
  | { ok: true; inviteId: number; terms: InviteTerms; createdBy: number | null }
  | { ok: false; reason: RedeemFailure; inviteId?: number };

/** The SHA-256 of a token, hex: the only form of it the database ever sees. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True for a string shaped like an invite token (also a valid Telegram start parameter). */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{32}$/.test(value);
}

/**
 * 192 random bits as 32 base64url characters: a valid Telegram start parameter (≤64 of [A-Za-z0-9_-]).
 * A token never starts like a deep link (`show-…`), so /start cannot mistake one for the other.
 */
export function newToken(): string {
  for (;;) {
    const token = randomBytes(24).toString('base64url');
    if (!/^[a-z]+-/.test(token)) return token;
  }
}

/** Creates a single-use invite valid for 72 hours from `now`; only the token's hash is stored. */
export async function createInvite(
  db: Queryable,
  terms: InviteTerms,
  createdBy: number | null,
  now: Date,
): Promise<CreatedInvite> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + INVITE_VALIDITY_MS);
  const [row] = await db
    .insert(invites)
    .values({
      tokenHash: hashToken(token),
      role: terms.role,
      community: terms.community,
      agency: terms.agency,
      createdBy,
      createdAt: now,
      expiresAt,
    })
    .returning({ id: invites.id });
  if (!row) throw new Error('invite insert returned no row');
  return { id: row.id, token, expiresAt };
}

/** Creates an invite for an admin's /invite and audits it ('invite.created', never the token). */
export async function issueInvite(
  db: Queryable,
  terms: InviteTerms,
  createdBy: number | null,
  now: Date,
): Promise<CreatedInvite> {
  const created = await createInvite(db, terms, createdBy, now);
  await appendAudit(db, {
    actorId: createdBy,
    action: 'invite.created',
    details: { inviteId: created.id, role: terms.role, ...(terms.agency ? { agency: terms.agency } : {}) },
  });
  return created;
}

/**
 * Marks the invite used by `userId` if it is unused and not expired at `now`. The check and the mark
 * are one UPDATE, so of two simultaneous redemptions exactly one wins; a failure changes nothing.
 */
export async function redeemInvite(
  db: Queryable,
  token: string,
  userId: number,
  now: Date,
): Promise<RedeemResult> {
  const tokenHash = hashToken(token);
  const [won] = await db
    .update(invites)
    .set({ usedAt: now, usedBy: userId })
    .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), gt(invites.expiresAt, now)))
    .returning({
      id: invites.id,
      role: invites.role,
      community: invites.community,
      agency: invites.agency,
      createdBy: invites.createdBy,
    });
  if (won) {
    return {
      ok: true,
      inviteId: won.id,
      terms: { role: won.role, community: won.community, agency: won.agency },
      createdBy: won.createdBy,
    };
  }
  const [existing] = await db
    .select({ id: invites.id, usedAt: invites.usedAt })
    .from(invites)
    .where(eq(invites.tokenHash, tokenHash));
  if (!existing) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: existing.usedAt ? 'used' : 'expired', inviteId: existing.id };
}

/** Longest community name an invite accepts. */
export const MAX_COMMUNITY_LENGTH = 64;

/** Why invite arguments were rejected. */
export type InviteArgsProblem = 'usage' | 'bad_agency' | 'community_missing' | 'community_too_long';

/**
 * Reads `monitor <community>` · `liaison <AGENCY>` · `officer` · `admin` (the words after /invite,
 * or after the CLI's `invite`) into invite terms; the same grammar in chat and on the command line.
 */
export function parseInviteArgs(
  args: readonly string[],
): { ok: true; terms: InviteTerms } | { ok: false; problem: InviteArgsProblem; input?: string } {
  const [roleWord, ...rest] = args;
  const role = roleWord?.toLowerCase();
  const remainder = rest.join(' ').trim();
  switch (role) {
    case 'monitor':
      if (remainder === '') return { ok: false, problem: 'community_missing' };
      if ([...remainder].length > MAX_COMMUNITY_LENGTH) return { ok: false, problem: 'community_too_long' };
      return { ok: true, terms: { role, community: remainder, agency: null } };
    case 'liaison': {
      if (remainder === '') return { ok: false, problem: 'usage' };
      const agency = parseAgency(remainder);
      if (!agency) return { ok: false, problem: 'bad_agency', input: remainder };
      return { ok: true, terms: { role, community: null, agency } };
    }
    case 'officer':
    case 'admin':
      if (remainder !== '') return { ok: false, problem: 'usage' };
      return { ok: true, terms: { role, community: null, agency: null } };
    default:
      return { ok: false, problem: 'usage' };
  }
}

/** The deep link that redeems a token: `https://t.me/<bot>?start=<token>`. */
export function inviteLink(botUsername: string, token: string): string {
  return `https://t.me/${botUsername}?start=${token}`;
}

const BOT_USERNAME = 'bot_username';

/** Remembers the bot's username (from getMe at start), so the CLI can print invite links without Telegram. */
export function rememberBotUsername(db: Queryable, username: string): Promise<void> {
  return putSetting(db, BOT_USERNAME, username);
}

/** The bot's username as last remembered by a running bot, or null if it never started here. */
export function rememberedBotUsername(db: Queryable): Promise<string | null> {
  return getSetting<string>(db, BOT_USERNAME);
}

/** How long a used or expired invite is kept: it names who redeemed it and, for a monitor, a community. */
export const SPENT_INVITE_DAYS = 30;

/** Deletes invites used, or expired unused, more than SPENT_INVITE_DAYS before `now`. Returns how many. */
export async function purgeSpentInvites(db: Queryable, now: Date): Promise<number> {
  const before = new Date(now.getTime() - SPENT_INVITE_DAYS * 86_400_000);
  const removed = await db
    .delete(invites)
    .where(or(lt(invites.usedAt, before), and(isNull(invites.usedAt), lt(invites.expiresAt, before))))
    .returning({ id: invites.id });
  return removed.length;
}
