/**
 * Figure 4, start-up: `node dist/src/main.js` (what `npm start` runs once built) from spawn to its
 * first getUpdates at the fake Bot API — on an empty database (migrations, unit directory), then restarts.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { FakeBotApi } from '../test/support/fake-bot-api.js';
import { BENCH_DATA_KEY } from './intake.js';
import type { Scratch } from './scratch.js';
import { median } from './stats.js';

/** Start-up times in ms. */
export interface StartupResult {
  first: number;
  restart: number;
  restarts: number[];
}

async function startOnce(api: FakeBotApi, scratch: Scratch): Promise<number> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(packageRoot(), 'dist/src/main.js')], {
    cwd: scratch.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.url,
      LOG_LEVEL: 'warn',
      DATA_KEY: BENCH_DATA_KEY,
      ...scratch.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Read what it prints, so a full pipe never blocks it, and show it if it never polls.
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = `${errors}${chunk.toString()}`.slice(-4000);
  });
  try {
    return (await api.waitForPolling(started, 60_000)) - started;
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nbot stderr:\n${errors}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** One first start on `scratch` (empty), then `restarts` restarts on the same database. */
export async function runStartup(scratch: Scratch, restarts: number): Promise<StartupResult> {
  const api = await FakeBotApi.start();
  try {
    const first = await startOnce(api, scratch);
    const times: number[] = [];
    for (let index = 0; index < restarts; index += 1) times.push(await startOnce(api, scratch));
    return { first, restart: median(times), restarts: times };
  } finally {
    await api.stop();
  }
}
