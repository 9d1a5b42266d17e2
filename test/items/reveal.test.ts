import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.js';
import { revealReporter } from '../../src/items/reveal.js';
import { createHarness, type Harness } from '../support/harness.js';
import { ADMIN, insertItem, MONITOR } from '../bot/features/queue/fixtures.js';

describe('revealReporter', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(MONITOR, 'monitor', { community: '丹城社区' });
  });
  afterAll(() => harness.close());

  it('unseals the reporter for an admin and audits every attempt with its reason', async () => {
    const id = await insertItem(harness.db);
    const call = await insertItem(harness.db, {
      sourceKind: 'hotline',
      reporter: null,
    });
    const purged = await insertItem(harness.db, {
      reporter: null,
      purgedAt: new Date(),
    });
    const reason = 'the commission asks to interview';
    const revealed = await revealReporter(harness.db, { itemId: id, reason }, ADMIN);
    expect(revealed).toMatchObject({
      kind: 'revealed',
      reporterId: MONITOR,
      person: { community: '丹城社区' },
    });
    expect(await revealReporter(harness.db, { itemId: call, reason }, ADMIN)).toEqual({
      kind: 'no_reporter',
      sourceKind: 'hotline',
      purged: false,
    });
    expect(await revealReporter(harness.db, { itemId: purged, reason }, ADMIN)).toMatchObject({
      purged: true,
    });
    expect(await revealReporter(harness.db, { itemId: 999_999, reason }, ADMIN)).toEqual({
      kind: 'not_found',
    });
    const audits = await harness.db.select().from(auditLog).where(eq(auditLog.action, 'item.revealed'));
    expect(audits.map((a) => [a.itemId, a.actorId, a.details])).toEqual([
      [id, ADMIN, { reason, found: true }],
      [call, ADMIN, { reason, found: false }],
      [purged, ADMIN, { reason, found: false }],
    ]);
  });
});
