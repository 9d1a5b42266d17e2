import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { unitsCommand } from '../../src/cli/units.js';
import { units } from '../../src/db/schema.js';
import { capture, runCommand } from '../support/cli.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('CLI units import', () => {
  let harness: Harness;
  let folder: string;
  const run = (args: string[], stdout: Writable) => runCommand(unitsCommand, harness, args, stdout);

  beforeAll(async () => {
    harness = await createHarness();
    folder = await mkdtemp(join(tmpdir(), 'units-'));
  });
  afterAll(() => harness.close());
  afterEach(() => vi.restoreAllMocks());

  it('adds and updates units', async () => {
    const file = join(folder, 'good.csv');
    await writeFile(
      file,
      'code,name_zh,name_en,kind,audit_class,head_name,head_title\nJSJ,县建设局,County Construction Bureau,department,A,张三,局长\nHPZ,鹤浦镇,Hepu Town,town,A,,\n',
    );
    const out = capture();
    const said = capture();
    expect(
      await runCommand(unitsCommand, harness, ['import', file], out.stream, harness.config, said.stream),
    ).toBe(0);
    // A confirmation is a message, not data.
    expect(out.text()).toBe('');
    expect(said.text()).toContain('2 unit(s)');
    const [jsj] = await harness.db.select().from(units).where(eq(units.code, 'JSJ'));
    expect(jsj).toMatchObject({ nameZh: '县建设局', auditClass: 'A', headName: '张三' });
    const [hpz] = await harness.db.select().from(units).where(eq(units.code, 'HPZ'));
    expect(hpz?.auditClass).toBe('A');
  });

  it('reports every bad row with its line number, imports nothing and exits 1', async () => {
    const file = join(folder, 'bad.csv');
    await writeFile(
      file,
      'code,name_zh,name_en,kind\nNEW1,新单位,New Unit,department\nx,坏,Bad,town\nNEW2,,Empty,town\n',
    );
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run(['import', file], capture().stream)).toBe(1);
    const text = stderr.mock.calls.map((call) => String(call[0])).join('');
    expect(text).toContain('bad.csv:3:');
    expect(text).toContain('bad.csv:4:');
    expect(text).not.toContain('bad.csv:2:');
    expect(await harness.db.select().from(units).where(eq(units.code, 'NEW1'))).toHaveLength(0);
  });

  it('exits 1 for a missing file and 2 for bad usage', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run(['import', join(folder, 'missing.csv')], capture().stream)).toBe(1);
    expect(await run(['export'], capture().stream)).toBe(2);
  });
});
