// Issue 18, acceptance 3: the official schedule imported with `holidays import`; a report arriving the
// day before a holiday is due for triage after it, and a make-up Saturday counts as a working day.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holidaysCommand } from '../../src/cli/holidays.js';
import { items } from '../../src/db/schema.js';
import { calendarEntries } from '../../src/holidays.js';
import { createItem, type NewItem } from '../../src/items/creation.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { capture, runCommand } from '../support/cli.js';
import { createHarness, type Harness } from '../support/harness.js';

// The shape of a State Council notice for next year's National Day (illustrative dates): 1–7 October off,
// Sunday 26 September and Saturday 9 October worked.
const SCHEDULE = `date,kind,name
2027-09-26,workday,国庆节
2027-10-01,holiday,国庆节
2027-10-02,holiday,国庆节
2027-10-03,holiday,国庆节
2027-10-04,holiday,国庆节
2027-10-05,holiday,国庆节
2027-10-06,holiday,国庆节
2027-10-07,holiday,国庆节
2027-10-09,上班,国庆节
`;

describe('CLI holidays import', () => {
  let harness: Harness;
  let folder: string;

  beforeAll(async () => {
    harness = await createHarness();
    folder = await mkdtemp(join(tmpdir(), 'holidays-'));
  });
  afterAll(() => harness.close());

  const report = (text: string): NewItem => ({
    kind: 'report',
    sourceKind: 'hotline',
    sourceAgency: null,
    reporterId: null,
    actorId: 8101,
    signed: false,
    domain: 'S',
    unitCode: 'JSJ',
    text,
  });
  const dueDate = async (text: string) => {
    const outcome = await createItem(harness.db, new OutboxBuffer(), report(text), {
      now: harness.services.now(),
      config: harness.config,
      botUsername: 'liaison_test_bot',
    });
    if (outcome.kind !== 'created') throw new Error(outcome.kind);
    const [row] = await harness.db.select().from(items).where(eq(items.id, outcome.item.id));
    if (!row?.triageDueAt) throw new Error('no triage due date');
    return DateTime.fromJSDate(row.triageDueAt, { zone: 'Asia/Shanghai' }).toISODate();
  };

  it('refuses a bad file whole, with the line of each problem', async () => {
    const file = join(folder, 'bad.csv');
    await writeFile(file, 'date,kind,name\n2027-10-01,holiday,国庆节\n2027-10-05,workday,国庆节\n');
    const said = capture();
    expect(
      await runCommand(
        holidaysCommand,
        harness,
        ['import', file],
        capture().stream,
        harness.config,
        said.stream,
      ),
    ).toBe(1);
    expect(said.text()).toContain(`${file}:3:`);
    expect(await calendarEntries(harness.db)).toEqual([]);
  });

  it('imports the schedule; due dates skip the holiday and count the make-up Saturday', async () => {
    // Without a schedule: Thursday 30 September + 3 working days is Tuesday 5 October, inside the holiday.
    harness.clock.set(DateTime.fromISO('2027-09-30T10:00', { zone: 'Asia/Shanghai' }).toJSDate());
    expect(await dueDate('节前一天的来电，未导入放假安排')).toBe('2027-10-05');

    const file = join(folder, '2027.csv');
    await writeFile(file, SCHEDULE);
    const said = capture();
    expect(
      await runCommand(
        holidaysCommand,
        harness,
        ['import', file],
        capture().stream,
        harness.config,
        said.stream,
      ),
    ).toBe(0);
    expect(said.text()).toContain('9 day(s) imported for 2027');
    expect(await calendarEntries(harness.db)).toHaveLength(9);

    // With it: Friday 8, Saturday 9 (worked) and Monday 11 October.
    harness.clock.advance(120_000);
    expect(await dueDate('节前一天的来电，已导入放假安排')).toBe('2027-10-11');
  });

  it('says how to use it', async () => {
    const said = capture();
    expect(
      await runCommand(holidaysCommand, harness, ['list'], capture().stream, harness.config, said.stream),
    ).toBe(2);
    expect(said.text()).toContain('holidays import');
  });
});
