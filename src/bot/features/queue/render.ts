import { DateTime } from 'luxon';
import type { Queryable } from '../../../db/client.js';
import { AGENCY_CODES } from '../../../domain/agencies.js';
import type { ItemAction } from '../../../domain/item-state.js';
import { isOverdue } from '../../../domain/triage.js';
import { encodeCallback } from '../../callback-data.js';
import type { Translate } from '../../i18n.js';
import { reporterIdOf } from '../../../items/reporter-link.js';
import { type ItemRow, personById, type QueueRow } from './store.js';

/** An inline keyboard as Telegram takes it. */
export type Keyboard = Array<Array<{ text: string; callback_data: string }>>;

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

/** The item's code as people type it: `F-HPZ`. */
export function itemCode(item: { domain: string; unitCode: string }): string {
  return `${item.domain}-${item.unitCode}`;
}

/** The translated name of a status. */
export function statusLabel(t: Translate, status: string): string {
  return t(`queue:status_${status}`);
}

/** The translated name of an agency code (the code itself when unknown). */
export function agencyLabel(t: Translate, agency: string | null): string {
  if (agency && (AGENCY_CODES as readonly string[]).includes(agency)) return t(`queue:agency_${agency}`);
  return agency ?? '?';
}

/**
 * Who reported, sealed: "community monitor (丹城社区)", "liaison (审计局)", "hotline (signed)". Never a
 * name, username or Telegram id: officers learn the kind of source only.
 */
export async function sealedSource(db: Queryable, t: Translate, item: ItemRow): Promise<string> {
  const reporterId = reporterIdOf(item);
  if (item.sourceKind === 'monitor') {
    const reporter = reporterId ? await personById(db, reporterId) : null;
    return t('queue:source_monitor', { community: reporter?.community ?? '?' });
  }
  if (item.sourceKind === 'liaison') {
    let agency = item.sourceAgency;
    if (!agency && reporterId) agency = (await personById(db, reporterId))?.agency ?? null;
    return t('queue:source_liaison', { agency: agencyLabel(t, agency) });
  }
  return t(`queue:source_${item.sourceKind}_${item.signed ? 'signed' : 'anonymous'}`);
}

/** One line of the queue: number, code, priority, status, due date. No text, no reporter. */
export function queueRowLine(t: Translate, row: QueueRow, now: Date, timeZone: string): string {
  const due = row.status === 'new' ? row.triageDueAt : row.concludeDueAt;
  const key = isOverdue(row, now) ? 'queue:list_row_late' : 'queue:list_row';
  return t(key, {
    id: row.id,
    code: itemCode(row),
    priority: t(`queue:priority_${row.priority}`),
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
    callback_data: encodeCallback('q.a', item.id, item.version, action),
  }));
  if (assignable) {
    buttons.push({
      text: t(item.assigneeId ? 'queue:action_reassign' : 'queue:action_assign'),
      callback_data: encodeCallback('q.as', item.id, item.version),
    });
  }
  const rows: Keyboard = [];
  for (let index = 0; index < buttons.length; index += 3) rows.push(buttons.slice(index, index + 3));
  return rows;
}
