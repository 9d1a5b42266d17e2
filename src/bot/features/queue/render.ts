import { DateTime } from 'luxon';
import { BUTTONS } from '../../../buttons.js';
import { allowedActions, type ItemAction } from '../../../domain/item-state.js';
import { canAssign, isOverdue } from '../../../domain/triage.js';
import type { Translate } from '../../../i18n.js';
import type { SealedSource } from '../../../items/card.js';
import type { ItemRow, QueueRow, Viewer } from '../../../items/store.js';
import { itemCode } from '../../../items/summary.js';
import type { TransitionOutcome } from '../../../items/transitions.js';
import { agencyName, domainName, priorityName, statusName, unitName } from '../../../labels.js';
import { unitByCode } from '../../../units/directory.js';
import type { BotContext } from '../../context.js';

/** An inline keyboard as Telegram takes it. */
export type Keyboard = Array<Array<{ text: string; callback_data: string }>>;

/** The viewer of this update: the sender, and whether they are an admin. */
export function viewerOf(ctx: BotContext): Viewer {
  return { telegramId: ctx.person?.telegramId ?? 0, admin: ctx.person?.role === 'admin' };
}

/** A date and time in the configured zone, as officers read it (2025-03-05 17:30). */
export function formatTime(date: Date | null, timeZone: string, t: Translate): string {
  if (!date) return t('queue:due_none');
  return DateTime.fromJSDate(date, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
}

/** A short date for the queue rows (03-05). */
export function formatDay(date: Date | null, timeZone: string, t: Translate): string {
  if (!date) return t('queue:due_none');
  return DateTime.fromJSDate(date, { zone: timeZone }).toFormat('MM-dd');
}

/** The translated name of a status. */
export function statusLabel(t: Translate, status: string): string {
  return statusName(t, status);
}

/** Who reported, in words: "community monitor", "liaison", "notice of the audit bureau", "hotline (signed)". */
export function sourceText(t: Translate, source: SealedSource): string {
  if (source.kind === 'monitor') return t('labels:source_monitor');
  if (source.kind === 'liaison') {
    return source.noticeAgency
      ? t('labels:source_notice_of', { agency: agencyName(t, source.noticeAgency) })
      : t('labels:source_liaison');
  }
  return t(`labels:source_${source.kind}_${source.signed ? 'signed' : 'anonymous'}`);
}

/** Longest head name a queue line shows whole, in code points; a longer one is cut with "…". */
export const QUEUE_HEAD_NAME_MAX = 6;

/** A head's name as short as a queue line has room for. */
export function shortHeadName(name: string): string {
  const points = Array.from(name.trim());
  return points.length <= QUEUE_HEAD_NAME_MAX
    ? points.join('')
    : `${points.slice(0, QUEUE_HEAD_NAME_MAX - 1).join('')}…`;
}

/**
 * One line of the queue: number, code, the head's name when known (cut to fit one line on a phone),
 * priority, status, due date. No text, no reporter.
 */
export function queueRowLine(
  t: Translate,
  row: QueueRow,
  now: Date,
  timeZone: string,
  headName: string | null = null,
): string {
  const due = row.status === 'new' ? row.triageDueAt : row.concludeDueAt;
  const key = isOverdue(row, now) ? 'queue:list_row_late' : 'queue:list_row';
  const code = itemCode(row.domain, row.unitCode);
  return t(key, {
    id: row.id,
    code: headName ? t('queue:list_row_code_head', { code, head: shortHeadName(headName) }) : code,
    priority: priorityName(t, row.priority),
    status: statusLabel(t, row.status),
    due: formatDay(due, timeZone, t),
  });
}

/** The action buttons of an item: allowed transitions, then assign/reassign, each carrying the version seen. */
export function actionKeyboard(
  t: Translate,
  item: { id: number; version: number; assigneeId: number | null },
  actions: readonly ItemAction[],
  assignable: boolean,
): Keyboard {
  const buttons = actions.map((action) => ({
    text: t(`queue:action_${action}`),
    callback_data: BUTTONS.itemAction.encode({ id: item.id, version: item.version, action }),
  }));
  if (assignable) {
    buttons.push({
      text: t(item.assigneeId ? 'queue:action_reassign' : 'queue:action_assign'),
      callback_data: BUTTONS.assignChoices.encode({ id: item.id, version: item.version }),
    });
  }
  const rows: Keyboard = [];
  for (let index = 0; index < buttons.length; index += 3) rows.push(buttons.slice(index, index + 3));
  return rows;
}

/** The action buttons the viewer may press on this item now. */
export function keyboardFor(ctx: BotContext, item: ItemRow): Keyboard {
  const admin = ctx.person?.role === 'admin';
  return actionKeyboard(ctx.t, item, allowedActions(item.status, { admin }), canAssign(item.status));
}

/** A unit as a person reads it: its name in the reader's language, its code when the directory has none. */
export async function unitLabel(ctx: BotContext, code: string): Promise<string> {
  const unit = await unitByCode(ctx.db, code);
  return (unit && unitName(unit, ctx.lang)) || code;
}

/** A one-message summary of the item's state without its text, for confirmations after an action. */
export async function stateLine(ctx: BotContext, item: ItemRow): Promise<string> {
  return [
    ctx.t('queue:card_header', {
      id: item.id,
      code: itemCode(item.domain, item.unitCode),
      unit: await unitLabel(ctx, item.unitCode),
      domain: domainName(ctx.t, item.domain),
    }),
    ctx.t('queue:card_status', {
      status: statusLabel(ctx.t, item.status),
      priority: priorityName(ctx.t, item.priority),
    }),
  ].join('\n');
}

/** Sends the item's state line with the buttons now allowed; after every action and every refusal. */
export async function replyWithState(ctx: BotContext, item: ItemRow, headline: string): Promise<void> {
  const keyboard = keyboardFor(ctx, item);
  ctx.replyText(
    `${headline}\n\n${await stateLine(ctx, item)}`,
    keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {},
  );
}

/**
 * Renders a transition that did not happen: someone changed the item first (shown as it is now), or
 * the action is not possible from its status. `actionKey` names the action in the refusal.
 */
export async function replyRefused(
  ctx: BotContext,
  outcome: Exclude<TransitionOutcome, { kind: 'done' }>,
  id: number,
  actionKey: string,
): Promise<void> {
  if (outcome.kind === 'stale') {
    const current = outcome.current;
    if (!current) {
      ctx.replyText(ctx.t('queue:not_found', { id }));
      return;
    }
    await replyWithState(
      ctx,
      current,
      ctx.t('queue:stale', { id, status: statusLabel(ctx.t, current.status) }),
    );
    return;
  }
  await replyWithState(
    ctx,
    outcome.item,
    ctx.t('queue:not_allowed', {
      id: outcome.item.id,
      status: statusLabel(ctx.t, outcome.item.status),
      action: ctx.t(actionKey),
    }),
  );
}
