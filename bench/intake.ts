/**
 * Figure 1, intake: Telegram-shaped tip updates POSTed to a webhook, timed from the POST to the
 * moment the reply's sendMessage reaches the fake Bot API — at a fixed offered rate, then at saturation.
 *
 * Webhook mode, not polling, because the bench then controls the offered rate exactly (one POST every
 * 10 ms is an open-loop load, as Telegram's own delivery is); with polling the bot decides when it asks
 * for updates and batches them, which hides the latency a burst sees.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { people } from '../src/db/schema.js';
import { setSectionChat } from '../src/settings.js';
import { DEFAULT_UNITS_CSV, parseUnitsCsv, seedUnitsIfEmpty } from '../src/units/directory.js';
import { FakeBotApi } from '../test/support/fake-bot-api.js';
import { textMessage, user } from '../test/support/updates.js';
import { forkTarget, peakRssMb } from './child.js';
import type { Scratch } from './scratch.js';
import { type LatencySummary, summarize } from './stats.js';

const SECRET = 'bench_secret_0123456789abcdef_01234';
/** One random key per bench run: never a real one, and gone with the scratch databases. */
export const BENCH_DATA_KEY = randomBytes(32).toString('base64');
/** Each monitor sends at most this many tips, well under the product's 20 an hour. */
const TIPS_PER_MONITOR = 10;
/** First Telegram id of the bench's monitors (generated items use ids below this). */
export const FIRST_MONITOR_ID = 10_000;
/** The section chat alerts go to, bound as /bindchat would. */
const SECTION_CHAT_ID = -1_001_000_000_001;
const DOMAINS = ['D', 'F', 'P', 'S', 'I', 'O'] as const;

const TEMPLATES: ReadonlyArray<(n: number) => string> = [
  (n) => `镇长在防波堤工程中指定施工方，金额约${n}万元，未经招投标`,
  (n) => `局长未经党委会集体讨论，擅自决定${n}万元的项目审批`,
  (n) => `财政专户资金${n}万元被截留坐支，由“一支笔”一人签字审批`,
  (n) => `今年提拔的${(n % 9) + 1}名中层干部未按程序公示，群众议论较多`,
  (n) => `八小时以外经常出入高档会所，本月已见到${(n % 7) + 2}次，车辆为公车`,
  (n) => `其家属经营的公司承接本单位工程，合同金额约${n}万元`,
  (n) => `敏感岗位人员任职已满六年未轮岗，第${n}号反映`,
  (n) => `接受管理服务对象宴请并收受礼品，价值约${n}元`,
];

/** One load phase's outcome. */
export interface PhaseResult {
  sent: number;
  replied: number;
  /** Updates per second actually offered (POST rate). */
  offeredPerSecond: number;
  /** Replies per second, from the first POST to the last reply. */
  throughput: number;
  latency: LatencySummary;
}

/** What an intake target is: the product, the bare telegraf floor, or the durable floor. */
export type IntakeTarget = 'product' | 'floor' | 'durable-floor';

/** Work done per tip during the fixed-rate phase, read from the target process itself. */
export interface PerTip {
  /** Statements sent to the database (queries, BEGIN, COMMIT), everything the process did included. */
  statements: number;
  /** Node CPU (user + system) of the target process, in ms. */
  cpuMs: number;
}

/** The intake figures of one target. */
export interface IntakeResult {
  target: IntakeTarget;
  fixed: PhaseResult;
  perTip: PerTip;
  saturation: PhaseResult;
  peakRssMb: number;
  /** Alerts the product sent to the section chat (must-investigate tips). */
  alerts: number;
}

/** Sizes of the load phases. */
export interface IntakePlan {
  warmup: number;
  rate: number;
  fixed: number;
  saturation: number;
  /** POSTs in flight at saturation. */
  concurrency: number;
}

/** The bench's monitors, one tip each per round: ids for `count` tips starting at `first`. */
function monitorsFor(count: number): number {
  return Math.ceil(count / TIPS_PER_MONITOR);
}

