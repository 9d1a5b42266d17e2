import type { Queryable } from '../db/client.js';
import type { ItemStatus } from '../domain/item-state.js';
import type { ItemKind, MustInvestigateReason, Priority, SourceKind } from '../domain/routing.js';
import type { Domain } from '../domain/tip-code.js';
import type { Language } from '../i18n.js';
import { unitName } from '../labels.js';
import { itemSummaryRows } from './store.js';

/**
 * What may be said about an item without its text or its reporter: safe for alerts, lists,
 * digests and exports. Never add the text or the reporter's id here.
 */
export interface ItemSummary {
  id: number;
  kind: ItemKind;
  sourceKind: SourceKind;
  sourceAgency: string | null;
  domain: Domain;
  unitCode: string;
  unitNameZh: string;
  unitNameEn: string;
  /** `<DOMAIN>-<UNIT>`, e.g. `F-HPZ`. */
  code: string;
  status: ItemStatus;
  priority: Priority;
  mustInvestigate: boolean;
  reasons: MustInvestigateReason[];
  repeatSubject: boolean;
  adminsOnly: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The code people type for a domain and unit, e.g. `F-HPZ`. */
export function itemCode(domain: string, unitCode: string): string {
  return `${domain}-${unitCode}`;
}

/** The unit's name in the reader's language (the Chinese name unless they read English). */
export function unitNameFor(
  item: Pick<ItemSummary, 'unitNameZh' | 'unitNameEn'>,
  language: Language,
): string {
  return unitName({ nameZh: item.unitNameZh, nameEn: item.unitNameEn }, language);
}

/** Summaries of the given items (any order; missing ids are skipped); never includes text or reporter. */
export async function loadItemSummaries(db: Queryable, ids: readonly number[]): Promise<ItemSummary[]> {
  if (ids.length === 0) return [];
  return (await itemSummaryRows(db, ids)).map(summaryOfRow);
}

/** A summary from an item row as itemSummaryRows (or insertItem) returns it. */
export function summaryOfRow(row: Awaited<ReturnType<typeof itemSummaryRows>>[number]): ItemSummary {
  return {
    ...row,
    unitNameZh: row.unitNameZh ?? row.unitCode,
    unitNameEn: row.unitNameEn ?? row.unitCode,
    code: itemCode(row.domain, row.unitCode),
  };
}

/** The summary of one item, or null if there is no such item. */
export async function loadItemSummary(db: Queryable, id: number): Promise<ItemSummary | null> {
  const [summary] = await loadItemSummaries(db, [id]);
  return summary ?? null;
}
