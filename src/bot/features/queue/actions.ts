import { appendAudit } from '../../../audit.js';
import { parseAgency } from '../../../domain/agencies.js';
import { AGENCY_CODES } from '../../../domain/agencies.js';
import { ITEM_ACTIONS, type ItemAction, type ItemStatus, nextStatus } from '../../../domain/item-state.js';
import { canAssign } from '../../../domain/triage.js';
import { type CallbackData, encodeCallback, intArg } from '../../callback-data.js';
import type { BotContext } from '../../context.js';
import { clearDialogue, setDialogue } from '../../dialogue.js';
import { answerCallback } from '../../feature.js';
import { languageFor, translatorFor } from '../../i18n.js';
import { startConclusion } from './conclude.js';
import { agencyLabel, itemCode, type Keyboard, statusLabel } from './render.js';
import { keyboardFor, stateLine, viewerOf } from './show.js';
import {
  agencyLiaisons,
  type ItemChange,
  type ItemRow,
  loadVisibleItem,
  personById,
  sectionStaff,
  staffName,
  updateItemIfUnchanged,
} from './store.js';

/** Sends the item's state line with the buttons now allowed; after every action and every refusal. */
export function replyWithState(ctx: BotContext, item: ItemRow, headline: string): void {
  const keyboard = keyboardFor(ctx, item);
  ctx.replyText(
    `${headline}\n\n${stateLine(ctx, item)}`,
    keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {},
  );
}

/** Tells the presser that someone changed the item first, and shows its current state. */
export async function replyStale(ctx: BotContext, id: number): Promise<void> {
  const current = await loadVisibleItem(ctx.db, id, viewerOf(ctx));
  if (!current) {
    ctx.replyText(ctx.t('queue:not_found', { id }));
    return;
  }
  replyWithState(ctx, current, ctx.t('queue:stale', { id, status: statusLabel(ctx.t, current.status) }));
}

/**
 * Moves an item along the state machine if it still has the version the officer saw and the
 * transition is allowed for them; audits it with from/to. Returns the updated item, or null after
 * telling the officer why nothing happened.
 */
export async function applyTransition(
  ctx: BotContext,
  item: ItemRow,
  version: number,
  action: ItemAction,
  change: ItemChange = {},
  details: Record<string, unknown> = {},
): Promise<ItemRow | null> {
  if (item.version !== version) {
    await replyStale(ctx, item.id);
    return null;
  }
  const next = nextStatus(item.status as ItemStatus, action, { admin: ctx.person?.role === 'admin' });
  if (!next.ok) {
    replyWithState(
      ctx,
      item,
      ctx.t('queue:not_allowed', {
        id: item.id,
        status: statusLabel(ctx.t, item.status),
        action: ctx.t(`queue:action_${action}`),
      }),
    );
    return null;
  }
  const updated = await updateItemIfUnchanged(
    ctx.db,
    item.id,
    version,
    { ...change, status: next.status },
    ctx.services.now(),
  );
  if (!updated) {
    await replyStale(ctx, item.id);
    return null;
  }
  await appendAudit(ctx.db, {
    actorId: ctx.person?.telegramId ?? null,
    action: `item.${action}`,
    itemId: item.id,
    details: { from: item.status, to: next.status, ...details },
  });
  return updated;
}

/** Reads `<id>|<version>` from a button; null when forged. */
function idAndVersion(data: CallbackData): { id: number; version: number } | null {
  const id = intArg(data.args[0]);
  const version = intArg(data.args[1]);
  return id && version ? { id, version } : null;
}

/** Loads the item a button is about; answers the press and returns null when it is gone or hidden. */
async function pressedItem(ctx: BotContext, id: number): Promise<ItemRow | null> {
  const item = await loadVisibleItem(ctx.db, id, viewerOf(ctx));
  if (!item) answerCallback(ctx, ctx.t('queue:not_found', { id }), true);
  return item;
}

