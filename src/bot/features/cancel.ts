import { clearDialogue } from '../../dialogues.js';
import { AUDIENCES } from '../../domain/roles.js';
import { Feature } from '../feature.js';

/** /cancel: leaves any guided dialogue, whichever feature started it. */
export const cancelFeature = new Feature('cancel').command(
  { command: 'cancel', audience: AUDIENCES, descriptionKey: 'common:cmd_cancel' },
  async (ctx) => {
    const had = ctx.from ? await clearDialogue(ctx.db, ctx.from.id) : false;
    ctx.replyText(ctx.t(had ? 'common:cancelled' : 'common:nothing_to_cancel'));
  },
);
