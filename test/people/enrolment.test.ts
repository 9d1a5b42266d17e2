import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.js';
import { getDialogue, setDialogue } from '../../src/dialogues.js';
import { enrolWithToken, notifyInviteUsed, revokeAccess } from '../../src/people/enrolment.js';
import { createInvite } from '../../src/people/invites.js';
import { activePerson } from '../../src/people/store.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('enrolment and revocation', () => {
  let harness: Harness;
  const now = new Date('2025-06-01T00:00:00Z');
  const redeemer = { telegramId: 70, name: 'Zhang', username: 'zhang', languageCode: 'en' };
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(1, 'admin', { language: 'en' });
  });
  afterAll(() => harness.close());

  it('enrols with a valid token once, audits it, and tells the inviting admin who used it', async () => {
    const terms = { role: 'liaison' as const, community: null, agency: 'AUD' };
    const invite = await createInvite(harness.db, terms, 1, now);
    const context = { now, adminIds: [] };
    const outcome = await enrolWithToken(harness.db, { token: invite.token, redeemer }, context);
    expect(outcome).toEqual({
      kind: 'enrolled',
      terms,
      previousRole: null,
      inviteId: invite.id,
      createdBy: 1,
    });
    expect(await activePerson(harness.db, 70, [])).toMatchObject({ role: 'liaison', agency: 'AUD' });
    expect(await enrolWithToken(harness.db, { token: invite.token, redeemer }, context)).toEqual({
      kind: 'failed',
      reason: 'used',
    });
    expect(await enrolWithToken(harness.db, { token: 'short', redeemer }, context)).toEqual({
      kind: 'failed',
      reason: 'unknown',
    });
    expect(
      await enrolWithToken(harness.db, { token: invite.token, redeemer }, { now, adminIds: [70] }),
    ).toEqual({
      kind: 'config_admin',
    });
    const out = new OutboxBuffer();
    await notifyInviteUsed(harness.db, out, { inviteId: invite.id, createdBy: 1, role: 'liaison' }, redeemer);
    await notifyInviteUsed(
      harness.db,
      out,
      { inviteId: invite.id, createdBy: 70, role: 'liaison' },
      redeemer,
    );
    expect(out.messages.map((m) => m.chatId)).toEqual([1]);
    expect(String(out.messages[0]?.payload.text)).toContain('Zhang @zhang');
    const audited = await harness.db.select().from(auditLog).orderBy(auditLog.id);
    expect(audited.filter((a) => a.actorId === 70).map((a) => a.action)).toEqual([
      'invite.failed',
      'invite.failed',
    ]);
    // The enrolment names the invite, not the person (the invite row says who redeemed it).
    const enrolled = audited.filter((a) => a.action === 'person.enrolled');
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0]).toMatchObject({ actorId: null, details: { by: 'invitee', inviteId: invite.id } });
  });

  it('revokes at once, ends their dialogue, and never revokes oneself', async () => {
    await setDialogue(harness.db, 70, { kind: 'tip', step: 'text', data: {} });
    const context = { actorId: 1, now, adminIds: [] };
    expect(await revokeAccess(harness.db, { userId: 1 }, context)).toEqual({ kind: 'self' });
    expect(await revokeAccess(harness.db, { userId: 70 }, context)).toEqual({
      kind: 'revoked',
      role: 'liaison',
      configAdmin: false,
      sectionChatId: null,
    });
    expect(await getDialogue(harness.db, 70)).toBeNull();
    expect(await revokeAccess(harness.db, { userId: 70 }, { ...context, adminIds: [70] })).toEqual({
      kind: 'not_found',
      configAdmin: true,
    });
  });
});
