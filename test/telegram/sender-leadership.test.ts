import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { OUTBOX_WAKE_SQL } from '../../src/telegram/outbox.js';
import type { OutboxSender } from '../../src/telegram/sender.js';
import { SenderLeadership } from '../../src/telegram/sender-leadership.js';
import { createTestDatabase, testDatabaseKind } from '../support/database.js';

/** A stand-in for the outbox sender that counts what leadership asks of it. */
function fakeSender() {
  const calls = { start: 0, stop: 0, wake: 0 };
  const sender = {
    start: () => {
      calls.start += 1;
    },
    stop: async () => {
      calls.stop += 1;
    },
    wake: () => {
      calls.wake += 1;
    },
  } as unknown as OutboxSender;
  return { sender, calls };
}

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const logger = createLogger('silent');

describe(`SenderLeadership on ${testDatabaseKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it.runIf(testDatabaseKind === 'pglite')(
    'makes the only process the sender at once, and stops it',
    async () => {
      const { sender, calls } = fakeSender();
      const leadership = new SenderLeadership(database, sender, logger);
      expect(leadership.isLeader()).toBe(false);
      await leadership.start();
      expect(leadership.isLeader()).toBe(true);
      expect(calls).toEqual({ start: 1, stop: 0, wake: 0 });
      await leadership.stop();
      expect(leadership.isLeader()).toBe(false);
      expect(calls).toEqual({ start: 1, stop: 1, wake: 0 });
    },
  );

  it.runIf(testDatabaseKind === 'postgres')(
    'lets exactly one of two processes send, wakes both on new messages, and hands over when the sender stops',
    async () => {
      const first = fakeSender();
      const second = fakeSender();
      const a = new SenderLeadership(database, first.sender, logger);
      const b = new SenderLeadership(database, second.sender, logger);
      try {
        await a.start();
        await waitFor(() => a.isLeader());
        await b.start();
        // b has tried the lock at least once by now: it asks at start, then every 2 s.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
        expect([first.calls.start, second.calls.start]).toEqual([1, 0]);

        // A commit that queued messages notifies every process's listener.
        await database.db.execute(sql`select ${OUTBOX_WAKE_SQL}`);
        await waitFor(() => first.calls.wake > 0 && second.calls.wake > 0);

        await a.stop();
        expect(a.isLeader()).toBe(false);
        expect(first.calls.stop).toBe(1);
        // The lock is freed with a's session; b takes it on its next try.
        await waitFor(() => b.isLeader(), 6000);
        expect(second.calls.start).toBe(1);
      } finally {
        await a.stop();
        await b.stop();
      }
      expect(second.calls.stop).toBe(1);
      expect(b.isLeader()).toBe(false);
    },
  );
});
