// Issue 18, holidays end to end: next year's State Council schedule (test/fixtures/holidays-2027.csv,
// 国庆节 1–7 October off, Saturday 9 October worked) imported with the real `holidays import` against
// the bot's database; then, through the real bot process whose clock is set to the day before the
// holiday (TEST_CLOCK_START, a test-only switch), a tip is due for triage after the holiday, the make-up
// Saturday counts as a working day, a talk raised that day is due on the same calendar, and the daily
// digest's "overdue" lists follow it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { runCliProcess } from '../support/cli-process.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

const admin = user(9500, { name: '赵部长' });
const monitor = user(9501, { name: '丹东信息员' });
const officer = user(9502, { name: '干部科小王' });

const SCHEDULE = join(packageRoot(), 'test/fixtures/holidays-2027.csv');
// Thursday 30 September 2027, 15:00 in the county: the last working day before 国庆节.
const EVE = '2027-09-30T15:00:00+08:00';
// Friday 15 October 2027, 10:00: the tip (due 8 October) is late; a talk due 20 October is not.
const LATER = '2027-10-15T10:00:00+08:00';

function numberIn(call: RecordedCall): number {
  const match = /#(\d+)/.exec(textOf(call));
  if (!match?.[1]) throw new Error(`no #number in: ${textOf(call)}`);
  return Number(match[1]);
}

describe(`holidays imported by the CLI govern due dates in the real process on ${testDatabaseKind}`, {
  timeout: 180_000,
}, () => {
  let session: E2eSession;
  // The session reads this object at every start, so a restart can move the clock.
  const env: Record<string, string> = {
    ADMIN_IDS: String(admin.id),
    ALERT_BATCH_MINUTES: '0',
    TIMEZONE: 'Asia/Shanghai',
    NODE_ENV: 'test',
    TEST_CLOCK_START: EVE,
  };
  const numbers = { tip: 0, logged: 0 };

  beforeAll(async () => {
    session = await E2eSession.create(env);
  }, 240_000);
  afterAll(() => session.dispose());

  it("`npm run cli -- holidays import` stores next year's schedule in the bot's database", async () => {
    const run = await runCliProcess(
      ['holidays', 'import', SCHEDULE],
      { BOT_TOKEN: session.api.token, TELEGRAM_API_ROOT: session.api.url, ...session.database.env },
      session.database.cwd,
    );
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: '' });
    expect(run.stderr).toContain('35 day(s) imported for 2027');
  });

  it('a tip on the eve of 国庆节 is due for triage on the first day back', async () => {
    await session.start();
    await session.enrol(admin, monitor, 'monitor 丹东社区');
    await session.enrol(admin, officer, 'officer');
    // A signed report (every enrolled reporter is contactable): must be investigated, 1 working day.
    const tipping = session.mark();
    const receipt = await session.say(monitor, '/tip S-DXZ 书记在八小时以外频繁出入私人会所');
    numbers.tip = numberIn(receipt);
    // The officer is alerted to it first; the card asked for next comes after that alert (one message
    // a second per chat), and taking the alert for the card failed this test under load.
    await session.messageTo(officer.id, tipping, '新的必查事项');
    const card = await session.say(officer, `/show ${numbers.tip}`);
    // Friday 1 – Thursday 7 October are off: due Friday 8 October, at the hour it arrived.
    expect(textOf(card)).toMatch(/分办期限：2027-10-08 1[5-6]:\d\d/);
  });

  it('the make-up Saturday counts: 3 working days from the eve end on Monday 11 October', async () => {
    // An anonymous call about a decision, with no specific leads: not must-investigate, 3 working days.
    const logged = await session.say(
      officer,
      '/log hotline D-DXZ anonymous 来电反映镇里的广场项目决策不够公开',
    );
    numbers.logged = numberIn(logged);
    const card = await session.say(officer, `/show ${numbers.logged}`);
    // Fri 8 October (1), Sat 9 October worked (2), Mon 11 October (3); not Tue 12 as Mon–Fri would say.
    expect(textOf(card)).toMatch(/分办期限：2027-10-11 1[5-6]:\d\d/);
  });

  it('a talk raised on the eve is due 10 working days later on the same calendar', async () => {
    const recorded = await session.say(admin, '/head DXZ 张三 镇长');
    expect(textOf(recorded)).toContain('张三');
    const talks = await session.say(admin, '/talks');
    // 8, 9 (worked), 11–15, 18, 19, 20 October: the tenth working day is Wednesday 20 October
    // (Monday to Friday alone would say Thursday 14 October, in the middle of the count).
    expect(textOf(talks)).toContain('截止 2027-10-20');
  });

  it("a fortnight later the daily digest's overdue lists follow the calendar", async () => {
    await session.stop();
    env.TEST_CLOCK_START = LATER;
    await session.start();
    const mark = session.push(textMessage(officer, '/digest daily'));
    // The digest itself follows a one-line note that this is a preview; it is dated by the bot's clock.
    const text = textOf(await session.messageTo(officer.id, mark, '干部监督日报 · 2027-10-15'));
    // Both items are past their triage dates (8 and 11 October), with those dates…
    expect(text).toContain('已超期 2 件');
    // (the tip is must-investigate, which the overdue list marks since the digests were reworded)
    expect(text).toContain(`#${numbers.tip} S-DXZ · 待分办 · 必查 · 期限 10-08`);
    expect(text).toContain(`#${numbers.logged} D-DXZ · 待分办 · 期限 10-11`);
    // …but the talk, due 20 October on the official calendar, is not late yet.
    expect(text).not.toContain('逾期未办的谈话与审计');
  });
});