/** Button `q.a|<id>|<version>|<action>`: a state-machine action; forward, merge and conclude ask more first. */
export async function itemAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const parsed = idAndVersion(data);
  const action = data.args[2] as ItemAction | undefined;
  if (!parsed || !action || !ITEM_ACTIONS.includes(action)) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const item = await pressedItem(ctx, parsed.id);
  if (!item) return;
  answerCallback(ctx);
  const admin = ctx.person?.role === 'admin';
  const needsMore = action === 'forward' || action === 'merge' || action === 'conclude';
  if (needsMore) {
    // Check now, so nobody fills in a dialogue for an action that cannot happen.
    if (item.version !== parsed.version) {
      await replyStale(ctx, item.id);
      return;
    }
    if (!nextStatus(item.status as ItemStatus, action, { admin }).ok) {
      await applyTransition(ctx, item, parsed.version, action);
      return;
    }
  }
  if (action === 'forward') {
    const keyboard: Keyboard = [];
    for (let index = 0; index < AGENCY_CODES.length; index += 3) {
      keyboard.push(
        AGENCY_CODES.slice(index, index + 3).map((agency) => ({
          text: agencyLabel(ctx.t, agency),
          callback_data: encodeCallback('q.fa', item.id, parsed.version, agency),
        })),
      );
    }
    ctx.replyText(ctx.t('queue:choose_agency', { id: item.id }), {
      reply_markup: { inline_keyboard: keyboard },
    });
    return;
  }
  if (action === 'merge') {
    if (ctx.from) {
      await setDialogue(ctx.db, ctx.from.id, {
        kind: 'queue',
        step: 'merge',
        data: { itemId: item.id, version: parsed.version },
      });
    }
    ctx.replyText(ctx.t('queue:merge_prompt', { id: item.id }));
    return;
  }
  if (action === 'conclude') {
    await startConclusion(ctx, item, parsed.version);
    return;
  }
  const updated = await applyTransition(ctx, item, parsed.version, action);
  if (updated) {
    replyWithState(
      ctx,
      updated,
      ctx.t('queue:action_done', {
        id: updated.id,
        action: ctx.t(`queue:action_${action}`),
        status: statusLabel(ctx.t, updated.status),
      }),
    );
  }
}

/** Button `q.fa|<id>|<version>|<AGENCY>`: forwards to one of the nine agencies and tells its liaisons the number and code. */
export async function forwardAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const parsed = idAndVersion(data);
  const agency = parseAgency(data.args[2] ?? '');
  if (!parsed || !agency || data.args[2] !== agency) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const item = await pressedItem(ctx, parsed.id);
  if (!item) return;
  answerCallback(ctx);
  const updated = await applyTransition(
    ctx,
    item,
    parsed.version,
    'forward',
    { forwardedAgency: agency },
    { agency },
  );
  if (!updated) return;
  const liaisons = await agencyLiaisons(ctx.db, agency);
  for (const liaison of liaisons) {
    const t = translatorFor(languageFor(liaison.language));
    ctx.out.sendText(
      liaison.telegramId,
      t('queue:forwarded_to_liaison', { id: updated.id, code: itemCode(updated) }),
    );
  }
  replyWithState(
    ctx,
    updated,
    ctx.t('queue:forward_done', {
      id: updated.id,
      agency: agencyLabel(ctx.t, agency),
      count: liaisons.length,
    }),
  );
}

/** Button `q.as|<id>|<version>`: the officers (admins only, for admins-only items) to choose from. */
export async function assignChoices(ctx: BotContext, data: CallbackData): Promise<void> {
  const parsed = idAndVersion(data);
  if (!parsed) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const item = await pressedItem(ctx, parsed.id);
  if (!item) return;
  answerCallback(ctx);
  if (item.version !== parsed.version) {
    await replyStale(ctx, item.id);
    return;
  }
  const staff = (await sectionStaff(ctx.db, item.adminsOnly)).filter(
    (member) => member.telegramId !== item.assigneeId,
  );
  if (staff.length === 0) {
    ctx.replyText(ctx.t('queue:no_officers'));
    return;
  }
  const keyboard: Keyboard = [];
  for (let index = 0; index < staff.length && index < 30; index += 2) {
    keyboard.push(
      staff.slice(index, index + 2).map((member) => ({
        text: staffName(member),
        callback_data: encodeCallback('q.at', item.id, parsed.version, member.telegramId),
      })),
    );
  }
  ctx.replyText(ctx.t('queue:choose_officer', { id: item.id }), {
    reply_markup: { inline_keyboard: keyboard },
  });
}

