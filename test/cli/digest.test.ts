import type { Writable } from 'node:stream';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestCommand, htmlToPlain } from '../../src/cli/digest.js';
import { digestRuns, outbox } from '../../src/db/schema.js';
import { capture, runCommand } from '../support/cli.js';
import { insertItem } from '../support/digest-fixtures.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('CLI digest --dry-run', () => {
  let harness: Harness;
  const run = (args: string[], stdout: Writable) => runCommand(digestCommand, harness, args, stdout);

  beforeAll(async () => {
    harness = await createHarness();
    await insertItem(harness.db, {
      domain: 'P',
      text: 'LEAKMARK secret',
      createdAt: new Date(Date.now() - 3_600_000),
    });
  });
  afterAll(() => harness.close());

  it('prints the daily digest as plain text and records nothing', async () => {
    const out = capture();
    expect(await run(['daily', '--dry-run'], out.stream)).toBe(0);
    expect(out.text()).toContain('干部监督日报');
    expect(out.text()).toContain('新收 1 件');
    expect(out.text()).not.toContain('<b>');
    expect(out.text()).not.toContain('LEAKMARK');
    const [runs] = await harness.db.select({ n: count() }).from(digestRuns);
    const [queued] = await harness.db.select({ n: count() }).from(outbox);
    expect([runs?.n, queued?.n]).toEqual([0, 0]);
  });

  it('says the weekly chart would be attached, and its size', async () => {
    const out = capture();
    expect(await run(['weekly', '--dry-run', '--lang', 'en'], out.stream)).toBe(0);
    expect(out.text()).toContain('Weekly supervision digest');
    // A dry run says which period it shows: last week, not the week it is run in (issue 18).
    expect(out.text().split('\n')[0]).toMatch(/^Preview of the weekly digest for last week \(\d+ \w+ – \d+ \w+ \d{4}\)/);
    expect(out.text()).toMatch(/\[chart: PNG 1200x640, \d+ bytes, would be attached as a photo\]/);
  });

  it('refuses to run without --dry-run or with an unknown kind', async () => {
    expect(await run(['daily'], capture().stream)).toBe(2);
    expect(await run(['yearly', '--dry-run'], capture().stream)).toBe(2);
  });

  it('decodes entities after dropping tags', () => {
    expect(htmlToPlain('<b>A &lt;b&gt; &amp; B</b>')).toBe('A <b> & B');
  });
});
