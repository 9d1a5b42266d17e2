/**
 * `npm run bench [-- --quick] [-- --only intake,digests,sender,startup] [-- --no-write] [-- --write]
 * [-- --cpu-prof <folder>]`:
 * measures intake, digests, sending, start-up and memory against floors measured in the same run, on
 * PGlite, or on Postgres when DATABASE_URL is set (in scratch databases it creates and drops).
 * A full run writes its table into docs/benchmarks.md; --quick (under two minutes) only prints.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { numberPeople } from '../src/people/numbering.js';
import { type DigestResult, runDigests } from './digests.js';
import { type IntakePlan, type IntakeResult, monitorsNeeded, runIntake, seedIntake } from './intake.js';
import { writeReport } from './report.js';
import { createScratch, type Scratch } from './scratch.js';
import { runSender, type SenderResult } from './sender.js';
import { runStartup, type StartupResult } from './startup.js';
import { type ResultRow, textTable } from './stats.js';

const SECTIONS = ['intake', 'digests', 'sender', 'startup'] as const;
type Section = (typeof SECTIONS)[number];

interface Plan {
  intake: IntakePlan;
  /** A shorter intake run on the database holding the largest digest size. */
  intakeAtScale: IntakePlan | null;
  digestSizes: number[];
  digestReps: number;
  senderMessages: number;
  senderChats: number;
  restarts: number;
}

const QUICK: Plan = {
  intake: { warmup: 50, rate: 100, fixed: 500, saturation: 500, concurrency: 32 },
  intakeAtScale: null,
  digestSizes: [10_000],
  digestReps: 3,
  senderMessages: 300,
  senderChats: 60,
  restarts: 1,
};

const FULL: Plan = {
  intake: { warmup: 200, rate: 100, fixed: 2000, saturation: 2000, concurrency: 32 },
  intakeAtScale: { warmup: 50, rate: 100, fixed: 500, saturation: 500, concurrency: 32 },
  digestSizes: [10_000, 100_000, 1_000_000],
  digestReps: 5,
  senderMessages: 1800,
  senderChats: 200,
  restarts: 3,
};