/** Button `q.at|<id>|<version>|<officer>`: assigns (or reassigns) the item; the new assignee is told privately. */
export async function assignAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const parsed = idAndVersion(data);
  const officerId = intArg(data.args[2]);
  if (!parsed || !officerId) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  const item = await pressedItem(ctx, parsed.id);
  if (!item) return;
  answerCallback(ctx);
  if (item.version !== parsed.version) {
    await replyStale(ctx, item.id);
    return;
  }
  const officer = (await sectionStaff(ctx.db, item.adminsOnly)).find(
    (member) => member.telegramId === officerId,
  );
  if (!officer || !canAssign(item.status as ItemStatus)) {
    replyWithState(
      ctx,
      item,
      ctx.t('queue:not_allowed', {
        id: item.id,
        status: statusLabel(ctx.t, item.status),
        action: ctx.t(item.assigneeId ? 'queue:action_reassign' : 'queue:action_assign'),
      }),
    );
    return;
  }
  const updated = await updateItemIfUnchanged(
    ctx.db,
    item.id,
    parsed.version,
    { assigneeId: officer.telegramId },
    ctx.services.now(),
  );
  if (!updated) {
    await replyStale(ctx, item.id);
    return;
  }
  await appendAudit(ctx.db, {
    actorId: ctx.person?.telegramId ?? null,
    action: item.assigneeId ? 'item.reassign' : 'item.assign',
    itemId: item.id,
    details: { from: item.assigneeId, to: officer.telegramId },
  });
  if (officer.telegramId !== ctx.person?.telegramId) {
    const t = translatorFor(languageFor(officer.language));
    ctx.out.sendText(officer.telegramId, t('queue:assigned_you', { id: item.id, code: itemCode(item) }));
  }
  replyWithState(ctx, updated, ctx.t('queue:assign_done', { id: item.id, name: staffName(officer) }));
}

/** The merge dialogue's text step: the number of the item to merge into. */
export async function mergeStep(ctx: BotContext, text: string, data: Record<string, unknown>): Promise<void> {
  const itemId = typeof data.itemId === 'number' ? data.itemId : 0;
  const version = typeof data.version === 'number' ? data.version : 0;
  const match = /^#?\s*(\d{1,9})$/.exec(text.trim());
  if (!match) {
    ctx.replyText(ctx.t('queue:merge_bad_number'));
    return;
  }
  const intoId = Number(match[1]);
  if (intoId === itemId) {
    ctx.replyText(ctx.t('queue:merge_self'));
    return;
  }
  const viewer = viewerOf(ctx);
  const target = await loadVisibleItem(ctx.db, intoId, viewer);
  if (!target || target.status === 'merged') {
    ctx.replyText(ctx.t('queue:merge_target_missing', { id: intoId }));
    return;
  }
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  const item = await loadVisibleItem(ctx.db, itemId, viewer);
  if (!item) {
    ctx.replyText(ctx.t('queue:not_found', { id: itemId }));
    return;
  }
  const updated = await applyTransition(
    ctx,
    item,
    version,
    'merge',
    { mergedInto: intoId },
    { into: intoId },
  );
  if (updated) replyWithState(ctx, updated, ctx.t('queue:merge_done', { id: itemId, into: intoId }));
}

/** Looks up a person (staff or reporter) to write to, in their own language. */
export async function translatorOf(ctx: BotContext, telegramId: number) {
  const person = await personById(ctx.db, telegramId);
  return translatorFor(languageFor(person?.language));
}
