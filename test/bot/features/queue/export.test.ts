import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand as cliExport } from '../../../../src/cli/export.js';
import { writeOutputFile } from '../../../../src/cli/output.js';
import { auditLog, outbox } from '../../../../src/db/schema.js';
import { createLogger } from '../../../../src/logger.js';
import { createHarness, type Harness } from '../../../support/harness.js';
import { textMessage, user } from '../../../support/updates.js';
import { ADMIN, insertItem, MONITOR, OFFICER_A, SECRET } from './fixtures.js';

/** Every cell of a sheet as text, row by row. */
function cells(sheet: ExcelJS.Worksheet | undefined): string[][] {
  const rows: string[][] = [];
  sheet?.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1).map((value) => String(value ?? '')));
  });
  return rows;
}

async function readWorkbook(bytes: Buffer | Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as never);
  return workbook;
}

describe('/export and export --format xlsx', () => {
  let harness: Harness;
  let ids: number[];
  let zzb: number;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
    await harness.enrol(MONITOR, 'monitor', { community: '丹城社区' });
    ids = [
      await insertItem(harness.db),
      await insertItem(harness.db, { domain: 'P', unitCode: 'SPZ', status: 'accepted' }),
      await insertItem(harness.db, {
        sourceKind: 'hotline',
        reporter: null,
        signed: false,
        status: 'filed',
      }),
    ];
    zzb = await insertItem(harness.db, { unitCode: 'ZZB', adminsOnly: true });
  });
  afterAll(() => harness.close());

  it('sends an officer a workbook with every visible item, Chinese headers, statistics, and no text or reporter', async () => {
    const sent = await harness.send(textMessage(user(OFFICER_A, { lang: 'en' }), '/export'));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.method).toBe('sendDocument');
    expect(sent[0]?.fileName).toMatch(/^document:queue-\d{8}\.xlsx$/);
    const [row] = await harness.db
      .select()
      .from(outbox)
      .where(eq(outbox.id, sent[0]?.id ?? 0));
    const workbook = await readWorkbook(row?.fileBytes as Buffer);
    const items = cells(workbook.getWorksheet('事项'));
    expect(items[0]?.slice(0, 3)).toEqual(['编号', '编码', '领域']);
    expect(items.slice(1).map((r) => Number(r[0]))).toEqual(ids);
    expect(items[2]).toContain('用人权');
    expect(items[2]).toContain('已受理（须查办）');
    const everything = JSON.stringify([items, cells(workbook.getWorksheet('统计'))]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(String(MONITOR));
    expect(everything).not.toContain('ZZB');
    const stats = cells(workbook.getWorksheet('统计'));
    expect(stats).toContainEqual(['合计', '3']);
    expect(stats).toContainEqual(['按来源']);
    expect(stats).toContainEqual(['社区干部监督信息员', '2']);
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'export'));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: OFFICER_A, details: { format: 'xlsx', items: 3 } });
  });

  it('gives admins the admins-only items too', async () => {
    const sent = await harness.send(textMessage(user(ADMIN), '/export'));
    const [row] = await harness.db
      .select()
      .from(outbox)
      .where(eq(outbox.id, sent[0]?.id ?? 0));
    const items = cells((await readWorkbook(row?.fileBytes as Buffer)).getWorksheet('事项'));
    expect(items.slice(1).map((r) => Number(r[0]))).toEqual([...ids, zzb]);
  });

  it('the CLI writes the same workbook to --out, and refuses xlsx to stdout', async () => {
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const context = {
      config: harness.config,
      database: harness.database,
      logger: createLogger('silent'),
      stdout: sink,
      stderr: sink,
      writeOutput: writeOutputFile,
    };
    expect(await cliExport.run({ ...context, args: ['--format', 'xlsx'] })).toBe(2);
    const out = join(await mkdtemp(join(tmpdir(), 'queue-xlsx-')), 'queue.xlsx');
    expect(await cliExport.run({ ...context, args: ['--format', 'xlsx', '--out', out] })).toBe(0);
    const items = cells((await readWorkbook(await readFile(out))).getWorksheet('事项'));
    expect(items.slice(1).map((r) => Number(r[0]))).toEqual([...ids, zzb]);
    expect(JSON.stringify(items)).not.toContain(SECRET);
  });
});
