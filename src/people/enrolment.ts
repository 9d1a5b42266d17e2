/**
 * Enrolment and revocation: redeeming an invite token (/start <token>) makes the person what the
 * invite says and tells the admin who made the invite; revoking ends a person's access at once.
 * Every enrolment, failed link and revocation is audited (never the token).
 */

import { appendAudit } from '../audit.js';
import { personNumberOf } from '../crypto/person-numbers.js';
import type { Queryable } from '../db/client.js';
import { clearDialogue } from '../dialogues.js';
import type { Role } from '../domain/roles.js';
import { languageFor, translatorFor } from '../i18n.js';
import { getSectionChat } from '../settings.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import {
  type InviteTerms,
  looksLikeToken,
  type RedeemFailure,
  type RedeemResult,
  redeemInvite,
} from './invites.js';
import { enrolPerson, revokePerson, type TelegramProfile } from './roster.js';
import { languageOf } from './store.js';

/** The Telegram user redeeming an invite, as the update tells. */
export interface Redeemer {
  telegramId: number;
  /** The full name, surname included (see domain/person-name). */
  name: string;
  username: string | null;
  languageCode: string | null;
}

/** What redeeming a token did. */
export type EnrolOutcome =
  | {
      kind: 'enrolled';
      terms: InviteTerms;
      previousRole: Role | null;
      /** The invite used, and the admin who made it (null when made by the CLI). */
      inviteId: number;
      createdBy: number | null;
    }
  | { kind: 'failed'; reason: RedeemFailure }
  /** The person is an admin by ADMIN_IDS: enrolling would demote them, so the invite is left unused. */
  | { kind: 'config_admin' };

/**
 * Enrols the redeemer with the invite's role if the token is valid, unused and not expired;
 * otherwise changes nothing and audits the attempt.
 */
export async function enrolWithToken(
  db: Queryable,
  input: { token: string; redeemer: Redeemer },
  context: { now: Date; adminIds: readonly number[] },
): Promise<EnrolOutcome> {
  const { redeemer } = input;
  if (context.adminIds.includes(redeemer.telegramId)) return { kind: 'config_admin' };
  const result: RedeemResult = looksLikeToken(input.token)
    ? await redeemInvite(db, input.token, redeemer.telegramId, context.now)
    : { ok: false, reason: 'unknown' };
  if (!result.ok) {
    await appendAudit(db, {
      actorId: redeemer.telegramId,
      action: 'invite.failed',
      details: { reason: result.reason, ...(result.inviteId ? { inviteId: result.inviteId } : {}) },
    });
    return { kind: 'failed', reason: result.reason };
  }
  const { terms } = result;
  const profile: TelegramProfile = {
    displayName: redeemer.name || null,
    username: redeemer.username,
    language: redeemer.languageCode,
  };
  const { previousRole } = await enrolPerson(db, redeemer.telegramId, terms, profile, context.now);
  // No actor id: the invite row says who redeemed it, and a reporter's id in the audit log's serial
  // order beside the items' would be one more thing to line up with them (issue 14).
  await appendAudit(db, {
    actorId: null,
    action: 'person.enrolled',
    details: {
      by: 'invitee',
      inviteId: result.inviteId,
      role: terms.role,
      ...(terms.agency ? { agency: terms.agency } : {}),
      ...(previousRole ? { previousRole } : {}),
    },
  });
  return { kind: 'enrolled', terms, previousRole, inviteId: result.inviteId, createdBy: result.createdBy };
}

/** Tells the admin who created an invite that it was used, and by whom (their own enrolment excepted). */
export async function notifyInviteUsed(
  db: Queryable,
  out: OutboxBuffer,
  invite: { inviteId: number; createdBy: number | null; role: Role },
  redeemer: Redeemer,
): Promise<void> {
  if (invite.createdBy === null || invite.createdBy === redeemer.telegramId) return;
  const t = translatorFor(languageFor(await languageOf(db, invite.createdBy)));
  out.sendText(
    invite.createdBy,
    t('people:invite_used_notice', {
      inviteId: invite.inviteId,
      role: t(`common:role_${invite.role}`),
      name: redeemer.username ? `${redeemer.name} @${redeemer.username}` : redeemer.name,
      userId: redeemer.telegramId,
    }),
  );
}

/** What a revocation did. */
export type RevokeOutcome =
  | {
      kind: 'revoked';
      role: Role;
      configAdmin: boolean;
      /** The section chat they must be removed from too, if one is bound (alerts and digests go there). */
      sectionChatId: number | null;
    }
  | { kind: 'not_found'; configAdmin: boolean }
  | { kind: 'self' };

/**
 * Ends a person's access at once (their enrolment row stays, for history), ends any dialogue of
 * theirs and audits it. An id in ADMIN_IDS stays admin whatever its row says (`configAdmin`).
 */
export async function revokeAccess(
  db: Queryable,
  input: { userId: number },
  context: { actorId: number | null; now: Date; adminIds: readonly number[] },
): Promise<RevokeOutcome> {
  if (input.userId === context.actorId) return { kind: 'self' };
  const role = await revokePerson(db, input.userId, context.now);
  const configAdmin = context.adminIds.includes(input.userId);
  if (!role) return { kind: 'not_found', configAdmin };
  await clearDialogue(db, input.userId);
  await appendAudit(db, {
    actorId: context.actorId,
    action: 'person.revoked',
    details: { userId: personNumberOf(input.userId), role },
  });
  return { kind: 'revoked', role, configAdmin, sectionChatId: (await getSectionChat(db))?.chatId ?? null };
}
