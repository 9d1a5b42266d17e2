/** Figure 2, digests: daily and weekly build time at growing item counts, beside the raw SQL floor. */
import { loadUnits, seedUnitsIfEmpty } from '../src/units/directory.js';
import { forkTarget, peakRssMb } from './child.js';
import { generateItems, seedDigestPeople } from './generate.js';
import type { Scratch } from './scratch.js';
import { median } from './stats.js';

/** Digest timings (medians, ms) at one item count. */
export interface DigestResult {
  items: number;
  generateSeconds: number;
  daily: number;
  dailyFloor: number;
  weekly: number;
  weeklyFloor: number;
  chart: number;
  peakRssMb: number;
}

/** Grows the scratch database to each size in turn and times the digests there. */
export async function runDigests(
  scratch: Scratch,
  sizes: readonly number[],
  reps: number,
  log: (line: string) => void,
): Promise<DigestResult[]> {
  const results: DigestResult[] = [];
  let have = 0;
  for (const size of sizes) {
    const database = await scratch.open();
    let generateSeconds = 0;
    try {
      await seedUnitsIfEmpty(database.db);
      const codes = (await loadUnits(database.db)).map((unit) => unit.code);
      if (have === 0) await seedDigestPeople(database.db, codes);
      log(`  generating items ${have + 1}..${size}`);
      generateSeconds = await generateItems(database.db, have + 1, size, codes);
      have = size;
    } finally {
      await database.close();
    }
    log(`  timing digests at ${size.toLocaleString('en-US')} items (${reps} rounds)`);
    const child = forkTarget('digests', { ...scratch.env, BENCH_REPS: String(reps), LOG_LEVEL: 'warn' });
    const { result, maxRssKb } = await child.next('result', 600_000);
    await child.exited;
    const timings = result as Record<string, number[]>;
    const entry: DigestResult = {
      items: size,
      generateSeconds,
      daily: median(timings.daily ?? []),
      dailyFloor: median(timings.dailyFloor ?? []),
      weekly: median(timings.weekly ?? []),
      weeklyFloor: median(timings.weeklyFloor ?? []),
      chart: median(timings.chart ?? []),
      peakRssMb: peakRssMb(maxRssKb),
    };
    log(
      `    daily ${entry.daily.toFixed(1)} ms (floor ${entry.dailyFloor.toFixed(1)}), weekly ${entry.weekly.toFixed(1)} ms (floor ${entry.weeklyFloor.toFixed(1)}, chart ${entry.chart.toFixed(1)}), RSS ${entry.peakRssMb.toFixed(0)} MB`,
    );
    results.push(entry);
  }
  return results;
}
