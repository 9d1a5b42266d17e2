import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxCommand } from '../../src/cli/inbox.js';
import { inboxUpdates } from '../../src/db/schema.js';
import { capture, runCommand } from '../support/cli.js';
import { createHarness, type Harness } from '../support/harness.js';

describe('CLI inbox', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.db.insert(inboxUpdates).values([
      {
        updateId: 9001,
        orderKey: 'u1',
        payload: { update_id: 9001 },
        status: 'failed',
        attempts: 5,
        lastError: 'TypeError: boom',
      },
      { updateId: 9002, orderKey: 'u2', payload: null, status: 'done', attempts: 0 },
    ]);
  });
  afterAll(() => harness.close());

  it('lists parked updates by number, tries and error, without their content', async () => {
    const out = capture();
    expect(await runCommand(inboxCommand, harness, ['failed'], out.stream)).toBe(0);
    expect(out.text()).toMatch(/^9001\t5 tries\t.*\tTypeError: boom\n$/);
  });

  it('puts a parked update back in line, and refuses one that is not parked', async () => {
    expect(await runCommand(inboxCommand, harness, ['retry', '9001'], capture().stream)).toBe(0);
    const [row] = await harness.db.select().from(inboxUpdates).where(eq(inboxUpdates.updateId, 9001));
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await runCommand(inboxCommand, harness, ['retry', '9002'], capture().stream)).toBe(1);
    expect(await runCommand(inboxCommand, harness, ['retry'], capture().stream)).toBe(2);
    const empty = capture();
    const said = capture();
    expect(
      await runCommand(inboxCommand, harness, ['failed'], empty.stream, harness.config, said.stream),
    ).toBe(0);
    // An empty list is no data: stdout stays empty, the person is told on stderr.
    expect(empty.text()).toBe('');
    expect(said.text()).toBe('no failed updates\n');
  });
});
