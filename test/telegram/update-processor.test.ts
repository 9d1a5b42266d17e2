import { eq, sql } from 'drizzle-orm';
import type { Update } from 'telegraf/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/db/client.js';
import { inboxUpdates, outbox, settings } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { storeUpdates } from '../../src/telegram/inbox.js';
import {
  type FailureNotifier,
  MAX_HANDLING_ATTEMPTS,
  type UpdateHandler,
  UpdateProcessor,
} from '../../src/telegram/update-processor.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';
import { textMessage, user } from '../support/updates.js';

const logger = createLogger('silent');
let nextId = 1;
const update = (fromId: number, text: string) =>
  ({ update_id: nextId++, ...textMessage(user(fromId), text) }) as Update;
const textOf = (u: Update) => ('message' in u && 'text' in u.message ? u.message.text : '');

describe(`UpdateProcessor on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.delete(inboxUpdates);
    await database.db.delete(outbox);
    await database.db.delete(settings);
  });

  const processorWith = (handler: UpdateHandler, notify: FailureNotifier = async () => {}) =>
    new UpdateProcessor(
      database,
      handler,
      notify,
      logger,
      () => {},
      () => 0,
    );

  it('handles an update once, writes its messages with it, and drops the stored content', async () => {
    const seen: number[] = [];
    const processor = processorWith(async (u, tx, out) => {
      seen.push(u.update_id);
      await tx.insert(settings).values({ key: `handled-${u.update_id}`, value: true });
      out.sendText(1, 'reply');
    });
    const first = update(1, 'secret text');
    await storeUpdates(database.db, [first, first]);
    await storeUpdates(database.db, [first]);
    expect(await processor.drain()).toBe(1);
    expect(await processor.drain()).toBe(0);
    expect(seen).toEqual([first.update_id]);
    expect(await database.db.select().from(outbox)).toHaveLength(1);
    const [row] = await database.db.select().from(inboxUpdates);
    expect(row?.status).toBe('done');
    expect(row?.payload).toBeNull();
    const dump = await queryRows(database.db, sql`select * from ${inboxUpdates}`);
    expect(JSON.stringify(dump)).not.toContain('secret text');
  });

  it('undoes a failed attempt entirely and succeeds on a later try', async () => {
    let calls = 0;
    const processor = processorWith(async (u, tx, out) => {
      calls += 1;
      await tx.insert(settings).values({ key: `try-${calls}`, value: calls });
      out.sendText(1, `attempt ${calls}`);
      if (calls < 3) throw new Error('boom');
    });
    const stored = update(2, 'hello');
    await storeUpdates(database.db, [stored]);
    await processor.drain();
    expect(calls).toBe(3);
    const messages = await database.db.select().from(outbox);
    expect(messages.map((message) => message.payload?.text)).toEqual(['attempt 3']);
    expect((await database.db.select().from(settings)).map((row) => row.key)).toEqual(['try-3']);
    const [row] = await database.db
      .select()
      .from(inboxUpdates)
      .where(eq(inboxUpdates.updateId, stored.update_id));
    expect(row?.status).toBe('done');
    expect(processor.stats).toMatchObject({ handled: 1, failures: 2, parked: 0 });
  });

  it('records a failed SQL statement in the handler (an aborted transaction) and retries it', async () => {
    let calls = 0;
    const processor = processorWith(async (_u, tx) => {
      calls += 1;
      await tx.insert(settings).values({ key: `sql-${calls}`, value: calls });
      // On Postgres this aborts the whole transaction, claim included: the failure must still be recorded.
      if (calls === 1) await tx.execute(sql`select 1 / 0`);
    });
    const stored = update(6, 'divide');
    await storeUpdates(database.db, [stored]);
    expect(await processor.processNext()).toBe(true);
    const [failed] = await database.db.select().from(inboxUpdates);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failed?.lastError).toContain('division by zero');
    expect(failed?.payload).not.toBeNull();
    expect(await database.db.select().from(settings)).toEqual([]);
    await processor.drain();
    const [done] = await database.db.select().from(inboxUpdates);
    expect(done).toMatchObject({ status: 'done', attempts: 1 });
    expect((await database.db.select().from(settings)).map((row) => row.key)).toEqual(['sql-2']);
    expect(processor.stats).toMatchObject({ handled: 1, failures: 1, parked: 0 });
  });

  it('parks an update that keeps failing, keeps it visible, and tells the sender', async () => {
    const processor = processorWith(
      async () => {
        throw new Error('always');
      },
      async (_u, _tx, out) => out.sendText(3, 'sorry'),
    );
    const stored = update(3, 'x');
    await storeUpdates(database.db, [stored]);
    await processor.drain();
    const [row] = await database.db.select().from(inboxUpdates);
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_HANDLING_ATTEMPTS });
    expect(row?.lastError).toContain('always');
    expect((await database.db.select().from(outbox)).map((message) => message.payload?.text)).toEqual([
      'sorry',
    ]);
  });

  it("keeps one person's updates in order while another person's go ahead", async () => {
    const order: string[] = [];
    let failFirst = true;
    const processor = new UpdateProcessor(
      database,
      async (u) => {
        if (textOf(u) === 'a1' && failFirst) {
          failFirst = false;
          throw new Error('later');
        }
        order.push(textOf(u));
      },
      async () => {},
      logger,
      () => {},
      () => 60_000,
    );
    await storeUpdates(database.db, [update(10, 'a1'), update(10, 'a2'), update(11, 'b1')]);
    await processor.drain();
    // a1 waits a minute to be retried; a2 must wait behind it, b1 need not.
    expect(order).toEqual(['b1']);
    await database.db.update(inboxUpdates).set({ nextAttemptAt: new Date(0) });
    await processor.drain();
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it("dates the messages an update causes by the update's arrival, so the outbox's wait is the person's", async () => {
    const processor = processorWith(async (_u, _tx, out) => out.sendText(1, 'reply'));
    await storeUpdates(database.db, [update(3, 'hello')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await processor.drain();
    const [row] = await queryRows<{
      received: string | Date;
      created: string | Date;
      handled: string | Date;
    }>(
      database.db,
      sql`select u.received_at as received, o.created_at as created, u.handled_at as handled
          from ${inboxUpdates} u, ${outbox} o`,
    );
    const received = new Date(row?.received ?? 0).getTime();
    expect(Math.abs(new Date(row?.created ?? 0).getTime() - received)).toBeLessThanOrEqual(1);
    expect(new Date(row?.handled ?? 0).getTime() - received).toBeGreaterThanOrEqual(250);
  });
  it('handles a backlog of several senders in one transaction, each exactly once, in update order', async () => {
    const transactions: string[] = [];
    const processor = processorWith(async (u, tx, out) => {
      const [row] = await queryRows<{ id: string }>(tx, sql`select txid_current()::text as id`);
      transactions.push(row?.id ?? '');
      await tx.insert(settings).values({ key: `group-${u.update_id}`, value: true });
      out.sendText(100 + u.update_id, `reply ${textOf(u)}`);
    });
    const stored = [update(20, 'g1'), update(21, 'g2'), update(22, 'g3'), update(23, 'g4')];
    await storeUpdates(database.db, stored);
    expect(await processor.drain()).toBe(4);
    expect(new Set(transactions).size).toBe(1);
    expect(transactions).toHaveLength(4);
    const messages = await database.db.select().from(outbox).orderBy(outbox.id);
    expect(messages.map((message) => message.payload?.text)).toEqual([
      'reply g1',
      'reply g2',
      'reply g3',
      'reply g4',
    ]);
    const rows = await database.db.select().from(inboxUpdates);
    expect(rows.map((row) => row.status)).toEqual(['done', 'done', 'done', 'done']);
    expect((await database.db.select().from(settings)).map((row) => row.key).sort()).toEqual(
      stored.map((u) => `group-${u.update_id}`).sort(),
    );
    expect(processor.stats).toMatchObject({ handled: 4, failures: 0, parked: 0 });
  });

  it('charges a failure in a group to the update that failed alone, and commits the others once', async () => {
    let failures = 0;
    const processor = new UpdateProcessor(
      database,
      async (u, tx, out) => {
        if (textOf(u) === 'bad' && failures < 1) {
          failures += 1;
          throw new Error('bad update');
        }
        await tx.insert(settings).values({ key: `kept-${u.update_id}`, value: true });
        out.sendText(1, textOf(u));
      },
      async () => {},
      logger,
      () => {},
      () => 60_000,
    );
    const [first, bad, last] = [update(30, 'ok1'), update(31, 'bad'), update(32, 'ok2')];
    await storeUpdates(database.db, [first, bad, last] as Update[]);
    await processor.drain();
    const rows = await database.db.select().from(inboxUpdates).orderBy(inboxUpdates.updateId);
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ['done', 0],
      ['pending', 1],
      ['done', 0],
    ]);
    expect(rows[1]?.lastError).toContain('bad update');
    expect((await database.db.select().from(settings)).map((row) => row.key).sort()).toEqual(
      [`kept-${first?.update_id}`, `kept-${last?.update_id}`].sort(),
    );
    expect((await database.db.select().from(outbox)).map((message) => message.payload?.text).sort()).toEqual([
      'ok1',
      'ok2',
    ]);
    expect(processor.stats).toMatchObject({ handled: 2, failures: 1, parked: 0 });
    await database.db.update(inboxUpdates).set({ nextAttemptAt: new Date(0) });
    await processor.drain();
    expect((await database.db.select().from(outbox)).map((message) => message.payload?.text).sort()).toEqual([
      'bad',
      'ok1',
      'ok2',
    ]);
  });

  it('dates each message of a group by its own update', async () => {
    const processor = processorWith(async (u, _tx, out) => out.sendText(1, textOf(u)));
    await storeUpdates(database.db, [update(40, 'early')]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await storeUpdates(database.db, [update(41, 'late')]);
    expect(await processor.drain()).toBe(2);
    const received = (await database.db.select().from(inboxUpdates).orderBy(inboxUpdates.updateId)).map(
      (row) => row.receivedAt.getTime(),
    );
    const created = (await database.db.select().from(outbox).orderBy(outbox.id)).map((message) => [
      message.payload?.text,
      message.createdAt.getTime(),
    ]);
    expect(created.map(([text]) => text)).toEqual(['early', 'late']);
    created.forEach(([, at], index) => {
      expect(Math.abs(Number(at) - (received[index] ?? 0))).toBeLessThanOrEqual(1);
    });
    expect((received[1] ?? 0) - (received[0] ?? 0)).toBeGreaterThanOrEqual(250);
  });
});
