import { DateTime } from 'luxon';
import { translatorFor } from '../i18n.js';
import type { ExportRow } from './items.js';

/** The items sheet's columns (the CLI export's fields): Chinese header, width, and how a row fills it. */
function columns(timeZone: string) {
  const t = translatorFor('zh-CN');
  const time = (iso: string | null) =>
    iso ? DateTime.fromISO(iso, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm') : '';
  const label = (key: string, fallback: string) => {
    const text = t(key);
    return text === key || text === key.split(':')[1] ? fallback : text;
  };
  return [
    { header: '编号', width: 8, value: (r: ExportRow) => r.number },
    { header: '编码', width: 12, value: (r: ExportRow) => r.code },
    {
      header: domainHeader(),
      width: 10,
      value: (r: ExportRow) => label(`labels:domain_${r.domain}`, r.domain),
    },
    { header: '单位代码', width: 10, value: (r: ExportRow) => r.unit },
    { header: '单位', width: 16, value: (r: ExportRow) => r.unit_name ?? '' },
    { header: '一把手', width: 10, value: (r: ExportRow) => r.head ?? '' },
    { header: '类型', width: 10, value: (r: ExportRow) => KIND_ZH[r.kind] ?? r.kind },
    {
      header: '来源',
      width: 14,
      value: (r: ExportRow) => label(`glossary:source_${r.source_kind}`, r.source_kind),
    },
    { header: '来源单位', width: 10, value: (r: ExportRow) => r.source_agency ?? '' },
    { header: '署名', width: 6, value: (r: ExportRow) => (r.signed ? '是' : '否') },
    { header: '状态', width: 14, value: (r: ExportRow) => label(`labels:status_${r.status}`, r.status) },
    {
      header: '优先级',
      width: 8,
      value: (r: ExportRow) => label(`labels:priority_${r.priority}`, r.priority),
    },
    { header: '是否必查', width: 9, value: (r: ExportRow) => (r.must_investigate ? '是' : '否') },
    {
      header: '必查理由',
      width: 40,
      value: (r: ExportRow) => r.reasons.map((reason) => label(`queue:reason_${reason}`, reason)).join('；'),
    },
    { header: '仅限管理员', width: 10, value: (r: ExportRow) => (r.admins_only ? '是' : '否') },
    { header: '收到时间', width: 17, value: (r: ExportRow) => time(r.created_at) },
    { header: '更新时间', width: 17, value: (r: ExportRow) => time(r.updated_at) },
  ];
}

/** The domain column's header: the glossary's word for a domain (领域), as the bot says it. */
const domainHeader = (): string => translatorFor('zh-CN')('glossary:domain');
const KIND_ZH: Record<string, string> = { tip: '信息', notice: '通报', report: '举报登记' };

/** The statistics sheet's sections: counts by status, domain, unit and source. */
function statistics(rows: readonly ExportRow[], timeZone: string): Array<[string, Array<[string, number]>]> {
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
    [`按${domainHeader()}`, tally(domainHeader())],
    ['按单位', tally('单位代码')],
    ['按来源', tally('来源')],
  ];
}

/**
 * The queue as an .xlsx workbook: sheet 事项 (one row per item, Chinese headers, times in
 * `timeZone`) and sheet 统计 (counts by status, domain, unit, source). Never contains report text
 * or who reported.
 */
export async function buildQueueWorkbook(rows: readonly ExportRow[], timeZone: string): Promise<Buffer> {
  // Loaded on first export: importing exceljs costs ~0.2-0.4 s, which every start of the bot paid.
  const { default: ExcelJS } = await import('exceljs');
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
