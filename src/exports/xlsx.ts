import { asc, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { translatorFor } from '../bot/i18n.js';
import type { Queryable } from '../db/client.js';
import { items, units } from '../db/schema.js';

/** One item as exported: numbers, codes, statuses and times. No text and no reporter, ever. */
export interface QueueExportRow {
  id: number;
  domain: string;
  unitCode: string;
  unitName: string | null;
  kind: string;
  sourceKind: string;
  sourceAgency: string | null;
  status: string;
  priority: string;
  mustInvestigate: boolean;
  reasons: string[];
  repeatSubject: boolean;
  forwardedAgency: string | null;
  mergedInto: number | null;
  triageDueAt: Date | null;
  concludeDueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  concludedAt: Date | null;
}

/** Every item in number order; admins-only items (about the Organization Department) only when asked for. */
export async function loadQueueExportRows(
  db: Queryable,
  options: { includeAdminsOnly: boolean },
): Promise<QueueExportRow[]> {
  return db
    .select({
      id: items.id,
      domain: items.domain,
      unitCode: items.unitCode,
      unitName: units.nameZh,
      kind: items.kind,
      sourceKind: items.sourceKind,
      sourceAgency: items.sourceAgency,
      status: items.status,
      priority: items.priority,
      mustInvestigate: items.mustInvestigate,
      reasons: items.reasons,
      repeatSubject: items.repeatSubject,
      forwardedAgency: items.forwardedAgency,
      mergedInto: items.mergedInto,
      triageDueAt: items.triageDueAt,
      concludeDueAt: items.concludeDueAt,
      createdAt: items.createdAt,
      updatedAt: items.updatedAt,
      concludedAt: items.concludedAt,
    })
    .from(items)
    .leftJoin(units, eq(units.code, items.unitCode))
    .where(options.includeAdminsOnly ? undefined : eq(items.adminsOnly, false))
    .orderBy(asc(items.id));
}

/** The items sheet's columns: Chinese header, width, and how a row fills it. */
function columns(timeZone: string) {
  const t = translatorFor('zh-CN');
  const time = (date: Date | null) =>
    date ? DateTime.fromJSDate(date, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm') : '';
  const label = (key: string, fallback: string) => {
    const text = t(key);
    return text === key || text === key.split(':')[1] ? fallback : text;
  };
  return [
    { header: '编号', width: 8, value: (r: QueueExportRow) => r.id },
    { header: '编码', width: 12, value: (r: QueueExportRow) => `${r.domain}-${r.unitCode}` },
    { header: '类别', width: 10, value: (r: QueueExportRow) => label(`queue:domain_${r.domain}`, r.domain) },
    { header: '单位代码', width: 10, value: (r: QueueExportRow) => r.unitCode },
    { header: '单位', width: 16, value: (r: QueueExportRow) => r.unitName ?? '' },
    { header: '类型', width: 8, value: (r: QueueExportRow) => KIND_ZH[r.kind] ?? r.kind },
    { header: '来源', width: 14, value: (r: QueueExportRow) => SOURCE_ZH[r.sourceKind] ?? r.sourceKind },
    { header: '来源单位', width: 12, value: (r: QueueExportRow) => r.sourceAgency ?? '' },
    { header: '状态', width: 14, value: (r: QueueExportRow) => label(`queue:status_${r.status}`, r.status) },
    {
      header: '优先级',
      width: 8,
      value: (r: QueueExportRow) => label(`queue:priority_${r.priority}`, r.priority),
    },
    { header: '是否必查', width: 9, value: (r: QueueExportRow) => (r.mustInvestigate ? '是' : '否') },
    {
      header: '必查理由',
      width: 40,
      value: (r: QueueExportRow) =>
        r.reasons.map((reason) => label(`queue:reason_${reason}`, reason)).join('；'),
    },
    { header: '重复反映对象', width: 12, value: (r: QueueExportRow) => (r.repeatSubject ? '是' : '否') },
    { header: '转办单位', width: 10, value: (r: QueueExportRow) => r.forwardedAgency ?? '' },
    { header: '并入', width: 8, value: (r: QueueExportRow) => r.mergedInto ?? '' },
    { header: '分办期限', width: 17, value: (r: QueueExportRow) => time(r.triageDueAt) },
    { header: '办结期限', width: 17, value: (r: QueueExportRow) => time(r.concludeDueAt) },
    { header: '收到时间', width: 17, value: (r: QueueExportRow) => time(r.createdAt) },
    { header: '更新时间', width: 17, value: (r: QueueExportRow) => time(r.updatedAt) },
    { header: '办结时间', width: 17, value: (r: QueueExportRow) => time(r.concludedAt) },
  ];
}

const KIND_ZH: Record<string, string> = { tip: '线索', notice: '通报', report: '举报登记' };
const SOURCE_ZH: Record<string, string> = {
  monitor: '社区信息员',
  liaison: '联席会议联络员',
  hotline: '监督电话',
  mailbox: '举报信箱',
};

/** The statistics sheet's sections: counts by status, domain, unit and source. */
function statistics(
  rows: readonly QueueExportRow[],
  timeZone: string,
): Array<[string, Array<[string, number]>]> {
  const cols = columns(timeZone);
  const columnValue = (header: string) => cols.find((column) => column.header === header)?.value;
  const tally = (header: string): Array<[string, number]> => {
    const value = columnValue(header);
    const counts = new Map<string, number>();
    for (const row of rows) {
      const key = String(value?.(row) ?? '');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  return [
    ['按状态', tally('状态')],
    ['按类别', tally('类别')],
    ['按单位', tally('单位代码')],
    ['按来源', tally('来源')],
  ];
}

/**
 * The queue as an .xlsx workbook: sheet 事项 (one row per item, Chinese headers, times in
 * `timeZone`) and sheet 统计 (counts by status, domain, unit, source). Never contains report text
 * or who reported.
 */
export async function buildQueueWorkbook(rows: readonly QueueExportRow[], timeZone: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'liaison-bot';
  const sheet = workbook.addWorksheet('事项', { views: [{ state: 'frozen', ySplit: 1 }] });
  const cols = columns(timeZone);
  sheet.columns = cols.map((column) => ({ header: column.header, width: column.width }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(cols.map((column) => column.value(row)));

  const stats = workbook.addWorksheet('统计');
  stats.columns = [
    { header: '项目', width: 20 },
    { header: '件数', width: 10 },
  ];
  stats.getRow(1).font = { bold: true };
  stats.addRow(['合计', rows.length]);
  for (const [title, counts] of statistics(rows, timeZone)) {
    stats.addRow([]);
    stats.addRow([title]).font = { bold: true };
    for (const [key, total] of counts) stats.addRow([key, total]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
