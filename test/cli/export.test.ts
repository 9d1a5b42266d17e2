import { recordHeadChange } from '../../src/heads/tenures.js';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/export.js';
import { auditLog } from '../../src/db/schema.js';
import { capture, runCommand } from '../support/cli.js';
import { createHarness, type Harness } from '../support/harness.js';
import { textMessage, user } from '../support/updates.js';

describe('CLI export', () => {
  let harness: Harness;
  const run = (args: string[], stdout: Writable) => runCommand(exportCommand, harness, args, stdout);

  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(5001, 'monitor', { community: '丹东社区' });
    await harness.enrol(5002, 'liaison', { agency: 'AUD' });
    await harness.enrol(5003, 'officer');
    // The HPZ tip is about the head then in office; CZJ has none recorded.
    await recordHeadChange(
      harness.db,
      { unitCode: 'HPZ', name: '张伟', title: null, from: '2020-01-06' },
      { actorId: null, now: new Date(), timeZone: harness.config.timeZone },
    );
    await harness.send(
      textMessage(user(5001, { name: '张保密' }), '/tip F-HPZ 镇长在防波堤工程中指定施工方，金额约300万元'),
    );
    await harness.send(
      textMessage(user(5002), '/notice F-CZJ 〔2019〕12号 审计发现"一支笔"审批, 未经集体研究'),
    );
    await harness.send(textMessage(user(5003), '/log mailbox O-XQZ anonymous 来信内容不详'));
  });
  afterAll(() => harness.close());

  it('prints one JSON line per item with the interface fields and no text or reporter', async () => {
    const out = capture();
    expect(await run(['--format', 'jsonl'], out.stream)).toBe(0);
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows[0]).toMatchObject({
      number: 1,
      code: 'F-HPZ',
      domain: 'F',
      unit: 'HPZ',
      unit_name: '鹤浦镇',
      head: '张伟',
      source_kind: 'monitor',
      source_agency: null,
      status: 'new',
      priority: 'high',
      must_investigate: true,
      reasons: ['specific_content', 'signed_or_contactable'],
    });
    expect(rows[1]).toMatchObject({
      code: 'F-CZJ',
      head: null,
      source_kind: 'liaison',
      source_agency: 'AUD',
    });
    expect(rows[2]).toMatchObject({ code: 'O-XQZ', source_kind: 'mailbox', must_investigate: false });
    for (const row of rows) {
      expect(Date.parse(String(row.created_at))).not.toBeNaN();
      expect(Date.parse(String(row.updated_at))).not.toBeNaN();
    }
    for (const secret of ['防波堤', '一支笔', '来信内容', '5001', '5002', '5003', '张保密', '丹东', '12号']) {
      expect(out.text()).not.toContain(secret);
    }
  });

  it('writes CSV with a header to a file, quoting by the library, and audits the export', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'export-'));
    const file = join(folder, 'items.csv');
    const out = capture();
    expect(await run(['--format=csv', '--out', file], out.stream)).toBe(0);
    expect(out.text()).toBe('');
    const csv = await readFile(file, 'utf8');
    const [header, first] = csv.split('\n');
    expect(header).toBe(
      'number,code,kind,domain,unit,unit_name,head,source_kind,source_agency,signed,status,priority,must_investigate,reasons,admins_only,created_at,updated_at',
    );
    expect(first).toContain(
      '1,F-HPZ,tip,F,HPZ,鹤浦镇,张伟,monitor,,true,new,high,true,specific_content;signed_or_contactable,false,',
    );
    expect(csv).not.toContain('防波堤');
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'items.exported'));
    expect(audits.at(-1)?.details).toMatchObject({ format: 'csv', count: 3 });
  });

  it('refuses an unknown format with status 2', async () => {
    const out = capture();
    expect(await run(['--format', 'pdf'], out.stream)).toBe(2);
    expect(out.text()).toBe('');
  });
});
