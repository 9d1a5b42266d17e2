import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { digestRuns, outbox } from '../../src/db/schema.js';
import { FIRST_START_SETTING } from '../../src/digests/scheduler.js';
import { periodKey } from '../../src/domain/periods.js';
import { putSetting, setSectionChat } from '../../src/settings.js';
import { BotProcess, type BotDatabase, createBotDatabase } from '../support/bot-process.js';
import { testDatabaseKind } from '../support/database.js';
import { seedUnitsIfEmpty } from '../../src/units/directory.js';
import { insertItem } from '../support/digest-fixtures.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

const SECTION = -1001234567;
const EVERY_3S = '*/3 * * * * *';
// Once a year: at start its latest occurrence is in the past and was never sent — a missed period.
const YEARLY = '0 0 1 1 *';

describe(`scheduled digests through the real process on ${testDatabaseKind}`, () => {
  let api: FakeBotApi;
  let database: BotDatabase;
  const processes: BotProcess[] = [];

  const target = () =>
    database.env.DATABASE_URL
      ? { url: database.env.DATABASE_URL, poolSize: 1 }
      : { dataDir: join(database.cwd, 'data') };

  /**
   * Binds the section chat directly in the database (as /bindchat would), before any bot runs; with
   * `since`, as an installation that first started and was bound then (catch-up sends nothing older).
   */
  const bindSectionChat = async (since?: Date) => {
    const db = await openDatabase(target());
    await migrateDatabase(db);
    await setSectionChat(db.db, {
      chatId: SECTION,
      title: '干部科',
      boundBy: 1,
      boundAt: (since ?? new Date()).toISOString(),
    });
    if (since) await putSetting(db.db, FIRST_START_SETTING, since.toISOString());
    await db.close();
  };
  /** Daily digest runs recorded, read after every bot has stopped (PGlite allows one process). */
  const dailyRuns = async () => {
    const db = await openDatabase(target());
    const rows = await db.db.select().from(digestRuns).where(eq(digestRuns.kind, 'daily'));
    await db.close();
    return rows;
  };
  const dailyDigests = () => api.textsTo(SECTION).filter((text) => text.includes('干部监督日报'));
  /** Daily digests still queued in the outbox (not sent yet), read after every bot has stopped. */
  const queuedDailyDigests = async () => {
    const db = await openDatabase(target());
    const rows = await db.db
      .select({ payload: outbox.payload })
      .from(outbox)
      .where(and(eq(outbox.chatId, SECTION), inArray(outbox.status, ['pending', 'sending'])));
    await db.close();
    return rows.filter((row) => String(row.payload?.text ?? '').includes('干部监督日报')).length;
  };
  /** Inserts items into the bot's database before it starts (as intake would have). */
  const insertItems = async (rows: Array<Parameters<typeof insertItem>[1]>) => {
    const db = await openDatabase(target());
    await seedUnitsIfEmpty(db.db);
    for (const row of rows) await insertItem(db.db, row);
    await db.close();
  };
  const startBot = (daily: string, extra: Record<string, string> = {}) => {
    const bot = BotProcess.start(
      {
        BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.url,
        DIGEST_DAILY: daily,
        DIGEST_WEEKLY: YEARLY,
        DIGEST_MONTHLY: YEARLY,
        ...database.env,
        ...extra,
      },
      database.cwd,
    );
    processes.push(bot);
    return bot;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeEach(async () => {
    api = await FakeBotApi.start();
    database = await createBotDatabase();
    await bindSectionChat();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((bot) => bot.kill()));
    await api.stop();
    await database.dispose();
  });

  it('sends the daily digest once per period, also across a restart in mid-period', async () => {
    const first = startBot(EVERY_3S);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === SECTION, 30_000);
    await sleep(7000);
    expect((await first.terminate()).code).toBe(0);
    // Restart at once, inside the period just sent: the catch-up must find it recorded.
    const second = startBot(EVERY_3S);
    await sleep(7000);
    expect((await second.terminate()).code).toBe(0);
    await sleep(500);
    const runs = await dailyRuns();
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(new Set(runs.map((r) => r.periodKey)).size).toBe(runs.length);
    // One message per recorded period: nothing was sent twice, and nothing recorded was lost. A period
    // recorded just before the last stop may still wait in the outbox (the next start sends it).
    const queued = await queuedDailyDigests();
    expect(queued).toBeLessThanOrEqual(1);
    expect(dailyDigests().length + queued).toBe(runs.length);
    expect(first.text() + second.text()).not.toContain('digest run failed');
  }, 90_000);

  it('sends a period missed while the bot was down when it starts, and only once', async () => {
    // Installed and bound two years ago: this year's period ended while the bot was down.
    await bindSectionChat(new Date(Date.now() - 2 * 365 * 86_400_000));
    const bot = startBot(YEARLY);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === SECTION, 30_000);
    // The weekly and monthly digests (also yearly here) are caught up too; wait for all three. (With no
    // item in its 12 weeks the weekly digest has no chart: its text is what to wait for.)
    for (const title of ['干部监督周报', '联席会议信息通报']) {
      await api.waitFor(
        (call) =>
          call.method === 'sendMessage' &&
          call.params.chat_id === SECTION &&
          String(call.params.text).includes(title),
        15_000,
      );
    }
    expect((await bot.terminate()).code).toBe(0);
    expect(dailyDigests()).toHaveLength(1);
    const mark = api.calls.at(-1)?.seq ?? 0;
    const again = startBot(YEARLY);
    // Wait until the restarted process is about to poll: its catch-up has started by then.
    await api.waitFor((call) => call.method === 'deleteWebhook' && call.seq > mark, 20_000);
    await sleep(3000);
    expect((await again.terminate()).code).toBe(0);
    expect(dailyDigests()).toHaveLength(1);
    expect(await dailyRuns()).toHaveLength(1);
  }, 90_000);

  /** Waits until `bot` has started (its start-up catch-up has run by then), then a little longer. */
  const runningAWhile = async (bot: BotProcess) => {
    // Generous: on a loaded 2-core machine a PGlite start alone can take most of a minute.
    const deadline = Date.now() + 90_000;
    while (!bot.text().includes('"bot started"')) {
      if (Date.now() > deadline) throw new Error(`bot did not start:\n${bot.text().slice(-2000)}`);
      await sleep(50);
    }
    await sleep(3000);
  };

  it('a new installation bound to a section chat posts no digest for a period before its first start', async () => {
    // Every kind's latest occurrence (1 January) ended before this installation first started.
    const bot = startBot(YEARLY);
    await runningAWhile(bot);
    expect((await bot.terminate()).code).toBe(0);
    const again = startBot(YEARLY);
    await runningAWhile(again);
    expect((await again.terminate()).code).toBe(0);
    expect(api.sent(SECTION)).toEqual([]);
    expect(await dailyRuns()).toEqual([]);
  }, 240_000);

  it('after a day of downtime it posts the latest missed daily digest, once', async () => {
    const now = Date.now();
    // A daily digest two minutes ago (UTC), so yesterday's and today's were both missed.
    const at = new Date(now - 120_000);
    const daily = `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    await bindSectionChat(new Date(now - 3 * 86_400_000));
    const db = await openDatabase(target());
    const twoDaysAgo = new Date(at.getTime() - 2 * 86_400_000);
    await db.db
      .insert(digestRuns)
      .values({ kind: 'daily', periodKey: periodKey('daily', twoDaysAgo), occurrenceAt: twoDaysAgo });
    await db.close();
    const bot = startBot(daily, { TIMEZONE: 'UTC' });
    await runningAWhile(bot);
    await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === SECTION, 30_000);
    expect((await bot.terminate()).code).toBe(0);
    const again = startBot(daily, { TIMEZONE: 'UTC' });
    await runningAWhile(again);
    expect((await again.terminate()).code).toBe(0);
    expect(dailyDigests()).toHaveLength(1);
    const runs = (await dailyRuns()).map((run) => run.occurrenceAt.getTime()).sort((a, b) => a - b);
    expect(runs).toEqual([twoDaysAgo.getTime(), Math.floor(at.getTime() / 60_000) * 60_000]);
  }, 240_000);

  it('the weekly digest and its preview name last week with its dates, never 本周 (issue 18)', async () => {
    const zone = 'Asia/Shanghai';
    const now = DateTime.now().setZone(zone);
    const thisMonday = now.startOf('week');
    const lastMonday = thisMonday.minus({ weeks: 1 });
    await bindSectionChat(new Date(Date.now() - 21 * 86_400_000));
    // Three items last week, two this week (before now): the digest sent this Monday covers last week.
    const midThisWeek = new Date((thisMonday.toMillis() + now.toMillis()) / 2);
    await insertItems([
      ...[1, 2, 3].map((day) => ({ domain: 'F' as const, createdAt: lastMonday.plus({ days: day }).toJSDate() })),
      { domain: 'P', createdAt: midThisWeek },
      { domain: 'P', createdAt: midThisWeek },
    ]);
    const admin = user(4242);
    const bot = startBot(YEARLY, { DIGEST_WEEKLY: '0 0 * * 1', TIMEZONE: zone, ADMIN_IDS: String(admin.id) });
    const weekly = await api.waitFor(
      (call) =>
        call.method === 'sendMessage' &&
        call.params.chat_id === SECTION &&
        String(call.params.text).includes('干部监督周报'),
      60_000,
    );
    const range = `${lastMonday.toFormat('M月d日')}—${thisMonday.minus({ days: 1 }).toFormat('M月d日')}`;
    const text = String(weekly.params.text);
    expect(text).toContain(`上周（${range}）新收 3 件`);
    expect(text).not.toContain('本周');
    // An admin previews it mid-week: the note says it is last week's, and so does the digest.
    const mark = api.calls.at(-1)?.seq ?? 0;
    api.pushUpdate(textMessage(admin, '/digest weekly'));
    const note = await api.waitFor(
      (call) => call.seq > mark && call.method === 'sendMessage' && call.params.chat_id === admin.id,
      30_000,
    );
    expect(String(note.params.text)).toMatch(/^以下是周报预览：统计上周（\d{4}年/);
    expect(String(note.params.text)).toContain(range.split('—')[1] ?? '');
    const preview = await api.waitFor(
      (call) =>
        call.seq > mark &&
        call.params.chat_id === admin.id &&
        String(call.params.text ?? '').includes('干部监督周报'),
      30_000,
    );
    expect(String(preview.params.text)).toContain(`上周（${range}）新收 3 件`);
    expect(String(preview.params.text)).not.toContain('本周');
    expect((await bot.terminate()).code).toBe(0);
  }, 120_000);

  it('the first daily digest after binding counts what came in before it as new, not "nothing new" (issue 18)', async () => {
    const now = Date.now();
    // Installed and bound three days ago; four must-investigate tips came in two days ago, none since.
    await bindSectionChat(new Date(now - 3 * 86_400_000));
    await insertItems(
      (['F', 'F', 'P', 'D'] as const).map((domain, index) => ({
        domain,
        mustInvestigate: true,
        createdAt: new Date(now - 2 * 86_400_000 + index * 60_000),
        triageDueAt: new Date(now + 10 * 86_400_000),
      })),
    );
    // A daily digest two minutes ago (UTC): missed, so it goes out at start, the first one ever.
    const at = new Date(now - 120_000);
    const bot = startBot(`${at.getUTCMinutes()} ${at.getUTCHours()} * * *`, { TIMEZONE: 'UTC' });
    const daily = await api.waitFor(
      (call) =>
        call.method === 'sendMessage' &&
        call.params.chat_id === SECTION &&
        String(call.params.text).includes('干部监督日报'),
      60_000,
    );
    const text = String(daily.params.text);
    expect(text).toContain('这是第一份日报');
    expect(text).toContain('新收 4 件');
    expect(text).not.toContain('没有新收');
    expect(text).toContain('其余必查事项尚未分办 4 件');
    expect((await bot.terminate()).code).toBe(0);
  }, 120_000);

  it.skipIf(testDatabaseKind === 'pglite')(
    'sends each period once with two bot processes on one Postgres database (PGlite allows only one process)',
    async () => {
      const bots = [startBot(EVERY_3S), startBot(EVERY_3S)];
      await api.waitFor((call) => call.method === 'sendMessage' && call.params.chat_id === SECTION, 30_000);
      await sleep(10_000);
      await Promise.all(bots.map((bot) => bot.terminate()));
      await sleep(500);
      const runs = await dailyRuns();
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(dailyDigests()).toHaveLength(runs.length);
    },
    90_000,
  );
});
