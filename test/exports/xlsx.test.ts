import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { ExportRow } from '../../src/exports/items.js';
import { buildQueueWorkbook } from '../../src/exports/xlsx.js';

/** Every row of a sheet as its cells' values (empty rows are skipped by exceljs). */
function cells(sheet: ExcelJS.Worksheet | undefined): unknown[][] {
  const rows: unknown[][] = [];
  sheet?.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1));
  });
  return rows;
}

const row = (values: Partial<ExportRow>): ExportRow => ({
  number: 1,
  code: 'F-HPZ',
  kind: 'tip',
  domain: 'F',
  unit: 'HPZ',
  unit_name: '鹤浦镇',
  head: '张伟',
  source_kind: 'monitor',
  source_agency: null,
  signed: true,
  status: 'new',
  priority: 'high',
  must_investigate: true,
  reasons: ['specific_content', 'signed_or_contactable'],
  admins_only: false,
  created_at: '2025-06-10T02:05:00.000Z',
  updated_at: '2025-06-10T16:30:00.000Z',
  ...values,
});

const HEADERS = [
  '编号',
  '编码',
  '领域',
  '单位代码',
  '单位',
  '一把手',
  '类型',
  '来源',
  '来源单位',
  '署名',
  '状态',
  '优先级',
  '是否必查',
  '必查理由',
  '仅限管理员',
  '收到时间',
  '更新时间',
];

describe('buildQueueWorkbook', () => {
  const rows = [
    row({}),
    row({
      number: 2,
      code: 'P-ZZB',
      kind: 'notice',
      domain: 'P',
      unit: 'ZZB',
      unit_name: null,
      head: null,
      source_kind: 'liaison',
      source_agency: 'AUD',
      signed: false,
      status: 'accepted',
      priority: 'normal',
      must_investigate: false,
      reasons: [],
      admins_only: true,
    }),
    row({
      number: 3,
      kind: 'report',
      source_kind: 'hotline',
      status: 'new',
      priority: 'odd',
      reasons: ['odd_reason'],
    }),
  ];

  it('has one row per item in Chinese, times in the county’s zone, and a frozen bold header', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buildQueueWorkbook(rows, 'Asia/Shanghai')) as never);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['事项', '统计']);
    const items = workbook.getWorksheet('事项');
    expect(items?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(items?.getRow(1).font?.bold).toBe(true);
    expect(cells(items)).toEqual([
      HEADERS,
      [
        1,
        'F-HPZ',
        '财权',
        'HPZ',
        '鹤浦镇',
        '张伟',
        '信息',
        '社区干部监督信息员',
        '',
        '是',
        '待分办',
        '高',
        '是',
        '反映问题有明确线索或具体内容；举报人署真实姓名或提供联络方法',
        '否',
        '2025-06-10 10:05',
        '2025-06-11 00:30',
      ],
      [
        2,
        'P-ZZB',
        '用人权',
        'ZZB',
        '',
        '',
        '通报',
        '联席会议成员单位联络员',
        'AUD',
        '否',
        '已受理（须查办）',
        '一般',
        '否',
        '',
        '是',
        '2025-06-10 10:05',
        '2025-06-11 00:30',
      ],
      // Values without a label are written as they are, never as a translation key.
      [
        3,
        'F-HPZ',
        '财权',
        'HPZ',
        '鹤浦镇',
        '张伟',
        '举报登记',
        '监督电话',
        '',
        '是',
        '待分办',
        'odd',
        '是',
        'odd_reason',
        '否',
        '2025-06-10 10:05',
        '2025-06-11 00:30',
      ],
    ]);
    const utc = new ExcelJS.Workbook();
    await utc.xlsx.load((await buildQueueWorkbook(rows.slice(0, 1), 'UTC')) as never);
    expect(cells(utc.getWorksheet('事项'))[1]?.slice(15)).toEqual(['2025-06-10 02:05', '2025-06-10 16:30']);
  });

  it('counts by status, domain, unit and source, most first, then by name', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buildQueueWorkbook(rows, 'Asia/Shanghai')) as never);
    expect(cells(workbook.getWorksheet('统计'))).toEqual([
      ['项目', '件数'],
      ['合计', 3],
      ['按状态'],
      ['待分办', 2],
      ['已受理（须查办）', 1],
      ['按领域'],
      ['财权', 2],
      ['用人权', 1],
      ['按单位'],
      ['HPZ', 2],
      ['ZZB', 1],
      ['按来源'],
      // One each: ordered by name as the runtime's locale compares them.
      ...['社区干部监督信息员', '监督电话', '联席会议成员单位联络员']
        .sort((a, b) => a.localeCompare(b))
        .map((name) => [name, 1]),
    ]);
  });

  it('writes headers and an empty count for no items', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buildQueueWorkbook([], 'Asia/Shanghai')) as never);
    expect(cells(workbook.getWorksheet('事项'))).toEqual([HEADERS]);
    expect(cells(workbook.getWorksheet('统计'))).toEqual([
      ['项目', '件数'],
      ['合计', 0],
      ['按状态'],
      ['按领域'],
      ['按单位'],
      ['按来源'],
    ]);
  });
});