/** Enrols the monitors, loads the unit directory and binds the section chat, as an operator would. */
export async function seedIntake(scratch: Scratch, monitors: number): Promise<void> {
  const database = await scratch.open();
  try {
    await seedUnitsIfEmpty(database.db);
    for (let start = 0; start < monitors; start += 500) {
      const batch = Array.from({ length: Math.min(500, monitors - start) }, (_, index) => ({
        telegramId: FIRST_MONITOR_ID + start + index,
        role: 'monitor' as const,
        community: `社区${((start + index) % 6) + 1}`,
        language: 'zh-CN',
      }));
      await database.db.insert(people).values(batch).onConflictDoNothing();
    }
    await setSectionChat(database.db, {
      chatId: SECTION_CHAT_ID,
      title: '干部科',
      boundBy: null,
      boundAt: new Date().toISOString(),
    });
  } finally {
    await database.close();
  }
}

/** How many monitors a plan needs enrolled. */
export function monitorsNeeded(plan: IntakePlan): number {
  return monitorsFor(plan.warmup) + monitorsFor(plan.fixed) + monitorsFor(plan.saturation);
}

interface Pending {
  chatId: number;
  sentAt: number;
}

/** Matches replies (in the order the fake received them) to the updates of each chat, in order. */
class ReplyTracker {
  private readonly waiting = new Map<number, number[]>();
  private scanned = 0;
  readonly latencies: number[] = [];
  lastReplyAt = 0;
  alerts = 0;

  constructor(private readonly api: FakeBotApi) {}

  expect(pending: Pending): void {
    const queue = this.waiting.get(pending.chatId) ?? [];
    queue.push(pending.sentAt);
    this.waiting.set(pending.chatId, queue);
  }

  /** Consumes the calls recorded since the last scan. */
  scan(): void {
    const calls = this.api.calls;
    for (; this.scanned < calls.length; this.scanned += 1) {
      const call = calls[this.scanned];
      if (call?.status !== 200 || call.method !== 'sendMessage') continue;
      const chatId = Number(call.params.chat_id);
      if (chatId === SECTION_CHAT_ID) {
        this.alerts += 1;
        continue;
      }
      const sentAt = this.waiting.get(chatId)?.shift();
      if (sentAt === undefined) continue;
      this.latencies.push(call.at - sentAt);
      this.lastReplyAt = Math.max(this.lastReplyAt, call.at);
    }
  }

