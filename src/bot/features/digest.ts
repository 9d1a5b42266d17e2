import { appendAudit } from '../../audit.js';
import { buildDigest, sendDigest } from '../../digests/compose.js';
import { dailySince } from '../../digests/scheduler.js';
import { parseDigestKind } from '../../domain/periods.js';
import { SECTION_ROLES } from '../../domain/roles.js';
import { Feature } from '../feature.js';

/**
 * /digest daily|weekly|monthly: the digest as it would be sent now, to the asker only. It is not recorded
 * as a period, so the scheduled digest still goes out. Admins also see items reserved for admins.
 */
export const digestFeature = new Feature('digest').command(
  { command: 'digest', audience: SECTION_ROLES, descriptionKey: 'digests:cmd_digest' },
  async (ctx) => {
    const kind = parseDigestKind(ctx.args[0]);
    const person = ctx.person;
    if (!kind || !person || !ctx.chat) {
      ctx.replyText(ctx.t('digests:usage'));
      return;
    }
    const now = ctx.services.now();
    // The same window the next scheduled daily digest will have.
    const since = kind === 'daily' ? await dailySince(ctx.db, now) : null;
    const digest = await buildDigest(
      ctx.db,
      kind,
      {
        at: now,
        since: since?.at ?? null,
        sinceFrom: since?.from,
        timeZone: ctx.services.config.timeZone,
        botUsername: ctx.services.botUsername(),
        includeAdminsOnly: person.role === 'admin',
        adminOnlyUnits: ctx.services.config.adminOnlyUnits,
      },
      ctx.t,
    );
    ctx.replyText(digest.preview);
    sendDigest(ctx.out, digest, ctx.chat.id, { mainOnly: true });
    const agencies = new Set(digest.agencyMessages.map((m) => m.agency)).size;
    if (kind === 'monthly' && agencies > 0)
      ctx.replyText(ctx.t('digests:preview_agencies', { count: agencies }));
    await appendAudit(ctx.db, { actorId: person.telegramId, action: 'digest_preview', details: { kind } });
  },
);
