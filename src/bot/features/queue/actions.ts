import type { Button, CallbackData } from '../../../buttons.js';
import { BUTTONS } from '../../../buttons.js';
import { clearDialogue, setDialogue } from '../../../dialogues.js';
import { AGENCY_CODES } from '../../../domain/agencies.js';
import { correctItemHead, headChoices } from '../../../items/head-correction.js';
import { type ItemRow, loadVisibleItem } from '../../../items/store.js';
import {
  type Acting,
  assignableStaff,
  assignItem,
  checkTransition,
  forwardItem,
  mergeItem,
  takeStep,
} from '../../../items/transitions.js';
import { agencyName } from '../../../labels.js';
import { staffName } from '../../../people/store.js';
import { itemNumberOnly } from '../../arguments.js';
import type { BotContext } from '../../context.js';
import { answerCallback } from '../../feature.js';
import { startConclusion } from './conclude.js';
import { type Keyboard, replyRefused, replyWithState, statusLabel, viewerOf } from './render.js';

/** A handler for a button about an item: decodes it, loads the item, answers the press, then acts. */
function onItemButton<T extends { id: number }>(
  codec: Button<T>,
  act: (ctx: BotContext, pressed: T, item: ItemRow) => Promise<void>,
): (ctx: BotContext, data: CallbackData) => Promise<void> {
  return async (ctx, data) => {
    const press = await pressedItemButton(ctx, codec, data);
    if (press) await act(ctx, press.pressed, press.item);
  };
}

/** Who acts in this update, and when. */
function actingOf(ctx: BotContext): Acting {
  return { viewer: viewerOf(ctx), now: ctx.services.now() };
}

/** Loads the item a button is about; answers the press and returns null when it is gone or hidden. */
async function pressedItem(ctx: BotContext, id: number): Promise<ItemRow | null> {
  const item = await loadVisibleItem(ctx.db, id, viewerOf(ctx));
  if (!item) answerCallback(ctx, ctx.t('queue:not_found', { id }), true);
  return item;
}

/**
 * The press of a button about an item: its decoded fields and the item, with the press answered;
 * null (the press answered with why) when the data is forged or the item is gone or hidden.
 */
async function pressedItemButton<T extends { id: number }>(
  ctx: BotContext,
  codec: Button<T>,
  data: CallbackData,
): Promise<{ pressed: T; item: ItemRow } | null> {
  const pressed = codec.decode(data);
  if (!pressed) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return null;
  }
  const item = await pressedItem(ctx, pressed.id);
  if (!item) return null;
  answerCallback(ctx);
  return { pressed, item };
}

