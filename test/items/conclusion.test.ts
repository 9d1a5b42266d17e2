import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, pointsDeductions, obligations } from '../../src/db/schema.js';
import { concludeItem } from '../../src/items/conclusion.js';
import { setSectionChat } from '../../src/settings.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { createHarness, type Harness } from '../support/harness.js';
import { insertItem, MONITOR, OFFICER_A } from '../bot/features/queue/fixtures.js';

describe('concludeItem', () => {
  let harness: Harness;
  const context = () => ({
    viewer: { telegramId: OFFICER_A, admin: false },
    now: new Date('2025-06-10T02:00:00Z'),
    timeZone: 'Asia/Shanghai',
  });
  beforeAll(async () => {
    harness = await createHarness();
    await harness.enrol(OFFICER_A, 'officer');
    await harness.enrol(MONITOR, 'monitor', { community: '丹城社区', language: 'en' });
    await setSectionChat(harness.db, { chatId: -100, title: 's', boundBy: null, boundAt: '' });
  });
  afterAll(() => harness.close());

  it('refuses what the domain refuses, and a stale version, changing nothing', async () => {
    const id = await insertItem(harness.db, { status: 'accepted' });
    const out = new OutboxBuffer();
    const bad = {
      finding: 'unsubstantiated' as const,
      measures: ['demoted' as const],
      points: null,
      note: '',
    };
    expect(
      await concludeItem(harness.db, out, { itemId: id, version: 1, conclusion: bad }, context()),
    ).toEqual({
      kind: 'invalid',
    });
    const good = { finding: 'substantiated' as const, measures: ['talk' as const], points: null, note: '' };
    expect(
      await concludeItem(harness.db, out, { itemId: id, version: 9, conclusion: good }, context()),
    ).toMatchObject({
      kind: 'stale',
    });
    expect(out.messages).toEqual([]);
  });

  it('records points, posts a crossed threshold to the section, raises a must-talk and gives feedback', async () => {
    // 3.5 points already this year: 0.5 more crosses the 4-point threshold.
    await harness.db
      .insert(pointsDeductions)
      .values({ unitCode: 'DXZ', personKey: 'unknown:DXZ', year: 2025, points: 3.5 });
    const id = await insertItem(harness.db, { status: 'verifying', domain: 'I', unitCode: 'DXZ' });
    const out = new OutboxBuffer();
    const outcome = await concludeItem(
      harness.db,
      out,
      {
        itemId: id,
        version: 1,
        conclusion: { finding: 'partly', measures: ['points'], points: 0.5, note: '' },
      },
      context(),
    );
    expect(outcome).toMatchObject({
      kind: 'concluded',
      item: { status: 'concluded' },
      points: { points: 0.5, yearTotal: 4, flags: ['no_commendation'] },
      mustTalk: true,
      mustRemove: false,
    });
    expect(out.messages.map((m) => [m.chatId, m.ref])).toEqual([
      [-100, undefined],
      [MONITOR, `feedback:${id}`],
    ]);
    expect(String(out.messages[0]?.payload.text)).toContain('大徐镇 一把手'); // by name (issue 18), not DXZ
    const talks = await harness.db.select().from(obligations).where(eq(obligations.itemId, id));
    expect(talks.map((o) => [o.kind, o.occasion, o.personKey, o.state])).toEqual([
      ['talk', 'integrity_reports', 'unknown:DXZ', 'open'],
    ]);
    const actions = (await harness.db.select().from(auditLog).where(eq(auditLog.itemId, id))).map(
      (a) => a.action,
    );
    expect(actions).toEqual(['item.conclude', 'item.points', 'item.feedback']);
  });
});