function parseArgs(argv: readonly string[]) {
  const quick = argv.includes('--quick');
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '').split(',') : [...SECTIONS];
  const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--only takes ${SECTIONS.join(',')}; not ${unknown.join(',')}`);
  const write = argv.includes('--write') || (!quick && !argv.includes('--no-write') && onlyIndex < 0);
  // Profiles the product's intake process with node --cpu-prof into the given folder.
  const profileIndex = argv.indexOf('--cpu-prof');
  const profileDir = profileIndex >= 0 ? (argv[profileIndex + 1] ?? 'bench-profiles') : undefined;
  return { quick, sections: new Set(only as Section[]), write, profileDir };
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const loadNow = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function withScratch<T>(serverUrl: string | undefined, work: (scratch: Scratch) => Promise<T>) {
  const scratch = await createScratch(serverUrl);
  try {
    return await work(scratch);
  } finally {
    await scratch.dispose();
  }
}

/**
 * The generated items name their officers by Telegram id, as a database from before person numbers
 * did. A first start of this version converts such a database once (src/people/numbering.ts); done
 * here, untimed, so the product's start is a restart, not a one-time migration. On PGlite the
 * conversion of a million items outlasts the start timeout. Its time is logged.
 */
async function numberGeneratedPeople(scratch: Scratch, log: (line: string) => void): Promise<void> {
  const database = await scratch.open();
  try {
    const started = Date.now();
    const values = await numberPeople(database.db);
    log(
      `    converted ${values.toLocaleString('en-US')} ids to person numbers in ${Date.now() - started} ms`,
    );
  } finally {
    await database.close();
  }
}

function intakeRows(product: IntakeResult, floor: IntakeResult | null, label: string): ResultRow[] {
  const rows: ResultRow[] = [];
  const lost =
    product.fixed.sent - product.fixed.replied + product.saturation.sent - product.saturation.replied;
  rows.push({
    section: '1',
    figure: `intake throughput at saturation${label}`,
    value: product.saturation.throughput,
    unit: '/s',
    ...(floor
      ? {
          floor: floor.saturation.throughput,
          ratio: product.saturation.throughput / floor.saturation.throughput,
          targetOn: 'ratio' as const,
          goal: { atLeast: 0.5 },
          targetText: 'ratio ≥ 0.5 (Postgres)',
        }
      : {}),
  });
  rows.push({
    section: '1',
    figure: `replies at offered ${product.fixed.offeredPerSecond.toFixed(0)}/s${label}`,
    value: product.fixed.throughput,
    unit: '/s',
    ...(floor
      ? { floor: floor.fixed.throughput, ratio: product.fixed.throughput / floor.fixed.throughput }
      : {}),
  });
  for (const p of ['p50', 'p95', 'p99'] as const) {
    rows.push({
      section: '1',
      figure: `${p} latency update → receipt at 100/s${label}`,
      value: product.fixed.latency[p],
      unit: 'ms',
      ...(floor
        ? { floor: floor.fixed.latency[p], ratio: product.fixed.latency[p] / floor.fixed.latency[p] }
        : {}),
      ...(p === 'p99' ? { targetOn: 'value' as const, goal: { atMost: 50 }, targetText: '≤ 50 ms' } : {}),
    });
  }
  rows.push({
    section: '1',
    figure: `p99 latency at saturation${label}`,
    value: product.saturation.latency.p99,
    unit: 'ms',
    ...(floor
      ? {
          floor: floor.saturation.latency.p99,
          ratio: product.saturation.latency.p99 / floor.saturation.latency.p99,
        }
      : {}),
  });
  rows.push({
    section: '1',
    figure: `tips without a receipt${label}`,
    value: lost,
    unit: '',
    targetOn: 'value',
    goal: { equals: 0 },
    targetText: '0',
  });
  return rows;
}

/**
 * Work per tip beside the durable floor (stores the update, one transaction with one INSERT and one
 * outbox row, sends, marks sent), and what durability costs beside the bare floor.
 */
function perTipRows(product: IntakeResult, durable: IntakeResult, bare: IntakeResult): ResultRow[] {
  return [
    {
      section: '1',
      figure: 'statements per tip (floor: durable floor)',
      value: product.perTip.statements,
      unit: '',
      floor: durable.perTip.statements,
      ratio: product.perTip.statements / durable.perTip.statements,
      targetOn: 'value',
      goal: { atMost: 6 },
      targetText: '≤ 6',
    },
    {
      section: '1',
      figure: 'node CPU per tip (floor: durable floor)',
      value: product.perTip.cpuMs,
      unit: 'ms',
      floor: durable.perTip.cpuMs,
      ratio: product.perTip.cpuMs / durable.perTip.cpuMs,
      targetOn: 'value',
      goal: { atMost: 1.5 },
      targetText: '≤ 1.5 ms',
    },
    {
      section: '1',
      figure: 'intake throughput at saturation (floor: durable floor)',
      value: product.saturation.throughput,
      unit: '/s',
      floor: durable.saturation.throughput,
      ratio: product.saturation.throughput / durable.saturation.throughput,
    },
    {
      section: '1',
      figure: 'durable floor throughput at saturation (floor: bare telegraf)',
      value: durable.saturation.throughput,
      unit: '/s',
      floor: bare.saturation.throughput,
      ratio: durable.saturation.throughput / bare.saturation.throughput,
    },
    {
      section: '1',
      figure: 'statements per tip, durable floor (floor: bare telegraf)',
      value: durable.perTip.statements,
      unit: '',
      floor: bare.perTip.statements,
      ratio: durable.perTip.statements / bare.perTip.statements,
    },
  ];
}

function digestRows(results: readonly DigestResult[]): ResultRow[] {
  const rows: ResultRow[] = [];
  const largest = results[results.length - 1];
  for (const result of results) {
    const atTarget = result === largest && result.items >= 1_000_000;
    const size = result.items.toLocaleString('en-US');
    rows.push({
      section: '2',
      figure: `daily digest, ${size} items`,
      value: result.daily,
      unit: 'ms',
      floor: result.dailyFloor,
      ratio: result.daily / result.dailyFloor,
      ...(atTarget ? { targetOn: 'ratio' as const, goal: { atMost: 1.5 }, targetText: 'ratio ≤ 1.5' } : {}),
    });
    if (atTarget) {
      rows.push({
        section: '2',
        figure: `daily digest, ${size} items (absolute)`,
        value: result.daily,
        unit: 'ms',
        targetOn: 'value',
        goal: { atMost: 499.999 },
        targetText: '< 500 ms',
      });
    }
    rows.push({
      section: '2',
      figure: `weekly digest incl. chart, ${size} items`,
      value: result.weekly,
      unit: 'ms',
      floor: result.weeklyFloor,
      ratio: result.weekly / result.weeklyFloor,
    });
    rows.push({
      section: '2',
      figure: `weekly digest without the chart render, ${size} items`,
      value: result.weekly - result.chart,
      unit: 'ms',
      floor: result.weeklyFloor,
      ratio: (result.weekly - result.chart) / result.weeklyFloor,
    });
  }
  return rows;
}

function senderRows(result: SenderResult): ResultRow[] {
  return [
    {
      section: '3',
      figure: `sender rate, ${result.messages} msgs to ${result.chats} chats, 10% 429`,
      value: result.rate,
      unit: 'msg/s',
      floor: 30,
      ratio: result.rate / 30,
      targetOn: 'value',
      goal: { atLeast: 27 },
      targetText: '≥ 27 msg/s (floor: Telegram’s 30)',
    },
    {
      section: '3',
      figure: 'messages lost',
      value: result.lost,
      unit: '',
      targetOn: 'value',
      goal: { equals: 0 },
      targetText: '0',
    },
    { section: '3', figure: 'messages delivered twice', value: result.duplicates, unit: '' },
    { section: '3', figure: '429 answers retried', value: result.rateLimited, unit: '' },
    {
      section: '3',
      figure: 'smallest per-chat spacing',
      value: result.minChatSpacingMs,
      unit: 'ms',
      targetOn: 'value',
      goal: { atLeast: 1000 },
      targetText: '≥ 1000 ms',
    },
    {
      section: '3',
      figure: 'FakeBotApi.limitViolations()',
      value: result.violations,
      unit: '',
      targetOn: 'value',
      goal: { equals: 0 },
      targetText: '0',
    },
  ];
}

function startupRows(result: StartupResult): ResultRow[] {
  return [
    {
      section: '4',
      figure: 'first start on an empty database → first getUpdates',
      value: result.first,
      unit: 'ms',
      targetOn: 'value',
      goal: { atMost: 5000 },
      targetText: '≤ 5 s',
    },
    {
      section: '4',
      figure: `restart → first getUpdates (median of ${result.restarts.length})`,
      value: result.restart,
      unit: 'ms',
      targetOn: 'value',
      goal: { atMost: 1000 },
      targetText: '≤ 1 s',
    },
  ];
}

function rssRow(figure: string, value: number, floor?: number): ResultRow {
  return {
    section: '5',
    figure,
    value,
    unit: 'MB',
    ...(floor === undefined ? {} : { floor, ratio: value / floor }),
    targetOn: 'value',
    goal: { atMost: 200 },
    targetText: '≤ 200 MB',
  };
}

async function main(): Promise<void> {
  const { quick, sections, write, profileDir } = parseArgs(process.argv.slice(2));
  const productFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const plan = quick ? QUICK : FULL;
  const serverUrl = process.env.DATABASE_URL?.trim() || undefined;
  const kind = serverUrl ? 'postgres' : 'pglite';
  const started = Date.now();
  const loads: string[] = [`start ${loadNow()}`];
  log(`liaison-bot bench, ${quick ? 'quick' : 'full'} run on ${kind}; load average ${loadNow()}`);
  const rows: ResultRow[] = [];
  const problems: string[] = [];
  const section = async (name: Section, work: () => Promise<void>) => {
    if (!sections.has(name)) return;
    log(`\n== ${name}`);
    try {
      await work();
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      log(`  FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    }
    loads.push(`after ${name} ${loadNow()}`);
  };

  await section('intake', async () => {
    const product = await withScratch(serverUrl, async (scratch) => {
      await seedIntake(scratch, monitorsNeeded(plan.intake));
      return runIntake(scratch, 'product', plan.intake, log, productFlags);
    });
    const floor = await withScratch(serverUrl, (scratch) => runIntake(scratch, 'floor', plan.intake, log));
    const durable = await withScratch(serverUrl, (scratch) =>
      runIntake(scratch, 'durable-floor', plan.intake, log),
    );
    rows.push(...intakeRows(product, floor, ''));
    rows.push(...perTipRows(product, durable, floor));
    rows.push(
      rssRow('peak RSS, intake (product process; floor: bare telegraf)', product.peakRssMb, floor.peakRssMb),
    );
    log(`  alerts to the section chat: ${product.alerts}`);
  });

  await section('digests', async () => {
    await withScratch(serverUrl, async (scratch) => {
      const results = await runDigests(scratch, plan.digestSizes, plan.digestReps, log);
      rows.push(...digestRows(results));
      const largest = results[results.length - 1];
      if (largest) {
        rows.push(
          rssRow(`peak RSS, digests at ${largest.items.toLocaleString('en-US')} items`, largest.peakRssMb),
        );
      }
      if (plan.intakeAtScale && largest) {
        const size = ` (${largest.items.toLocaleString('en-US')} items stored)`;
        log(`  intake on the database holding ${largest.items.toLocaleString('en-US')} items`);
        await numberGeneratedPeople(scratch, log);
        await seedIntake(scratch, monitorsNeeded(plan.intakeAtScale));
        const product = await runIntake(scratch, 'product', plan.intakeAtScale, log);
        rows.push(...intakeRows(product, null, size));
        rows.push(rssRow(`peak RSS, intake${size}`, product.peakRssMb));
      }
    });
  });

  await section('sender', async () => {
    const result = await withScratch(serverUrl, (scratch) =>
      runSender(scratch, plan.senderMessages, plan.senderChats, log),
    );
    rows.push(...senderRows(result));
  });

  await section('startup', async () => {
    const result = await withScratch(serverUrl, (scratch) => runStartup(scratch, plan.restarts));
    log(`  first ${result.first} ms, restarts ${result.restarts.join(', ')} ms`);
    rows.push(...startupRows(result));
  });

  const seconds = (Date.now() - started) / 1000;
  log(`\n${textTable(rows)}`);
  log(
    `\n${kind}, ${quick ? 'quick' : 'full'} run, ${seconds.toFixed(0)} s; load average (1/5/15 min): ${loads.join('; ')}`,
  );
  if (problems.length > 0) log(`\nsections that failed:\n${problems.join('\n')}`);
  if (write) {
    const file = await writeReport({
      kind,
      rows,
      loads,
      seconds,
      command: `${serverUrl ? 'DATABASE_URL=postgres://…/postgres ' : ''}npm run bench`,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGb: totalmem() / 1024 ** 3,
        node: process.version,
      },
      problems,
    });
    log(`\nwrote ${file}`);
  }
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