/** Button `q.a|<id>|<version>|<action>`: a state-machine action; forward, merge and conclude ask more first. */
export async function itemAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const press = await pressedItemButton(ctx, BUTTONS.itemAction, data);
  if (!press) return;
  const { pressed, item } = press;
  const { action, version } = pressed;
  const viewer = viewerOf(ctx);
  if (action === 'forward' || action === 'merge' || action === 'conclude') {
    // Check now, so nobody fills in a dialogue for an action that cannot happen.
    const check = checkTransition(item, version, action, viewer);
    if (check.kind !== 'ready') return replyRefused(ctx, check, item.id, `queue:action_${action}`);
  }
  if (action === 'forward') {
    const keyboard: Keyboard = [];
    for (let index = 0; index < AGENCY_CODES.length; index += 3) {
      keyboard.push(
        AGENCY_CODES.slice(index, index + 3).map((agency) => ({
          text: agencyName(ctx.t, agency),
          callback_data: BUTTONS.forward.encode({ id: item.id, version, agency }),
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
        data: { itemId: item.id, version },
      });
    }
    ctx.replyText(ctx.t('queue:merge_prompt', { id: item.id }));
    return;
  }
  if (action === 'conclude') {
    await startConclusion(ctx, item, version);
    return;
  }
  const outcome = await takeStep(
    ctx.db,
    ctx.out,
    { item, version, action },
    { ...actingOf(ctx), timeZone: ctx.services.config.timeZone },
  );
  if (outcome.kind !== 'done') return replyRefused(ctx, outcome, item.id, `queue:action_${action}`);
  await replyWithState(
    ctx,
    outcome.item,
    // One sentence per action, so the reply never contradicts the status it names.
    ctx.t(`queue:done_${action}`, { id: outcome.item.id, status: statusLabel(ctx.t, outcome.item.status) }),
  );
}

/** Button `q.fa|<id>|<version>|<AGENCY>`: forwards to one of the nine agencies, whose liaisons get the number and code. */
export const forwardAction = onItemButton(BUTTONS.forward, async (ctx, pressed, item) => {
  const input = { item, version: pressed.version, agency: pressed.agency };
  const outcome = await forwardItem(ctx.db, ctx.out, input, actingOf(ctx));
  if (outcome.kind !== 'done') return replyRefused(ctx, outcome, item.id, 'queue:action_forward');
  await replyWithState(
    ctx,
    outcome.item,
    ctx.t('queue:forward_done', {
      id: outcome.item.id,
      agency: agencyName(ctx.t, pressed.agency),
      count: outcome.liaisons ?? 0,
    }),
  );
});

/** Button `q.as|<id>|<version>`: the officers (admins only, for admins-only items) to choose from. */
export async function assignChoices(ctx: BotContext, data: CallbackData): Promise<void> {
  const press = await pressedItemButton(ctx, BUTTONS.assignChoices, data);
  if (!press) return;
  const { pressed, item } = press;
  if (item.version !== pressed.version) {
    return replyRefused(ctx, { kind: 'stale', current: item }, item.id, 'queue:action_assign');
  }
  const staff = await assignableStaff(ctx.db, item);
  if (staff.length === 0) {
    ctx.replyText(ctx.t('queue:no_officers'));
    return;
  }
  const keyboard: Keyboard = [];
  for (let index = 0; index < staff.length && index < 30; index += 2) {
    keyboard.push(
      staff.slice(index, index + 2).map((member) => ({
        text: staffName(member),
        callback_data: BUTTONS.assignTo.encode({
          id: item.id,
          version: pressed.version,
          officer: member.telegramId,
        }),
      })),
    );
  }
  ctx.replyText(ctx.t('queue:choose_officer', { id: item.id }), {
    reply_markup: { inline_keyboard: keyboard },
  });
}

/** Button `q.at|<id>|<version>|<officer>`: assigns (or reassigns) the item; the new assignee is told privately. */
export const assignAction = onItemButton(BUTTONS.assignTo, async (ctx, pressed, item) => {
  const input = { item, version: pressed.version, officerId: pressed.officer };
  const outcome = await assignItem(ctx.db, ctx.out, input, actingOf(ctx));
  if (outcome.kind !== 'assigned') {
    return replyRefused(
      ctx,
      outcome,
      item.id,
      item.assigneeId ? 'queue:action_reassign' : 'queue:action_assign',
    );
  }
  await replyWithState(
    ctx,
    outcome.item,
    ctx.t('queue:assign_done', { id: item.id, name: staffName(outcome.officer) }),
  );
});

/** The merge dialogue's text step: the number of the item to merge into. */
export async function mergeStep(ctx: BotContext, text: string, data: Record<string, unknown>): Promise<void> {
  const itemId = typeof data.itemId === 'number' ? data.itemId : 0;
  const version = typeof data.version === 'number' ? data.version : 0;
  const intoId = itemNumberOnly(text);
  if (intoId === null) {
    ctx.replyText(ctx.t('queue:merge_bad_number'));
    return;
  }
  const outcome = await mergeItem(ctx.db, itemId, version, intoId, viewerOf(ctx), ctx.services.now());
  if (outcome.kind === 'self') {
    ctx.replyText(ctx.t('queue:merge_self'));
    return;
  }
  if (outcome.kind === 'target_missing') {
    ctx.replyText(ctx.t('queue:merge_target_missing', { id: intoId }));
    return;
  }
  if (outcome.kind === 'target_ended') {
    ctx.replyText(
      ctx.t('queue:merge_target_ended', { id: intoId, status: statusLabel(ctx.t, outcome.target.status) }),
    );
    return;
  }
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  if (outcome.kind === 'not_found') {
    ctx.replyText(ctx.t('queue:not_found', { id: itemId }));
    return;
  }
  if (outcome.kind !== 'done') return replyRefused(ctx, outcome, itemId, 'queue:action_merge');
  await replyWithState(ctx, outcome.item, ctx.t('queue:merge_done', { id: itemId, into: intoId }));
}

/** Button `q.hh|<id>|<version>`: the people who headed the item's unit, to say which one it is about. */
export async function headChoicesAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const press = await pressedItemButton(ctx, BUTTONS.headChoices, data);
  if (!press) return;
  const { pressed, item } = press;
  if (item.version !== pressed.version) {
    return replyRefused(ctx, { kind: 'stale', current: item }, item.id, 'queue:action_head');
  }
  const choices = (await headChoices(ctx.db, item)).slice(0, 30);
  if (choices.length === 0) {
    ctx.replyText(ctx.t('queue:head_none', { unit: item.unitCode }));
    return;
  }
  const keyboard: Keyboard = [];
  for (let index = 0; index < choices.length; index += 2) {
    keyboard.push(
      choices.slice(index, index + 2).map((choice, offset) => ({
        text: `${choice.personKey === item.headPersonKey ? '✓ ' : ''}${choice.name ?? ctx.t('heads:unknown_head')}`,
        callback_data: BUTTONS.headTo.encode({
          id: item.id,
          version: pressed.version,
          index: index + offset,
        }),
      })),
    );
  }
  ctx.replyText(ctx.t('queue:head_choose', { id: item.id, unit: item.unitCode }), {
    reply_markup: { inline_keyboard: keyboard },
  });
}

/** Button `q.ht|<id>|<version>|<index>`: records which head the item is about (audited). */
export const headToAction = onItemButton(BUTTONS.headTo, async (ctx, pressed, item) => {
  const choice = (await headChoices(ctx.db, item))[pressed.index];
  if (!choice) {
    return replyRefused(ctx, { kind: 'stale', current: item }, item.id, 'queue:action_head');
  }
  const outcome = await correctItemHead(
    ctx.db,
    { item, version: pressed.version, personKey: choice.personKey },
    { ...actingOf(ctx), timeZone: ctx.services.config.timeZone },
  );
  if (outcome.kind === 'stale') return replyRefused(ctx, outcome, item.id, 'queue:action_head');
  if (outcome.kind === 'not_a_head') {
    return replyRefused(ctx, { kind: 'stale', current: item }, item.id, 'queue:action_head');
  }
  const name = choice.name ?? ctx.t('heads:unknown_head');
  if (outcome.kind === 'unchanged') {
    ctx.replyText(ctx.t('queue:head_unchanged', { id: item.id, head: name }));
    return;
  }
  const lines = [ctx.t('queue:head_corrected', { id: item.id, unit: item.unitCode, head: name })];
  if (outcome.pointsStay) lines.push(ctx.t('queue:head_points_stay'));
  await replyWithState(ctx, outcome.item, lines.join('\n'));
});