  reset(): void {
    this.latencies.length = 0;
    this.lastReplyAt = 0;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the warm-up, fixed-rate and saturation phases against `target` on `scratch`. */
export async function runIntake(
  scratch: Scratch,
  target: IntakeTarget,
  plan: IntakePlan,
  log: (line: string) => void,
  execArgv: string[] = [],
): Promise<IntakeResult> {
  const { units } = parseUnitsCsv(await readFile(DEFAULT_UNITS_CSV, 'utf8'));
  const unitCodes = units.map((unit) => unit.code);
  const api = await FakeBotApi.start();
  const child = forkTarget(
    target,
    {
      ...scratch.env,
      BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.url,
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.test/hook',
      WEBHOOK_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // The scratch's key (scratch.env): the seeded people's communities are sealed under it.
    },
    execArgv,
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let stoppedCleanly = false;
  try {
    const { port } = await child.next('ready', 120_000);
    const readFigures = () => {
      child.send({ type: 'figures' });
      return child.next('figures', 30_000);
    };
    const tracker = new ReplyTracker(api);
    let updateId = 1;
    let nextMonitor = FIRST_MONITOR_ID;
    let tipNumber = 0;

    const post = (body: string): Promise<void> =>
      new Promise((resolve) => {
        const attempt = () => {
          const call = request(
            {
              host: '127.0.0.1',
              port,
              path: '/hook',
              method: 'POST',
              agent,
              headers: {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
                'x-telegram-bot-api-secret-token': SECRET,
              },
            },
            (response) => {
              response.resume();
              // Telegram redelivers an update not answered with 2xx; so does the bench.
              response.on('end', () =>
                (response.statusCode ?? 500) < 300 ? resolve() : setTimeout(attempt, 100),
              );
            },
          );
          call.on('error', () => setTimeout(attempt, 100));
          call.end(body);
        };
        attempt();
      });

    const makeUpdates = (count: number) => {
      const monitors = monitorsFor(count);
      const first = nextMonitor;
      nextMonitor += monitors;
      return Array.from({ length: count }, (_, index) => {
        tipNumber += 1;
        const chatId = first + (index % monitors);
        const domain = DOMAINS[tipNumber % DOMAINS.length];
        const unit = unitCodes[(tipNumber * 7) % unitCodes.length];
        const template = TEMPLATES[tipNumber % TEMPLATES.length] as (n: number) => string;
        const text = `/tip ${domain}-${unit} ${template(100 + tipNumber)}`;
        const body = JSON.stringify({ update_id: updateId++, ...textMessage(user(chatId), text) });
        return { chatId, body };
      });
    };

    const waitForReplies = async (expected: number, label: string) => {
      let seen = -1;
      let stalledSince = Date.now();
      for (;;) {
        tracker.scan();
        if (tracker.latencies.length >= expected) return;
        if (tracker.latencies.length !== seen) {
          seen = tracker.latencies.length;
          stalledSince = Date.now();
        } else if (Date.now() - stalledSince > 60_000) {
          log(`  ${label}: only ${seen}/${expected} replies, none for 60 s; giving up`);
          return;
        }
        await sleep(50);
      }
    };

    const fixedRate = async (count: number, rate: number, label: string): Promise<PhaseResult> => {
      tracker.reset();
      const updates = makeUpdates(count);
      const posts: Promise<void>[] = [];
      const start = Date.now();
      let lastPost = start;
      for (const [index, update] of updates.entries()) {
        const due = start + (index * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        lastPost = Date.now();
        tracker.expect({ chatId: update.chatId, sentAt: lastPost });
        posts.push(post(update.body));
      }
      await Promise.all(posts);
      await waitForReplies(count, label);
      return phaseResult(count, start, lastPost);
    };

    const saturate = async (count: number, concurrency: number, label: string): Promise<PhaseResult> => {
      tracker.reset();
      const updates = makeUpdates(count);
      const start = Date.now();
      let lastPost = start;
      let next = 0;
      const worker = async () => {
        for (let index = next++; index < updates.length; index = next++) {
          const update = updates[index] as { chatId: number; body: string };
          lastPost = Date.now();
          tracker.expect({ chatId: update.chatId, sentAt: lastPost });
          await post(update.body);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      await waitForReplies(count, label);
      return phaseResult(count, start, lastPost);
    };

    const phaseResult = (count: number, start: number, lastPost: number): PhaseResult => {
      const replied = tracker.latencies.length;
      const end = tracker.lastReplyAt || Date.now();
      return {
        sent: count,
        replied,
        offeredPerSecond: count / Math.max(0.001, (lastPost - start) / 1000),
        throughput: replied / Math.max(0.001, (end - start) / 1000),
        latency: summarize(tracker.latencies),
      };
    };

    log(`  ${target}: warm-up, ${plan.warmup} updates`);
    await fixedRate(plan.warmup, Math.min(plan.rate, 50), 'warm-up');
    log(`  ${target}: ${plan.fixed} updates at ${plan.rate}/s`);
    const before = await readFigures();
    const fixed = await fixedRate(plan.fixed, plan.rate, 'fixed rate');
    // Let the last deliveries be recorded (the sender marks them sent after Telegram answered).
    await sleep(1000);
    const after = await readFigures();
    const perTip: PerTip = {
      statements: (after.statements - before.statements) / Math.max(1, fixed.replied),
      cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / Math.max(1, fixed.replied),
    };
    log(
      `    ${fixed.replied}/${fixed.sent} replied, p50 ${fixed.latency.p50} ms, p99 ${fixed.latency.p99} ms; ` +
        `per tip ${perTip.statements.toFixed(1)} statements, ${perTip.cpuMs.toFixed(2)} ms node CPU`,
    );
    log(`  ${target}: ${plan.saturation} updates at saturation (${plan.concurrency} POSTs in flight)`);
    const saturation = await saturate(plan.saturation, plan.concurrency, 'saturation');
    log(
      `    ${saturation.replied}/${saturation.sent} replied, ${saturation.throughput.toFixed(1)}/s, p99 ${saturation.latency.p99} ms`,
    );
    child.send({ type: 'stop' });
    const stopped = await child.next('stopped', 60_000);
    stoppedCleanly = true;
    return {
      target,
      fixed,
      perTip,
      saturation,
      peakRssMb: peakRssMb(stopped.maxRssKb),
      alerts: tracker.alerts,
    };
  } finally {
    agent.destroy();
    // A target that said it stopped may still be writing its CPU profile: give it time to exit.
    const timer = setTimeout(() => child.child.kill('SIGKILL'), 30_000);
    if (!stoppedCleanly) child.child.kill('SIGKILL');
    await child.exited;
    clearTimeout(timer);
    await api.stop();
  }
}
