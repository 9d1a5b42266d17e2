import type { Writable } from 'node:stream';
import { count } from 'drizzle-orm';
import { DateTime } from 'luxon';
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

  it('says there is no chart when the 12 weeks before this week hold no item', async (context) => {
    // The fixture is an hour old: in the first hour of a Monday it lies in last week, and the chart has data.
    const weekStart = DateTime.now().setZone(harness.config.timeZone).startOf('week');
    if (weekStart.toMillis() > Date.now() - 3_600_000) context.skip();
    const out = capture();
    expect(await run(['weekly', '--dry-run', '--lang', 'en'], out.stream)).toBe(0);
    expect(out.text()).toMatch(/No new items in the last 12 weeks \(.+\), so no chart\./);
    expect(out.text()).not.toContain('[chart:');
  });

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
    // Three weeks ago: the chart's 12 weeks now hold an item.
    await insertItem(harness.db, { domain: 'F', createdAt: new Date(Date.now() - 21 * 86_400_000) });
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
