// The ground truth of a scripted run, as labels for the linker: which rows name items and which rows
// stand for a reporter. The test may use the key for this (it is the referee, not the attacker).

import { personNumberOf, stableKeyedNumberFor } from '../../src/crypto/person-numbers.js';
import {
  blindIndexesFor,
  chatKeyFor,
  columnPlace,
  keyedNumbersFor,
  unsealAt,
} from '../../src/crypto/sealing.js';
import type { DumpTable, Labels } from './linker.js';
import type { ScriptedRunTruth } from './scripted-run.js';

/** Columns that hold an item's number wherever they appear. */
const ITEM_COLUMNS = ['item_id', 'related_id', 'merged_into'];

function asNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

/** Reporter ids a row mentions in clear: a Telegram id column, an order key `u<id>`, audit details. */
function mentionedReporter(
  table: DumpTable,
  row: Record<string, unknown>,
  reporters: Set<number>,
  keyed: Map<string, number>,
): number | null {
  const candidates: unknown[] = [];
  switch (table.name) {
    case 'reporter_ledgers':
      candidates.push(typeof row.key === 'string' ? keyed.get(row.key) : null);
      break;
    case 'reply_refs': {
      // Sealed: the referee opens it to know whose chat the message went to.
      const value =
        typeof row.value === 'string' ? unsealAt(columnPlace('reply_refs', 'value'), row.value) : '{}';
      candidates.push((JSON.parse(value) as { chatId?: number }).chatId);
      break;
    }
    case 'people':
      // People are keyed by person number: the referee, who holds the key, knows whose.
      candidates.push(row.telegram_id, keyed.get(String(row.telegram_id)));
      break;
    case 'outbox':
      // A private chat is addressed by a keyed number: the referee, who holds the key, knows whose.
      candidates.push(row.chat_id, keyed.get(String(row.chat_id)));
      break;
    case 'inbox_updates':
      candidates.push(
        typeof row.order_key === 'string' ? row.order_key.replace(/^[uc]/, '') : null,
        typeof row.order_key === 'string' ? keyed.get(row.order_key) : null,
      );
      break;
    case 'dialogues':
      candidates.push(row.user_id, keyed.get(String(row.user_id)));
      break;
    case 'invites':
      candidates.push(row.used_by, keyed.get(String(row.used_by)));
      break;
    case 'audit_log': {
      candidates.push(row.actor_id, keyed.get(String(row.actor_id)));
      const details = row.details as Record<string, unknown> | null;
      if (details)
        for (const value of [details.userId, details.telegramId, details.personId, details.to, details.from])
          candidates.push(value, keyed.get(String(value)));
      break;
    }
    default:
      return null;
  }
  for (const candidate of candidates) {
    const id = asNumber(candidate);
    if (id !== null && reporters.has(id)) return id;
  }
  return null;
}

/** Labels for the linker from a scripted run's truth and its reporters' Telegram ids. */
export function labelsFor(truth: ScriptedRunTruth, reporters: Set<number>): Labels {
  // The keyed values that stand for each reporter (the referee holds the key; the linker never sees this).
  const keyed = new Map<string, number>();
  for (const id of reporters) {
    keyed.set(String(chatKeyFor(id)), id);
    keyed.set(String(personNumberOf(id)), id);
    for (const key of blindIndexesFor('order', `u${id}`)) keyed.set(key, id);
    for (const key of blindIndexesFor('ledger', String(id))) keyed.set(key, id);
    for (const key of keyedNumbersFor('dialogue', id)) keyed.set(String(key), id);
    keyed.set(String(stableKeyedNumberFor('dialogue', id)), id);
  }
  return {
    itemsNamed(table, row) {
      if (table.name === 'items') {
        const id = asNumber(row.id);
        return id === null ? [] : [id];
      }
      const named: number[] = [];
      for (const column of ITEM_COLUMNS) {
        const id = asNumber(row[column]);
        if (id !== null) named.push(id);
      }
      return named;
    },
    reporterOf: (table, row) => mentionedReporter(table, row, reporters, keyed),
    reporterOfItem: (item) => truth.reporterOf.get(item),
  };
}
