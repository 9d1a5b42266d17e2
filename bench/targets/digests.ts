/**
 * Times the daily and weekly digests against their floor on an existing database, in a process of
 * its own so its peak RSS is the digest builder's (and, on PGlite, the embedded database's).
 * Product and floor alternate within each repetition, so a noisy neighbour hurts both alike.
 */

import { configureKeyring, parseKeyring } from '../../src/crypto/sealing.js';
import { openDatabase } from '../../src/db/client.js';
import { renderWeeklyChart } from '../../src/digests/chart.js';
import { buildDigest } from '../../src/digests/compose.js';
import { weeklySeries } from '../../src/digests/queries.js';
import { translatorFor } from '../../src/i18n.js';
import { dailyFloor, weeklyFloor } from '../digest-floor.js';

async function main(): Promise<void> {
  const env = process.env;
  const reps = Number(env.BENCH_REPS ?? 5);
  const timeZone = env.TIMEZONE ?? 'Asia/Shanghai';
  // Sealed names (the open load's officers) are read with the run's key, as the bot reads them.
  if (env.DATA_KEY) configureKeyring(parseKeyring(env.DATA_KEY));
  const database = await openDatabase(
    env.DATABASE_URL ? { url: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR ?? './data' },
  );
  const t = translatorFor('zh-CN');
  const at = new Date();
  const options = {
    at,
    timeZone,
    botUsername: 'liaison_bench_bot',
    includeAdminsOnly: false,
    adminOnlyUnits: ['ZZB'],
  };
  const timings: Record<string, number[]> = {
    daily: [],
    dailyFloor: [],
    weekly: [],
    weeklyFloor: [],
    chart: [],
  };
  const time = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    timings[name]?.push(performance.now() - started);
  };
  const series = await weeklySeries(database.db, at, timeZone, { includeAdminsOnly: false });
  // The first round warms caches and the JIT, and is not counted.
  for (let round = 0; round <= reps; round += 1) {
    if (round === 1) for (const list of Object.values(timings)) list.length = 0;
    await time('daily', () => buildDigest(database.db, 'daily', options, t));
    await time('dailyFloor', () => dailyFloor(database.db, at, timeZone));
    await time('weekly', () => buildDigest(database.db, 'weekly', options, t));
    await time('weeklyFloor', () => weeklyFloor(database.db, at, timeZone));
    await time('chart', () => renderWeeklyChart(series, t));
  }
  await database.close();
  process.send?.({ type: 'result', result: timings, maxRssKb: process.resourceUsage().maxRSS }, () =>
    process.exit(0),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`digest target failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
