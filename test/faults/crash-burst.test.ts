import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { LEASE_SECONDS } from '../../src/telegram/sender.js';
import { textMessage, user } from '../support/updates.js';
import {
  accountTips,
  FaultRig,
  FULL,
  receiptsByChat,
  recordResult,
  runSeed,
  type SentTip,
  seededRandom,
  sleep,
} from './rig.js';

// The issue asks for 1,000 tips from 20 monitors, but a monitor may file 20 items an hour (flood
// limit), so the full run spreads 1,000 tips over 50 monitors.
const MONITORS = FULL ? 50 : 20;
const TIPS_PER_MONITOR = FULL ? 20 : 10;
const TOTAL = MONITORS * TIPS_PER_MONITOR;
const KILLS = 3;
const FIRST_MONITOR = 20_000;
// The sender has at most 8 calls in flight; only those can be delivered twice after a kill -9.
const IN_FLIGHT_LIMIT = 8;

describe('scenario 1: kill -9 three times during a burst of tips', () => {
  let rig: FaultRig;
  afterAll(() => rig?.dispose());

  it(`stores ${TOTAL} tips exactly once and receipts each, duplicates only for sends in flight at a kill`, async () => {
    const random = seededRandom(runSeed('scenario 1'));
    rig = await FaultRig.create();
    const monitors = Array.from({ length: MONITORS }, (_, index) => FIRST_MONITOR + index);
    await rig.enrol(
      monitors.map((id, index) => ({ telegramId: id, role: 'monitor', community: `社区${index % 6}` })),
    );
    await rig.start();

    const tips: SentTip[] = [];
    const pushing = (async () => {
      for (let round = 0; round < TIPS_PER_MONITOR; round += 1) {
        for (const monitor of monitors) {
          const body = `第${round + 1}次反映：镇长在防波堤工程中指定施工方，金额约${monitor % 1000}万元`;
          tips.push({ reporter: monitor, body });
          rig.api.pushUpdate(textMessage(user(monitor), `/tip F-HPZ ${body}`));
        }
        await sleep(100);
      }
    })();

    const monitorSet = new Set(monitors);
    const distinctReceipts = () =>
      new Set(receiptsByChat(rig.messagesTo(monitorSet)).map((r) => r.number)).size;
    // Kill at three random points of the burst: after a random share of the receipts, plus a random delay.
    const killPoints = Array.from({ length: KILLS }, () => 0.1 + random() * 0.8).sort((a, b) => a - b);
    let lastKillAt = 0;
    for (const point of killPoints) {
      const target = Math.floor(point * TOTAL);
      for (let waited = 0; distinctReceipts() < target && waited < 120_000; waited += 20) await sleep(20);
      await sleep(Math.floor(random() * 300));
      await rig.kill();
      lastKillAt = Date.now();
      await rig.start();
    }
    await pushing;
    await rig.settle(() => distinctReceipts() >= TOTAL, { timeoutMs: 240_000 });
    // A message a killed process had claimed stays leased to it for LEASE_SECONDS, whether or not
    // Telegram already had it; only then does the running process take it (and, if it had been
    // delivered, send it again: the excused duplicates below). Every receipt can be in while the last
    // killed process's leases still hold, since the bot now handles the burst in seconds; wait them
    // out, so that what is left in the outbox is the product's doing and not the clock's.
    const leasesEndAt = lastKillAt + LEASE_SECONDS * 1000 + 1000;
    if (Date.now() < leasesEndAt) {
      await sleep(leasesEndAt - Date.now());
      await rig.settle(() => distinctReceipts() >= TOTAL, { timeoutMs: 60_000 });
    }
    const exitCode = await rig.stop();

    const result = await accountTips(rig, tips);
    const leftOver = await rig.count(
      sql`select (select count(*) from inbox_updates where status <> 'done') + (select count(*) from outbox where status <> 'sent') as n`,
    );
    // A duplicate receipt is excused only when each delivery but the last came from a process that
    // was then killed: Telegram had it, but the bot died before recording it. Every process has a
    // token of its own, so this is read from who made each call, not guessed from clocks (a call
    // made just before a kill can reach the fake after the kill was timed). Two deliveries by the
    // same process, or by one that was not killed, are a bug.
    const resentAfterKill = (tokens: readonly string[]) =>
      new Set(tokens).size === tokens.length &&
      tokens.slice(0, -1).every((token) => rig.killedTokens.has(token));
    const excused = result.duplicateReceipts.filter((dup) => resentAfterKill(dup.tokens));
    const unexcusedList = result.duplicateReceipts.filter((dup) => !resentAfterKill(dup.tokens));
    const unexcused = unexcusedList.length;
    recordResult({
      scenario: '1 crash during a burst',
      sent: TOTAL,
      stored: result.stored,
      lost: result.lost,
      duplicated: result.duplicated,
      crashes: rig.crashes,
      duplicateReceipts: result.duplicateReceipts.length,
      notes: `${MONITORS} monitors, ${KILLS} kill -9; ${excused.length} receipt(s) resent after being in flight at a kill, ${unexcused} otherwise; ${result.unreceipted} unreceipted`,
    });
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ stored: TOTAL, lost: 0, duplicated: 0, unreceipted: 0, strays: 0 });
    expect(unexcused, `sent again without a kill between: ${JSON.stringify(unexcusedList)}`).toBe(0);
    expect(excused.length).toBeLessThanOrEqual(KILLS * IN_FLIGHT_LIMIT);
    expect(leftOver).toBe(0);
    expect(rig.crashes).toBe(0);
    expect(rig.handlerFailures()).toBe(0);
  });
});
