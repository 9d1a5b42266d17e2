import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { textMessage, user } from '../support/updates.js';
import {
  accountTips,
  FaultRig,
  FULL,
  receiptsByChat,
  recordResult,
  runSeed,
  type SentTip,
  sleep,
} from './rig.js';

const MONITORS = 20;
const TIPS_PER_MONITOR = FULL ? 20 : 5;
const TOTAL = MONITORS * TIPS_PER_MONITOR;
const FIRST_MONITOR = 21_000;
const OUTAGE_MS = 10_000;

describe('scenario 2: Telegram answers 429, 500, drops connections and is down for 10 s', () => {
  let rig: FaultRig;
  afterAll(() => rig?.dispose());

  it(`delivers every receipt of ${TOTAL} tips and logs the faults without message text`, async () => {
    const seed = runSeed('scenario 2');
    rig = await FaultRig.create();
    const monitors = Array.from({ length: MONITORS }, (_, index) => FIRST_MONITOR + index);
    await rig.enrol(
      monitors.map((id, index) => ({ telegramId: id, role: 'monitor', community: `社区${index % 6}` })),
    );
    await rig.start();
    rig.api.setFaults({ rate429: 0.1, retryAfter: 1, rate500: 0.05, rateDrop: 0.05, seed });

    const tips: SentTip[] = [];
    const monitorSet = new Set(monitors);
    const distinctReceipts = () =>
      new Set(receiptsByChat(rig.messagesTo(monitorSet)).map((r) => r.number)).size;
    let outageDone = false;
    for (let round = 0; round < TIPS_PER_MONITOR; round += 1) {
      for (const monitor of monitors) {
        const body = `故障测试第${round + 1}轮：局长违规审批项目，涉及资金${monitor % 1000}万元`;
        tips.push({ reporter: monitor, body });
        rig.api.pushUpdate(textMessage(user(monitor), `/tip D-HPZ ${body}`));
      }
      if (!outageDone && round >= TIPS_PER_MONITOR / 3) {
        rig.api.setDown(OUTAGE_MS);
        outageDone = true;
      }
      await sleep(300);
    }
    await rig.settle(() => distinctReceipts() >= TOTAL, { timeoutMs: 300_000, quietMs: 3000 });
    const exitCode = await rig.stop();

    const result = await accountTips(rig, tips);
    const undelivered = await rig.count(sql`select count(*) as n from outbox where status <> 'sent'`);
    const faults = rig.api.calls.filter((call) => call.status !== 200 && call.method !== 'getUpdates').length;
    const logs = rig.logs();
    const leakedTexts = tips.filter((tip) => logs.includes(tip.body)).length;
    recordResult({
      scenario: '2 Telegram faults',
      sent: TOTAL,
      stored: result.stored,
      lost: result.lost + undelivered,
      duplicated: result.duplicated,
      crashes: rig.crashes,
      duplicateReceipts: result.duplicateReceipts.length,
      notes: `${faults} faulted calls, 10 s down; ${undelivered} messages undelivered; ${leakedTexts} tip texts in the log`,
    });
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ stored: TOTAL, lost: 0, duplicated: 0, unreceipted: 0, strays: 0 });
    expect(undelivered).toBe(0);
    expect(rig.crashes).toBe(0);
    expect(leakedTexts).toBe(0);
    // The log says what happened, by kind.
    expect(logs).toContain('rate limited by Telegram; will retry');
    expect(logs).toContain('send failed; will retry');
    expect(logs).toContain('getUpdates failed; retrying');
  });
});
