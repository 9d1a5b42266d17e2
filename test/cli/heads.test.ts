import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headsCommand } from '../../src/cli/heads.js';
import { heads, headTenures } from '../../src/db/schema.js';
import { loadUnits, upsertUnits } from '../../src/units/directory.js';
import { capture, runCommand } from '../support/cli.js';
import { createHarness, type Harness } from '../support/harness.js';

const HEADER = 'unit_code,name,title,from,to,person_key';

/**
 * A county's heads over three years for 27 units: each unit had a head until 2024-12-31 and has
 * another since 2025-01-01; person p-01 moved from the first unit to the second (their record goes
 * with them), and a title with a comma needs CSV quoting.
 */
function countyFile(codes: readonly string[]): string {
  const rows: string[] = [HEADER];
  codes.forEach((code, index) => {
    const n = String(index + 1).padStart(2, '0');
    const title = index === 3 ? '"党委书记,镇长"' : '党委书记';
    rows.push(`${code},前任${n},${title},2022-01-01,2024-12-31,old-${n}`);
    // The first unit's head of 2025 is the second unit's old head, who moved.
    if (index === 0) rows.push(`${code},前任02,党委书记,2025-01-01,,old-02`);
    else rows.push(`${code},现任${n},,2025-01-01,,p-${n}`);
  });
  return `${rows.join('\n')}\n`;
}

describe('CLI heads import and export', () => {
  let harness: Harness;
  let folder: string;
  let codes: string[];

  beforeAll(async () => {
    harness = await createHarness();
    folder = await mkdtemp(join(tmpdir(), 'heads-'));
    // The shipped directory has 26 units; a 27th is added as an operator would.
    await upsertUnits(harness.db, [
      {
        code: 'GAJ',
        nameZh: '县公安局',
        nameEn: 'County Public Security Bureau',
        kind: 'department',
        auditClass: 'A',
        headName: null,
        headTitle: null,
      },
    ]);
    codes = (await loadUnits(harness.db)).map((u) => u.code);
  });
  afterAll(() => harness.close());

  async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const out = capture();
    const err = capture();
    const status = await runCommand(headsCommand, harness, args, out.stream, harness.config, err.stream);
    return { status, stdout: out.text(), stderr: err.text() };
  }

  it('imports 27 units’ tenures, and the csv export reads back as the same file', async () => {
    expect(codes).toHaveLength(27);
    const file = join(folder, 'county.csv');
    const content = countyFile(codes);
    await writeFile(file, content);
    const imported = await run(['import', file]);
    expect(imported).toMatchObject({ status: 0, stdout: '' });
    expect(imported.stderr).toContain('54 tenure(s) of 53 head(s) imported');
    expect(await harness.db.select().from(headTenures)).toHaveLength(54);
    expect(await harness.db.select().from(heads)).toHaveLength(53);

    const csv = await run(['export', '--format', 'csv']);
    expect(csv.status).toBe(0);
    // The export is sorted by unit and day; the file, by the directory's order: compare as sets of rows.
    const rowsOf = (text: string) => text.trim().split('\n');
    expect(rowsOf(csv.stdout)[0]).toBe(HEADER);
    expect(rowsOf(csv.stdout).slice(1).sort()).toEqual(rowsOf(content).slice(1).sort());

    // Round trip: importing the export changes nothing, and exports the same text again.
    const again = join(folder, 'again.csv');
    await writeFile(again, csv.stdout);
    expect((await run(['import', again])).status).toBe(0);
    expect((await run(['export', '--format', 'csv'])).stdout).toBe(csv.stdout);

    const jsonl = await run(['export', '--format', 'jsonl']);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(54);
    expect(lines).toContainEqual({
      unit_code: codes[0],
      name: '前任02',
      title: '党委书记',
      from: '2025-01-01',
      to: null,
      person_key: 'old-02',
    });
    expect(lines.find((l) => l.person_key === 'old-04')?.title).toBe('党委书记,镇长');
  });

  it('refuses a file with bad rows, naming each line, and stores nothing', async () => {
    const before = (await run(['export', '--format', 'csv'])).stdout;
    const file = join(folder, 'bad.csv');
    await writeFile(
      file,
      [
        HEADER,
        'HPZ,张伟,党委书记,2025-01-01,,zw-1', // 2: fine
        'NOPE,李强,,2025-01-01,,lq-1', // 3: unit not in the directory
        'DXZ,王五,,2025-02-30,,ww-1', // 4: no such day
        'DXZ,赵六,,2025-03-01,2025-02-01,zl-1', // 5: ends before it starts
        'HPZ,钱七,,2025-06-01,,qq-1', // 6: overlaps 张伟 at HPZ
        'JXJD,张伟,,2025-01-01,,zw-1', // 7: 张伟 heads two units at once
        'SPZ,孙八,,2025-01-01,,unknown:SPZ', // 8: a reserved key
        'XZZ,周九,,2025-01-01,,zw-1', // 9: zw-1 has another name on an earlier row
        '',
      ].join('\n'),
    );
    const refused = await run(['import', file]);
    expect(refused.status).toBe(1);
    const lines = refused.stderr.trim().split('\n');
    expect(lines.map((line) => line.match(/bad\.csv:(\d+):/)?.[1])).toEqual([
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      undefined,
    ]);
    expect(lines[3]).toContain('overlaps another head of this unit (line 2)');
    expect(lines[4]).toContain('overlaps another tenure of this person (line 2)');
    expect(lines.at(-1)).toBe('7 bad row(s); nothing was imported');
    expect((await run(['export', '--format', 'csv'])).stdout).toBe(before);
  });

  it('exits 2 for bad usage and 1 for a missing file', async () => {
    expect((await run(['export'])).status).toBe(2);
    expect((await run(['export', '--format', 'xlsx'])).status).toBe(2);
    expect((await run(['import'])).status).toBe(2);
    expect((await run(['import', join(folder, 'missing.csv')])).status).toBe(1);
  });
});
